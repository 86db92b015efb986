// A company assistant, unpublished until an admin publishes it. Audited, without its prompt.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { systemPrompt, ...fields } = await readBodyWith(event, newAssistantBody)
  const { row, prompt } = await createAssistant(null, fields, systemPrompt)
  await recordAudit({ action: 'assistant_created', actorId: admin.id, target: { type: 'assistant', id: row.id }, event })
  setResponseStatus(event, 201)
  return adminAssistant(row, prompt)
})
