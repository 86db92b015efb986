import { computed, onMounted } from 'vue'

export interface ModelOption { id: string, label: string, reasoning: boolean }
interface ModelList { default: string, models: ModelOption[] }

/**
 * The models staff can pick (GET /api/models), read once per page load after hydration: the
 * picker is a convenience, so the first render does not wait for it.
 */
export function useModels() {
  const state = useState<ModelList | null>('models', () => null)
  const loading = useState('models:loading', () => false)
  const api = useApi()
  onMounted(() => {
    if (state.value || loading.value) return
    loading.value = true
    api<ModelList>('/api/models').then((list) => {
      state.value = list
    }, () => {
      // Without the list the picker stays hidden and the server's default answers.
    }).finally(() => {
      loading.value = false
    })
  })
  return {
    models: computed(() => state.value?.models ?? []),
    defaultModel: computed(() => state.value?.default ?? null),
  }
}
