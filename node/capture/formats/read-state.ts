/** Progress shared between readCapture and the format parsers, and the error they raise. */
import { PdnsError } from '../../errors.ts'

export interface ReadState {
  path: string
  compressed: boolean
  /** frames delivered so far */
  frames: number
  /** pcapng blocks skipped (name resolution, statistics, decryption secrets, custom, unknown) */
  skippedBlocks: number
}

/** Where the stream broke, in words: byte offsets are of the decompressed stream for gzip files. */
export function where(st: ReadState, offset: number): string {
  const of = st.compressed ? ' of the decompressed stream' : ''
  return `after ${st.frames} frames, at byte offset ${offset}${of}`
}

export function corrupt(st: ReadState, offset: number, what: string): PdnsError {
  return new PdnsError('ERR_CORRUPT_CAPTURE', `${st.path}: ${what} (${where(st, offset)})`)
}
