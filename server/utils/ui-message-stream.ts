import type { UIMessageChunk } from 'ai'
import type { H3Event } from 'h3'

/**
 * The browser's end of an answer, an adapter in place of the SDK's createUIMessageStream() and
 * createUIMessageStreamResponse(): UI-message chunks written as Server-Sent Events straight to the
 * socket, without web-stream layers. The figures that pay for it are `npm run bench`'s memory per
 * open stream (1,000 streams, against the peer's SDK writer) and server CPU per answer;
 * tests/unit/ui-message-stream.test.ts pins its output to the SDK's own writer and reader. Text
 * that arrives within one tick goes out as one event. After the browser has gone, writes are dropped.
 */
export function openUiMessageStream(event: H3Event) {
  const res = event.node.res
  let open = false
  let gone = false
  let pending: { id: string, delta: string } | null = null
  res.once('close', () => {
    gone = true
  })
  const write = (chunk: UIMessageChunk | '[DONE]') => {
    if (gone || res.writableEnded) return
    if (!open) {
      open = true
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        'Connection': 'keep-alive',
        'X-Accel-Buffering': 'no',
        'X-Vercel-AI-UI-Message-Stream': 'v1',
      })
    }
    res.write(`data: ${chunk === '[DONE]' ? chunk : JSON.stringify(chunk)}\n\n`)
  }
  const flush = () => {
    if (!pending) return
    write({ type: 'text-delta', id: pending.id, delta: pending.delta })
    pending = null
  }
  return {
    emit(chunk: UIMessageChunk) {
      if (chunk.type === 'text-delta') {
        if (pending) {
          pending.delta += chunk.delta
          return
        }
        pending = { id: chunk.id, delta: chunk.delta }
        setImmediate(flush)
        return
      }
      flush()
      write(chunk)
    },
    close() {
      flush()
      // Nothing sent yet means the model failed before its first token: the handler answers
      // with the error's own status instead.
      if (!open) return
      write('[DONE]')
      if (!res.writableEnded) res.end()
    },
  }
}
