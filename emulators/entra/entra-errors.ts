import { randomUUID } from 'node:crypto'

// Token endpoint errors in Entra's shape: AADSTS-prefixed descriptions with the trace lines,
// `error_codes`, `timestamp`, `trace_id` and `correlation_id`.

export interface TokenErrorContext {
  grantType: unknown
  /** oidc-provider's internal reason (error_detail), never shown to clients by itself. */
  detail: string | undefined
  refreshTokenRevoked: boolean
  clientId: unknown
  tenantName: string
  correlationId: string | undefined
}

interface OAuthError {
  error: string
  error_description?: string
}

const EXPIRED_GRANT = 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'
const REVOKED_GRANT = 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.'

function invalidGrantDescription(context: TokenErrorContext): string {
  if (context.refreshTokenRevoked) return REVOKED_GRANT
  if (context.detail?.includes('already consumed')) {
    return 'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'
  }
  if (context.detail?.includes('code_verifier')) {
    return 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.'
  }
  if (context.detail === 'client mismatch') {
    return 'AADSTS70000: The provided value for the input parameter \'refresh_token\' or \'assertion\' is not valid.'
  }
  return EXPIRED_GRANT
}

function describe(body: OAuthError, context: TokenErrorContext): { error: string, description: string } {
  const original = body.error_description ?? ''
  if (original.startsWith('AADSTS')) return { error: body.error, description: original }
  switch (body.error) {
    case 'invalid_grant':
      return { error: body.error, description: invalidGrantDescription(context) }
    case 'invalid_client':
      return context.detail === 'client not found'
        ? { error: 'unauthorized_client', description: `AADSTS700016: Application with identifier '${String(context.clientId)}' was not found in the directory '${context.tenantName}'.` }
        : { error: body.error, description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${String(context.clientId)}'.` }
    case 'invalid_scope':
      return { error: body.error, description: `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. (${original})` }
    case 'invalid_target':
      return { error: 'invalid_resource', description: `AADSTS500011: ${original}` }
    case 'unsupported_grant_type':
      return { error: body.error, description: `AADSTS70003: The app requested an unsupported grant type '${String(context.grantType)}'.` }
    case 'invalid_request':
      return original.startsWith('missing required parameter')
        ? { error: body.error, description: `AADSTS900144: The request body must contain the following parameter: ${original.slice('missing required parameter '.length)}.` }
        : { error: body.error, description: `AADSTS9002313: Invalid request. Request is malformed or invalid. (${original})` }
    default:
      return { error: body.error, description: `AADSTS50000: There was an error issuing a token. (${original || body.error})` }
  }
}

export function entraTokenError(body: OAuthError, context: TokenErrorContext): Record<string, unknown> {
  const { error, description } = describe(body, context)
  const code = Number(/^AADSTS(\d+)/.exec(description)?.[1])
  const traceId = randomUUID()
  const correlationId = context.correlationId ?? randomUUID()
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
  return {
    error,
    error_description: `${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  }
}
