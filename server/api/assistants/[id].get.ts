// One assistant; someone else's personal one or an unpublished company one is 404. The system
// prompt is shown to the owner of a personal assistant only.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, assistantParams)
  const found = await getAssistantFor(id, user.id)
  if (!found) throw assistantNotFound()
  const { prompt, ...row } = found
  return publicAssistant(row, row.ownerId === user.id ? prompt : undefined)
})
