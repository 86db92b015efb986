import { readyDocumentsPerLibrary } from '../../documents/queries'

/**
 * The libraries a user can search and share into: their own ("me") and each of their Entra
 * groups', named from Graph where it answers (else by the start of the group's id), with how many
 * ready documents each holds. Named groups first, then by name.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const [counts, names] = await Promise.all([
    readyDocumentsPerLibrary({ userId: user.id, groupIds: user.groups }),
    groupNames(event, user),
  ])
  const groups = user.groups
    .map(id => ({ id, name: names.get(id) ?? `Group ${id.slice(0, 8)}`, documents: counts.get(id) ?? 0 }))
    .sort((a, b) => Number(names.has(b.id)) - Number(names.has(a.id)) || a.name.localeCompare(b.name))
  return { libraries: [{ id: 'me', name: 'My documents', documents: counts.get('me') ?? 0 }, ...groups] }
})
