// The signed-in user's Entra profile photo, as kept from Graph; 404 when they have none.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return sendUserPhoto(event, user.id)
})
