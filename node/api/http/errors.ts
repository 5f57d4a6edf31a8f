/**
 * How the HTTP API answers a failed request: the status DNSDB uses for the same failure (400 bad
 * query, 401/403 key, 404 no such endpoint, 414 URL too long, 429 rate, 500/503), and a JSON body
 * `{code, message}` with the PdnsError code (absent for internal errors, which are logged).
 */
import { isPdnsError, PdnsError } from '../../errors.ts'

const STATUS: Partial<Record<string, number>> = {
  ERR_BAD_QUERY: 400,
  ERR_BAD_ARGUMENT: 400,
  ERR_API_AUTH: 403,
  ERR_API_RATE: 429,
  ERR_MESH_OFF: 409,
  ERR_DB_MISSING: 404,
  ERR_ABORTED: 503,
  ERR_PEER_UNREACHABLE: 502,
}

export interface HttpErrorAnswer {
  status: number
  body: { code?: string; message: string }
  /** not a PdnsError: a bug, logged with its stack */
  internal: boolean
}

export function httpError(err: unknown): HttpErrorAnswer {
  if (isPdnsError(err)) {
    const status = (err as PdnsError & { status?: number }).status ?? STATUS[err.code] ?? 500
    return { status, body: { code: err.code, message: err.message }, internal: false }
  }
  return {
    status: 500,
    body: { message: 'internal error in the node (its log has the details)' },
    internal: true,
  }
}

/** A PdnsError that answers with a chosen HTTP status (401 rather than 403, 414, 404…). */
export function withStatus(err: PdnsError, status: number): PdnsError {
  return Object.assign(err, { status })
}

export function badQuery(message: string, status = 400): PdnsError {
  return withStatus(new PdnsError('ERR_BAD_QUERY', message), status)
}
