// Every company assistant, published or not, with its prompt: the admin page.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  return { assistants: await listCompanyAssistants() }
})
