/**
 * Paging cursors: opaque to users, deterministic for us. A cursor names the position after the last
 * record returned (a key, and for right wildcards the FWD entry being walked) and carries a
 * fingerprint of the query, so a cursor cannot be replayed against a different query.
 */
import { createHash } from 'node:crypto'
import { PdnsError } from '../errors.ts'

export const CURSOR_VERSION = 1

export interface CursorState {
  /** resume strictly after this key (a record's key without its origin) */
  after: Buffer
  /** right wildcards: the FWD key being walked */
  fwd?: Buffer
}

/** A stable digest of what a query asks, ignoring its limit and cursor. */
export function fingerprint(query: object): string {
  const { limit: _l, cursor: _c, ...rest } = query as Record<string, unknown>
  const json = JSON.stringify(rest, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))
  return createHash('sha256').update(json).digest('base64url').slice(0, 11)
}

export function encodeCursor(fp: string, state: CursorState): string {
  const parts = [String(CURSOR_VERSION), fp, state.after.toString('base64url')]
  if (state.fwd !== undefined) parts.push(state.fwd.toString('base64url'))
  return parts.join('.')
}

export function decodeCursor(fp: string, text: string): CursorState {
  const parts = text.split('.')
  if (parts.length < 3 || parts.length > 4 || parts[0] !== String(CURSOR_VERSION)) {
    throw new PdnsError('ERR_BAD_QUERY', 'invalid cursor (not one this version wrote)')
  }
  if (parts[1] !== fp) throw new PdnsError('ERR_BAD_QUERY', 'the cursor belongs to a different query')
  const after = Buffer.from(parts[2]!, 'base64url')
  if (after.length === 0) throw new PdnsError('ERR_BAD_QUERY', 'invalid cursor')
  return parts.length === 4 ? { after, fwd: Buffer.from(parts[3]!, 'base64url') } : { after }
}
