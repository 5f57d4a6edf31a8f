/**
 * The CLI's side of `pdns-mesh import` into a running node: sends the request, hands the node's
 * progress lines to the caller and returns its summary. Aborting the signal (Ctrl-C) asks the node
 * to cancel the job, then still reads the summary of what was imported — unless the job had not
 * started yet or the node does not take the cancel, when the connection is dropped (the node then
 * stops the job itself: its client is gone).
 */

import { PdnsError } from '../errors.ts'
import type { ImportEvent, ImportRequest, ImportSummary } from '../ingest/index.ts'
import { answerError, exchange, exchangeError, readJson } from './http-client.ts'
import type { ImportLine } from './import-wire.ts'
import { CLIENT_IDLE_TIMEOUT_MS, MAX_RESPONSE_LINE_BYTES, PING_TIMEOUT_MS } from './limits.ts'

export interface RemoteImportOptions {
  signal?: AbortSignal
  onEvent?: (e: ImportEvent) => void
  /** longest the node may stay silent, ms (default CLIENT_IDLE_TIMEOUT_MS) */
  idleTimeoutMs?: number
}

export interface RemoteImportResult {
  summary: ImportSummary
  errors: string[]
  /** the node stopped during the job and cut it short */
  nodeStopped: boolean
}

async function errorBody(res: import('node:http').IncomingMessage, socketPath: string): Promise<unknown> {
  try {
    return await readJson(res, socketPath)
  } catch {
    return null
  }
}

/** Asks the node to stop job `id` (POST /v1/import/cancel); true when it did. */
async function cancel(socketPath: string, id: string): Promise<boolean> {
  const ex = await exchange(socketPath, {
    method: 'POST',
    path: '/v1/import/cancel',
    body: { id },
    idleTimeoutMs: PING_TIMEOUT_MS,
  })
  try {
    const v = (await readJson(ex.res, socketPath)) as { cancelled?: unknown } | null
    return ex.res.statusCode === 200 && v?.cancelled === true
  } finally {
    ex.release()
  }
}

export async function importThroughNode(
  socketPath: string,
  req: ImportRequest,
  opts: RemoteImportOptions = {},
): Promise<RemoteImportResult> {
  const { signal } = opts
  // the connection's own signal: aborted only when the node is not asked to cancel (see above)
  const drop = new AbortController()
  let id: string | null = null
  const onAbort = () => {
    if (id === null) {
      drop.abort(signal?.reason)
      return
    }
    cancel(socketPath, id).then(
      (ok) => {
        if (!ok) drop.abort(signal?.reason)
      },
      () => drop.abort(signal?.reason),
    )
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted) onAbort()
  let ex: Awaited<ReturnType<typeof exchange>> | null = null
  try {
    ex = await exchange(socketPath, {
      method: 'POST',
      path: '/v1/import',
      body: req,
      signal: drop.signal,
      idleTimeoutMs: opts.idleTimeoutMs ?? CLIENT_IDLE_TIMEOUT_MS,
    })
    if (ex.res.statusCode !== 200) {
      throw answerError(await errorBody(ex.res, socketPath), ex.res.statusCode ?? 0, socketPath)
    }
    const wrong = (what: string) => new PdnsError('ERR_NODE_UNREACHABLE', `node at ${socketPath}: ${what}`)
    ex.res.setEncoding('utf8')
    let pending = ''
    for await (const chunk of ex.res as AsyncIterable<string>) {
      pending += chunk
      let start = 0
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
        const text = pending.slice(start, nl)
        start = nl + 1
        let line: ImportLine | { $error: unknown }
        try {
          line = JSON.parse(text)
        } catch {
          throw wrong('a line of its import answer is not JSON')
        }
        if ('$error' in line) throw answerError(line.$error, 200, socketPath)
        if (line.event === 'start') {
          id = line.id
        } else if (line.event === 'end') {
          return { summary: line.summary, errors: line.errors, nodeStopped: line.nodeStopped }
        } else opts.onEvent?.(line)
      }
      pending = pending.slice(start)
      if (pending.length > MAX_RESPONSE_LINE_BYTES)
        throw wrong(`a line over ${MAX_RESPONSE_LINE_BYTES} bytes`)
    }
    throw wrong('its import answer was cut short (the node stopped or failed; its log says why)')
  } catch (err) {
    throw exchangeError(err, socketPath, drop.signal.aborted ? drop.signal : undefined)
  } finally {
    signal?.removeEventListener('abort', onAbort)
    ex?.release()
  }
}
