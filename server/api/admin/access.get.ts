// The admin pages ask this first: 200 for an administrator, 403 (or 401) for everyone else.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  return { id: admin.id, roles: admin.roles }
})
