// The models staff can pick in the prompt box; the first is the default. Deployment names,
// endpoints and keys stay on the server.
export default defineEventHandler(async (event) => {
  await requireUser(event)
  const { models } = useServerConfig().azureOpenai
  return {
    default: models[0]!.id,
    models: models.map(m => ({ id: m.id, label: m.label, reasoning: !!m.reasoning })),
  }
})
