// The owner changes a personal assistant; a new prompt is a new version (old chats keep theirs).
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, assistantParams)
  const change = await readBodyWith(event, assistantChangeBody)
  const updated = await updateAssistant(id, { ownerId: user.id }, change)
  if (!updated) throw assistantNotFound()
  return { ...publicAssistant(updated.row, updated.prompt), version: updated.row.version }
})
