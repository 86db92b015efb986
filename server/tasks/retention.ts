// Scheduled daily in nuxt.config.ts (nitro.scheduledTasks); an administrator can also run it
// now through POST /api/admin/retention/run.
export default defineTask({
  meta: {
    name: 'retention',
    description: 'Delete chats inactive past MESSAGE_RETENTION_DAYS and audit entries past AUDIT_RETENTION_DAYS',
  },
  async run({ payload }) {
    const actorId = typeof payload.actorId === 'string' ? payload.actorId : null
    return { result: await runRetention({ actorId }) }
  },
})
