// A personal assistant: only its owner sees it, its prompt included.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { systemPrompt, ...fields } = await readBodyWith(event, newAssistantBody)
  const { row, prompt } = await createAssistant(user.id, fields, systemPrompt)
  setResponseStatus(event, 201)
  return publicAssistant(row, prompt)
})
