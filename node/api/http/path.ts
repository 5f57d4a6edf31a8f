/**
 * Path values as the clients send them: dnsdbq percent-escapes every value (`*` as %2A, `:` as
 * %3A), others send `*` and `,` raw; both mean the same. The raw URL is split here, before any
 * normalisation, so `..` is just a (bad) name and never a way up a tree; each segment is decoded once.
 */

import { badQuery } from './errors.ts'
import { MAX_PATH_VALUE_BYTES } from './limits.ts'

/** The request target split into decoded path segments (after `prefix`) and its query string. */
export function splitTarget(url: string, prefix: string): { segments: string[]; query: URLSearchParams } {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
  const rest = path.slice(prefix.length)
  const segments = rest === '' ? [] : rest.split('/').map(decodeSegment)
  return { segments, query }
}

function decodeSegment(s: string): string {
  let v: string
  try {
    v = decodeURIComponent(s)
  } catch {
    throw badQuery(`bad percent-escape in the path: ${JSON.stringify(s.slice(0, 100))}`)
  }
  if (Buffer.byteLength(v) > MAX_PATH_VALUE_BYTES) {
    throw badQuery(`a path value is over ${MAX_PATH_VALUE_BYTES} bytes`)
  }
  if (hasControl(v)) throw badQuery('a path value holds a control character')
  return v
}

function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}
