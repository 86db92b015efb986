// The assistants this person can start a chat with: the company's published ones, then their own.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return { assistants: await listAssistantsFor(user.id) }
})
