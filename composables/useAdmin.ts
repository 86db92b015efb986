import { computed, watch, type Ref } from 'vue'
import type { FetchError } from 'ofetch'

// Client data access for the /admin pages. The server checks the Admin role on every route;
// these only shape what the pages show.

export interface AdminUserRow {
  id: string
  name: string | null
  email: string | null
  status: 'active' | 'disabled'
  /** A B2B guest from another organisation (let in by ALLOW_GUESTS). */
  isGuest: boolean
  /** Whether Graph had a profile photo for them (served by /api/admin/users/{id}/photo). */
  hasPhoto: boolean
  firstSignInAt: string | null
  lastSignInAt: string | null
  lastActiveAt: string
  disabledAt: string | null
  chats: number
  messages: number
  tokens: number
}

export interface UsageDayRow {
  day: string
  activeUsers: number
  messages: number
  answers: number
  inputTokens: number
  outputTokens: number
  tokens: number
  failed: number
}

export interface AdminUsageReport {
  period: { days: number, from: string, to: string }
  totals: { activeUsers: number, messages: number, answers: number, tokens: number, failed: number }
  daily: UsageDayRow[]
  topUsers: Array<{ id: string, name: string | null, email: string | null, tokens: number, messages: number }>
  failures: Array<{ reason: string, count: number }>
  byModel: Array<{ model: string, label: string, answers: number, inputTokens: number, outputTokens: number, tokens: number }>
}

export interface AuditLogEntry {
  id: number
  createdAt: string
  actorId: string | null
  actorName: string | null
  actorEmail: string | null
  action: string
  targetType: string | null
  targetId: string | null
  outcome: 'success' | 'refused' | 'failure'
  reason: string | null
  ip: string | null
  userAgent: string | null
  requestId: string | null
  details: Record<string, unknown> | null
}

/** A column of the admin pages' figure tables. */
export interface AdminDataColumn { key: string, label: string, numeric?: boolean, format?: (value: unknown) => string }

export interface AuditFilterValues { user: string, action: string, from: string, to: string }

type Translate = ReturnType<typeof useI18n>['t']

/** The server's sentence (already in the reader's language), or ours when it never answered. */
function messageOf(error: unknown, t: Translate): string {
  const e = error as FetchError<{ message?: string }> | undefined
  return e?.data?.message ?? t('admin.errors.unreachable')
}

/** Whether the signed-in person holds the Admin role, as the server sees it (403 otherwise). */
export async function useAdminAccess() {
  const api = useApi()
  // Taken before the await: a composable loses Nuxt's context after it.
  const event = import.meta.server ? useRequestEvent() : undefined
  const { data, error } = await useAsyncData('admin-access', () => api<{ id: string, roles: string[] }>('/api/admin/access'))
  const status = computed(() => (error.value as FetchError | null)?.statusCode ?? (data.value ? 200 : 0))
  if (event && status.value === 403) setResponseStatus(event, 403, 'Forbidden')
  return { allowed: computed(() => status.value === 200), status }
}

