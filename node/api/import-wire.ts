/**
 * `POST /v1/import` on the wire. The request is the CLI's ImportRequest as JSON (absolute paths: the
 * node's working directory is not the CLI's); the answer is NDJSON: a `start` line naming the job,
 * `file` and `progress` lines as the node reads, and one closing line — `end` with the summary, or
 * `{"$error": {code, message}}` when the job failed. `POST /v1/import/cancel {id}` stops a job the way
 * Ctrl-C stops a local import; its client still reads the `end` line.
 */
import { isAbsolute } from 'node:path'
import { PdnsError } from '../errors.ts'
import type { ImportEvent, ImportRequest, ImportSummary } from '../ingest/index.ts'

export type ImportLine =
  | { event: 'start'; id: string; files: number }
  | ImportEvent
  | { event: 'end'; summary: ImportSummary; errors: string[]; nodeStopped: boolean }

function bad(message: string): PdnsError {
  return new PdnsError('ERR_BAD_ARGUMENT', message)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const FIELDS = new Set(['files', 'origin', 'ports', 'dnstapTypes'])

/** The node's check of a request body: shapes only (import-job.ts checks the values). */
export function decodeImportRequest(body: unknown): ImportRequest {
  if (!isObject(body)) throw bad('import: expected an object')
  for (const k of Object.keys(body))
    if (!FIELDS.has(k)) throw bad(`import: unknown field ${JSON.stringify(k)}`)
  const { files, origin, ports, dnstapTypes } = body
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && f.length > 0)) {
    throw bad('import: files must be a list of paths')
  }
  for (const f of files as string[]) {
    if (!isAbsolute(f)) throw bad(`import: ${f}: the node needs absolute paths`)
  }
  if (origin !== null && typeof origin !== 'string') throw bad('import: origin must be a label or null')
  if (!Array.isArray(ports) || !ports.every((p) => typeof p === 'number')) {
    throw bad('import: ports must be a list of numbers')
  }
  if (
    dnstapTypes !== null &&
    !(Array.isArray(dnstapTypes) && dnstapTypes.every((t) => typeof t === 'string'))
  ) {
    throw bad('import: dnstapTypes must be a list of names or null')
  }
  return {
    files: files as string[],
    origin: origin as string | null,
    ports: ports as number[],
    dnstapTypes: dnstapTypes as string[] | null,
  }
}

export function decodeCancelRequest(body: unknown): string {
  if (!isObject(body) || typeof body.id !== 'string') throw bad('import cancel: expected { id }')
  return body.id
}
