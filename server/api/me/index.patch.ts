import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { LOCALE_CODES } from '../../../shared/locales'

// null forgets the choice: the browser's language decides again.
const body = z.object({ locale: z.enum(LOCALE_CODES).nullable() })

// The signed-in user's own preferences, kept across devices.
export default defineEventHandler(async (event) => {
  const current = await requireUser(event)
  const { locale } = await readBodyWith(event, body)
  await useDb().update(tables.users).set({ locale }).where(eq(tables.users.id, current.id))
  return { locale }
})