export function useAdminUsers() {
  const api = useApi()
  const toast = useToast()
  const { t } = useI18n()
  // useState: the page rendered on the server hydrates with the same rows instead of refetching.
  const query = useState('admin-users-query', () => '')
  const state = useState('admin-users', () => ({ users: [] as AdminUserRow[], nextCursor: null as string | null, loading: false, error: '' }))

  async function load(more = false) {
    const s = state.value
    s.loading = true
    s.error = ''
    try {
      const page = await api<{ users: AdminUserRow[], nextCursor: string | null }>('/api/admin/users', {
        query: { q: query.value || undefined, cursor: more ? s.nextCursor ?? undefined : undefined, limit: 25 },
      })
      s.users = more ? [...s.users, ...page.users] : page.users
      s.nextCursor = page.nextCursor
    }
    catch (error) {
      s.error = messageOf(error, t)
    }
    finally {
      s.loading = false
    }
  }

  async function setDisabled(user: AdminUserRow, disabled: boolean) {
    try {
      const updated = await api<Pick<AdminUserRow, 'id' | 'status' | 'disabledAt'>>(`/api/admin/users/${user.id}/${disabled ? 'disable' : 'enable'}`, { method: 'POST' })
      const row = state.value.users.find(u => u.id === user.id)
      if (row) Object.assign(row, updated)
      const name = user.name ?? user.email ?? t('admin.users.toast.unnamed')
      toast.add({ title: t(disabled ? 'admin.users.toast.disabled' : 'admin.users.toast.enabled', { name }), color: 'success', icon: 'i-lucide-check' })
    }
    catch (error) {
      toast.add({ title: t(disabled ? 'admin.users.toast.disableFailed' : 'admin.users.toast.enableFailed'), description: messageOf(error, t), color: 'error', icon: 'i-lucide-circle-alert' })
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  watch(query, () => {
    clearTimeout(timer)
    timer = setTimeout(() => load(), 250)
  })

  return { query, state, load, more: () => load(true), setDisabled }
}

export async function useAdminUsage(days: Ref<7 | 30 | 90>) {
  const api = useApi()
  const { t } = useI18n()
  const { data, pending, error } = await useAsyncData('admin-usage', () => api<AdminUsageReport>('/api/admin/usage', { query: { days: days.value } }), { watch: [days] })
  return { report: data, pending, error: computed(() => (error.value ? messageOf(error.value, t) : '')) }
}

/**
 * The words for an audit entry's action, outcome and target type. The log and its CSV keep the
 * identifiers; one this version has no words for (an older entry) shows as it is.
 */
export function useAuditWords() {
  const { t, te } = useI18n()
  const word = (group: 'actions' | 'outcomes' | 'targets', id: string) => (te(`admin.audit.${group}.${id}`) ? t(`admin.audit.${group}.${id}`) : id)
  return {
    action: (id: string) => word('actions', id),
    outcome: (id: string) => word('outcomes', id),
    target: (id: string) => word('targets', id),
  }
}

export function useAdminAudit() {
  const api = useApi()
  const { t } = useI18n()
  const filters = useState<AuditFilterValues>('admin-audit-filters', () => ({ user: '', action: '', from: '', to: '' }))
  const state = useState('admin-audit', () => ({ entries: [] as AuditLogEntry[], actions: [] as string[], nextCursor: null as string | null, loading: false, error: '' }))
  const query = computed(() => Object.fromEntries(Object.entries(filters.value).filter(([, v]) => v)) as Record<string, string>)

  async function load(more = false) {
    const s = state.value
    s.loading = true
    s.error = ''
    try {
      const page = await api<{ entries: AuditLogEntry[], nextCursor: string | null, actions: string[] }>('/api/admin/audit', {
        query: { ...query.value, cursor: more ? s.nextCursor ?? undefined : undefined, limit: 50 },
      })
      s.entries = more ? [...s.entries, ...page.entries] : page.entries
      s.actions = page.actions
      s.nextCursor = page.nextCursor
    }
    catch (error) {
      s.error = messageOf(error, t)
    }
    finally {
      s.loading = false
    }
  }

  // A plain link: the browser downloads the stream itself, never holding it in page memory.
  const exportUrl = computed(() => `/api/admin/audit/export?${new URLSearchParams(query.value)}`)

  return { filters, state, load, more: () => load(true), exportUrl }
}

/** Thumbs up/down per day and model, and the latest comments; the type comes from the route. */
export async function useAdminFeedback(days: Ref<7 | 30 | 90>) {
  const api = useApi()
  const { t } = useI18n()
  const { data, pending, error } = await useAsyncData('admin-feedback', () => api('/api/admin/feedback', { query: { days: days.value } }), { watch: [days] })
  const exportUrl = computed(() => `/api/admin/feedback/export?days=${days.value}`)
  return { report: data, pending, error: computed(() => (error.value ? messageOf(error.value, t) : '')), exportUrl }
}
