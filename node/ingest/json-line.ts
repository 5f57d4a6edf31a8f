/** One JSON object a line: how COF, EVE and passivedns JSON lines are read. */
import { PdnsError } from '../errors.ts'

/** The object of a JSON line, or ERR_BAD_RECORD saying why it is none. */
export function jsonObject(line: string): Record<string, unknown> | PdnsError {
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch (err) {
    return new PdnsError('ERR_BAD_RECORD', `not JSON (${(err as Error).message})`)
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return new PdnsError('ERR_BAD_RECORD', 'not a JSON object')
  }
  return o as Record<string, unknown>
}
