/**
 * Authentication, before any route reads anything: `X-API-Key: KEY` (DNSDB, the native endpoints),
 * HTTP basic auth with the key's name and the key (CIRCL clients: dnsdbq -u circl, PyPDNS), or
 * `Authorization: Bearer KEY` or `Authorization: KEY` (PyPDNS's auth_token). No
 * credentials: 401 (with a basic-auth challenge); a wrong or revoked key: 403. A client address that
 * fails too often is answered 429 without its key being looked at; a key over its rate, 429 with
 * Retry-After.
 */
import type { FastifyRequest } from 'fastify'
import { PdnsError } from '../../errors.ts'
import { withStatus } from './errors.ts'
import type { ApiKeyEntry, ApiKeys } from './keys.ts'
import { MAX_AUTH_FAILURES_PER_MIN } from './limits.ts'
import type { Limiter } from './rate-limit.ts'

export const BASIC_REALM = 'Basic realm="pdns-mesh", charset="UTF-8"'

/** A PdnsError that carries response headers (Retry-After, WWW-Authenticate). */
export function failWith(
  code: 'ERR_API_AUTH' | 'ERR_API_RATE',
  message: string,
  status: number,
  headers: Record<string, string>,
): PdnsError {
  return Object.assign(withStatus(new PdnsError(code, message), status), { headers })
}

function credentials(req: FastifyRequest): { key: string; name?: string } | null {
  const h = req.headers['x-api-key']
  if (typeof h === 'string' && h !== '') return { key: h.trim() }
  const auth = req.headers.authorization
  if (typeof auth === 'string') {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth)
    if (m !== null) {
      const text = Buffer.from(m[1]!, 'base64').toString('utf8')
      const colon = text.indexOf(':')
      if (colon > 0) return { name: text.slice(0, colon), key: text.slice(colon + 1) }
    }
    // DNSDB-style clients that put the key in a bearer header
    const b = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (b !== null) return { key: b[1]! }
    // PyPDNS's auth_token: the header's whole value is the key, with no scheme
    const bare = /^\s*([A-Za-z0-9_~+/=.-]+)\s*$/.exec(auth)
    if (bare !== null && !/^(basic|bearer|digest|negotiate)$/i.test(bare[1]!)) return { key: bare[1]! }
  }
  return null
}

export async function authenticate(
  req: FastifyRequest,
  keys: ApiKeys,
  failures: Limiter,
  rates: Limiter,
  rateOf: (k: ApiKeyEntry) => number,
): Promise<ApiKeyEntry> {
  const address = req.ip
  const wait = failures.peek(`addr:${address}`, MAX_AUTH_FAILURES_PER_MIN)
  if (wait > 0) {
    throw failWith('ERR_API_RATE', 'too many failed authentications from this address', 429, {
      'retry-after': String(wait),
    })
  }
  await keys.refresh()
  const cred = credentials(req)
  if (cred === null) {
    failures.take(`addr:${address}`, MAX_AUTH_FAILURES_PER_MIN)
    throw failWith(
      'ERR_API_AUTH',
      'an API key is needed: X-API-Key header, or basic auth with the key name and key',
      401,
      { 'www-authenticate': BASIC_REALM },
    )
  }
  const entry = cred.name === undefined ? keys.byKey(cred.key) : keys.byNameAndKey(cred.name, cred.key)
  if (entry === null) {
    failures.take(`addr:${address}`, MAX_AUTH_FAILURES_PER_MIN)
    throw failWith('ERR_API_AUTH', 'the API key is wrong or revoked', 403, {})
  }
  const retry = rates.take(`key:${entry.name}`, rateOf(entry))
  if (retry > 0) {
    throw failWith(
      'ERR_API_RATE',
      `key ${entry.name} is over its rate of ${rateOf(entry)} requests a minute`,
      429,
      {
        'retry-after': String(retry),
      },
    )
  }
  return entry
}
