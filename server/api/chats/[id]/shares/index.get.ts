import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// My chat's links, with who opened each; revoked ones stay listed as such.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const shares = await listShares(id, user.id)
  return { shares: shares.map(s => ({ ...s, path: `/shared/${s.id}` })) }
})
