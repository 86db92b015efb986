import { filteredResults } from './content-filter.ts'

export interface AzureErrorResponse {
  status: number
  body: {
    error: { code: string, message: string, param: string | null, type: string | null, innererror?: unknown }
  }
  headers?: Record<string, string>
}

function azureError(
  status: number,
  code: string,
  message: string,
  extra: { param?: string, type?: string, innererror?: unknown, headers?: Record<string, string> } = {},
): AzureErrorResponse {
  const error: AzureErrorResponse['body']['error'] = {
    code,
    message,
    param: extra.param ?? null,
    type: extra.type ?? null,
  }
  if (extra.innererror !== undefined) error.innererror = extra.innererror
  return { status, body: { error }, headers: extra.headers }
}

// Messages are Azure's own wording so that log lines and user-facing mappings written against
// the emulator match what production returns.
export const unauthorized = () =>
  azureError(
    401,
    '401',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  )

export const resourceNotFound = () => azureError(404, '404', 'Resource not found')

export const deploymentNotFound = () =>
  azureError(
    404,
    'DeploymentNotFound',
    'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
  )

export const badRequest = (message: string, param?: string) =>
  azureError(400, 'BadRequest', message, { param, type: 'invalid_request_error' })

export const contentFilterPrompt = () =>
  azureError(
    400,
    'content_filter',
    'The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766',
    {
      param: 'prompt',
      innererror: {
        code: 'ResponsibleAIPolicyViolation',
        content_filter_result: {
          ...filteredResults('hate', 'high'),
          jailbreak: { filtered: false, detected: false },
        },
      },
    },
  )

export const rateLimited = (operation: string, apiVersion: string) =>
  azureError(
    429,
    '429',
    `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 2 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    {
      headers: {
        'retry-after-ms': '1200',
        'retry-after': '2',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-remaining-tokens': '0',
      },
    },
  )

// What Azure answers when a reasoning model (o-series, gpt-5) is sent a sampling parameter.
export const unsupportedParameter = (param: string) =>
  azureError(400, 'unsupported_parameter', `Unsupported parameter: '${param}' is not supported with this model.`, { param, type: 'invalid_request_error' })

export const internalError = () =>
  azureError(
    500,
    'InternalServerError',
    'The server had an error while processing your request. Sorry about that!',
    { type: 'server_error' },
  )
