/**
 * What an import file is, told by its content (never its name): a capture (pcap, pcapng), a dnstap
 * file (Frame Streams) or COF NDJSON, each plain or gzip.
 */
import { open } from 'node:fs/promises'
import { gunzipSync, constants as zlibConstants } from 'node:zlib'
import { detectFormat } from '../capture/formats/index.ts'
import { contentTypeError, DNSTAP_CONTENT_TYPE, sniffFrameStreams } from '../dnstap/index.ts'
import { PdnsError } from '../errors.ts'

/** Bytes read from the start of a file to tell captures, dnstap and COF apart. */
const SNIFF_BYTES = 64 * 1024

export type ImportKind = 'capture' | 'cof' | 'dnstap'

/**
 * Whether a file is a capture (pcap, pcapng, gzip of either), a dnstap file (Frame Streams: the
 * zero escape and a START control frame; gzip too) or COF NDJSON (its first non-blank character is
 * `{`; gzip too). An empty file is an empty COF export. Throws ERR_FILE_UNREADABLE,
 * ERR_UNKNOWN_FORMAT, or ERR_DNSTAP_PROTOCOL for a Frame Streams file of another content type.
 */
export async function detectImportKind(path: string): Promise<ImportKind> {
  let head: Buffer
  try {
    const fh = await open(path, 'r')
    try {
      head = Buffer.alloc(SNIFF_BYTES)
      const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0)
      head = head.subarray(0, bytesRead)
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw new PdnsError('ERR_FILE_UNREADABLE', `${path}: cannot open: ${(err as Error).message}`, {
      cause: err,
    })
  }
  let content = head
  let gz = ''
  if (detectFormat(head) === 'gzip') {
    gz = 'gzip-compressed '
    try {
      // what the first bytes inflate to; a cut-off stream is expected here
      content = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    } catch (err) {
      throw new PdnsError('ERR_UNKNOWN_FORMAT', `${path}: damaged gzip data: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
  const format = detectFormat(content)
  if (format === 'pcap' || format === 'pcapng') return 'capture'
  const fstrm = sniffFrameStreams(content)
  if (fstrm !== null) {
    if (fstrm.contentType !== DNSTAP_CONTENT_TYPE) throw contentTypeError(path, fstrm.contentType)
    return 'dnstap'
  }
  const text = content.toString('latin1', 0, Math.min(content.length, 4096))
  const first = text.replace(/^(\xef\xbb\xbf)?\s*/, '')
  if (first === '' || first.startsWith('{')) return 'cof'
  const hex = [...content.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  throw new PdnsError(
    'ERR_UNKNOWN_FORMAT',
    `${path}: ${gz}content is neither a capture (pcap, pcapng) nor COF NDJSON (first bytes: ${hex})`,
  )
}
