// In-memory storage for one tenant's oidc-provider models. Unlike the provider's bundled
// memory adapter (an LRU that can evict live grants) this one never forgets before expiry
// and can be searched, which the account revoke/disable controls need.

type Payload = Record<string, unknown>

interface Entry {
  payload: Payload
  expiresAt: number
}

const SWEEP_EVERY_WRITES = 500

export class TokenStore {
  #entries = new Map<string, Entry>()
  #writes = 0

  adapterFor = (model: string): StoreAdapter => new StoreAdapter(this, model)

  get(model: string, id: string): Payload | undefined {
    const entry = this.#entries.get(`${model}:${id}`)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(`${model}:${id}`)
      return undefined
    }
    return entry.payload
  }

  set(model: string, id: string, payload: Payload, expiresInSeconds?: number): void {
    const expiresAt = expiresInSeconds === undefined ? Infinity : Date.now() + expiresInSeconds * 1000
    this.#entries.set(`${model}:${id}`, { payload: structuredClone(payload), expiresAt })
    if (++this.#writes % SWEEP_EVERY_WRITES === 0) this.#sweep()
  }

  /** Changes stored fields in place, keeping the entry's expiry. */
  patch(model: string, id: string, changes: Payload): void {
    const payload = this.get(model, id)
    if (payload) Object.assign(payload, changes)
  }

  delete(model: string, id: string): void {
    this.#entries.delete(`${model}:${id}`)
  }

  /** Live entries of one model, as [id, payload]. */
  * list(model: string): Generator<[string, Payload]> {
    const prefix = `${model}:`
    const now = Date.now()
    for (const [key, entry] of this.#entries) {
      if (key.startsWith(prefix) && entry.expiresAt > now) yield [key.slice(prefix.length), entry.payload]
    }
  }

  /** Deletes every token bound to the grant, returning the ids of its refresh tokens. */
  revokeGrant(grantId: string): string[] {
    const refreshTokenIds: string[] = []
    for (const [key, entry] of this.#entries) {
      if (entry.payload.grantId !== grantId) continue
      if (key.startsWith('RefreshToken:')) refreshTokenIds.push(key.slice('RefreshToken:'.length))
      this.#entries.delete(key)
    }
    this.delete('Grant', grantId)
    return refreshTokenIds
  }

  #sweep(): void {
    const now = Date.now()
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key)
    }
  }
}

/** The adapter interface oidc-provider expects, one instance per model name. */
export class StoreAdapter {
  #store: TokenStore
  #model: string

  constructor(store: TokenStore, model: string) {
    this.#store = store
    this.#model = model
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    this.#store.set(this.#model, id, payload, expiresIn)
  }

  async find(id: string): Promise<Payload | undefined> {
    const payload = this.#store.get(this.#model, id)
    return payload && structuredClone(payload)
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    for (const [, payload] of this.#store.list(this.#model)) {
      if (payload.uid === uid) return structuredClone(payload)
    }
    return undefined
  }

  async findByUserCode(): Promise<undefined> {
    return undefined
  }

  async consume(id: string): Promise<void> {
    const payload = this.#store.get(this.#model, id)
    if (payload) payload.consumed = Math.floor(Date.now() / 1000)
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#model, id)
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#store.revokeGrant(grantId)
  }
}
