// oidc-provider ships no types; this declares only the surface the emulator touches.
declare module 'oidc-provider' {
  import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'

  export interface Cookies {
    get(name: string, options?: Record<string, unknown>): string | undefined
    set(name: string, value: string | null, options?: Record<string, unknown>): void
  }

  export interface Client {
    clientId: string
    redirectUris: string[]
    postLogoutRedirectUris: string[]
    grantTypeAllowed(grantType: string): boolean
  }

  export interface Session {
    accountId?: string
    state?: Record<string, unknown>
    grantIdFor(clientId: string): string | undefined
    destroy(): Promise<void>
  }

  export interface Grant {
    jti: string
    accountId: string
    clientId: string
    addOIDCScope(scope: string): void
    addResourceScope(resource: string, scope: string): void
    save(): Promise<string>
  }

  export interface GrantConstructor {
    new (properties: { accountId: string, clientId: string }): Grant
    find(id: string): Promise<Grant | undefined>
  }

  export interface ResourceServer {
    scopes: Set<string>
  }

  /** What the JWT access token customizer and ttl functions receive. */
  export interface IssuedToken {
    jti: string
    accountId?: string
    clientId: string
    scope?: string
  }

  export interface OIDCContext {
    route: string
    provider: Provider
    client?: Client
    session: Session
    body?: Record<string, unknown>
    params?: Record<string, unknown>
    result?: { consent?: { grantId?: string } }
    cookies: Cookies
    resourceServers: Record<string, ResourceServer>
    requestParamOIDCScopes: Set<string>
    requestParamScopes: Set<string>
    account?: { accountId: string }
    urlFor(name: string, options?: Record<string, string>): string
  }

  export interface KoaContext {
    method: string
    path: string
    querystring: string
    query: Record<string, string | string[] | undefined>
    headers: IncomingHttpHeaders
    status: number
    body: unknown
    type: string
    state: Record<string, unknown>
    /** Present only on requests that matched one of the provider's routes. */
    oidc?: OIDCContext
    get(field: string): string
    set(field: string, value: string): void
    redirect(url: string): void
  }

  export type OidcKoaContext = KoaContext & { oidc: OIDCContext }
  export type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>

  export interface InteractionDetails {
    uid: string
    prompt: { name: string, reasons: string[], details: Record<string, unknown> }
    params: Record<string, unknown>
    grantId?: string
    session?: { accountId?: string, uid?: string }
  }

  export interface InteractionResults {
    login?: { accountId: string, remember?: boolean }
    consent?: { grantId: string }
    [prompt: string]: unknown
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    issuer: string
    Grant: GrantConstructor
    Client: { find(id: string): Promise<Client | undefined> }
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    use(middleware: Middleware): this
    registerGrantType(name: string, handler: (ctx: OidcKoaContext) => Promise<void>, params?: string[]): void
    on(event: string, listener: (ctx: KoaContext, error: Error & { error_detail?: string }) => void): this
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>
  }

  export const errors: {
    CustomOIDCProviderError: new (error: string, description?: string) => Error
    InvalidTarget: new (description?: string) => Error
  }

  export interface Check {
    description: string
  }

  export interface Prompt {
    checks: Check[] & { get(reason: string): Check | undefined }
  }

  export type Policy = Prompt[] & {
    get(name: string): Prompt | undefined
    add(prompt: Prompt, index?: number): void
  }

  export const interactionPolicy: {
    base(): Policy
    Prompt: new (options: { name: string, requestable: boolean }) => Prompt
  }
}
