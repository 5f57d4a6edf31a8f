/** JSON in and out of the control channel: one answer, one bounded request body. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MAX_REQUEST_BODY_BYTES } from './limits.ts'
import { readJsonBody } from './request-body.ts'

export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  })
  res.end(text)
}

/** Reads the JSON body; on a body over `maxBytes` answers 413 itself and returns undefined. */
export async function body(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes = MAX_REQUEST_BODY_BYTES,
): Promise<{ value: unknown } | undefined> {
  const b = await readJsonBody(req, maxBytes)
  if ('value' in b) return b
  sendJson(res, 413, { code: 'ERR_BAD_QUERY', message: `the request body is over ${maxBytes} bytes` }, true)
  return undefined
}
