/**
 * The node's side of `pdns-mesh import` into a running node: POST /v1/import runs one import job
 * (node/daemon/import-runner.ts) and streams its progress as NDJSON lines (import-wire.ts), then the
 * summary; POST /v1/import/cancel stops it as Ctrl-C stops a local import. Refusals (another import
 * running, the node stopping, a bad option, an unusable file) are error answers before any line.
 */
import type { ServerResponse } from 'node:http'
import { PdnsError } from '../errors.ts'
import { errorAnswer } from './error-answer.ts'
import { decodeCancelRequest, decodeImportRequest, type ImportLine } from './import-wire.ts'
import { body, sendJson } from './json-io.ts'
import { IMPORT_PROGRESS_EVERY_MS, MAX_IMPORT_REQUEST_BYTES } from './limits.ts'
import type { Handler, RouteContext } from './routes.ts'
import type { ImportControl } from './types.ts'

function importsOf(ctx: RouteContext): ImportControl {
  if (ctx.imports === null) throw new PdnsError('ERR_BAD_ARGUMENT', 'this node takes no imports')
  return ctx.imports
}

/** Writes answer lines; progress lines are dropped while the client has not taken the last ones. */
function lineWriter(res: ServerResponse) {
  let lastProgress = 0
  let full = false
  res.on('drain', () => {
    full = false
  })
  return (line: ImportLine) => {
    if (res.destroyed) return
    if (line.event === 'progress') {
      const now = performance.now()
      // the bar redraws at most this often, and a newer line says all an older one would
      if (line.bytes < line.total && (full || now - lastProgress < IMPORT_PROGRESS_EVERY_MS)) return
      lastProgress = now
    }
    if (!res.write(`${JSON.stringify(line)}\n`)) full = true
  }
}

const runImport: Handler = async (ctx, req, res) => {
  const imports = importsOf(ctx)
  const b = await body(req, res, MAX_IMPORT_REQUEST_BYTES)
  if (b === undefined) return
  const request = decodeImportRequest(b.value)
  const write = lineWriter(res)
  let started = false
  try {
    const r = await imports.run(request, {
      signal: ctx.signal,
      onStart: (id) => {
        started = true
        res.writeHead(200, {
          'content-type': 'application/x-ndjson; charset=utf-8',
          'cache-control': 'no-store',
        })
        write({ event: 'start', id, files: request.files.length })
      },
      onEvent: write,
    })
    write({ event: 'end', summary: r.summary, errors: r.errors, nodeStopped: r.nodeStopped })
    res.end()
  } catch (err) {
    // before the first line: an error answer (the server writes it)
    if (!started) throw err
    const a = errorAnswer(err)
    if (a.internal) ctx.log.error({ err }, 'an import failed')
    if (!res.destroyed) res.end(`${JSON.stringify({ $error: a.body })}\n`)
  }
}

const cancelImport: Handler = async (ctx, req, res) => {
  const imports = importsOf(ctx)
  const b = await body(req, res)
  if (b === undefined) return
  sendJson(res, 200, { cancelled: imports.cancel(decodeCancelRequest(b.value)) })
}

export const importRoutes: [string, { method: 'POST'; handler: Handler }][] = [
  ['/v1/import', { method: 'POST', handler: runImport }],
  ['/v1/import/cancel', { method: 'POST', handler: cancelImport }],
]
