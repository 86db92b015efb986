// The three phases let one runner pace and interrupt any API's event stream the same way.
export interface SseFrames {
  head: string[]
  body: string[]
  tail: string[]
}

export const dataFrame = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`

export const eventFrame = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
