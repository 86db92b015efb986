// "Download my data": the signed-in user's chats and uploaded documents as a ZIP, streamed.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return sendDataExport(event, { id: user.id, name: null }, user.id)
})
