// Runs the retention job now (the same task as the daily schedule), recorded with this admin as actor.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { result } = await runTask('retention', { payload: { actorId: admin.id } }) as { result: RetentionResult | null }
  if (!result) throw createError({ statusCode: 409, statusMessage: 'Conflict', message: say('admin.retentionRunning', undefined, event) })
  return result
})
