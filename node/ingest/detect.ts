/**
 * What an import file is, told by its content (never its name): a capture (pcap, pcapng), a dnstap
 * file (Frame Streams), COF NDJSON, Suricata EVE JSON or a passivedns log, each plain or gzip.
 */
import { open } from 'node:fs/promises'
import { gunzipSync, constants as zlibConstants } from 'node:zlib'
import { detectFormat } from '../capture/formats/index.ts'
import { contentTypeError, DNSTAP_CONTENT_TYPE, sniffFrameStreams } from '../dnstap/index.ts'
import { PdnsError } from '../errors.ts'
import { SNIFF_LINES } from './limits.ts'
import { isPassivednsLine, PASSIVEDNS_JSON_KEYS } from './passivedns-log.ts'

/** Bytes read from the start of a file to tell captures, dnstap and COF apart. */
const SNIFF_BYTES = 64 * 1024

export type ImportKind = 'capture' | 'cof' | 'dnstap' | 'eve' | 'passivedns'

/**
 * Whether a file is a capture (pcap, pcapng, gzip of either), a dnstap file (Frame Streams: the
 * zero escape and a START control frame; gzip too), or one of the line formats (COF NDJSON, Suricata
 * EVE JSON, a passivedns log; gzip too), told by its first lines (textKind). An empty file is an
 * empty COF export. Throws ERR_FILE_UNREADABLE, ERR_UNKNOWN_FORMAT (a file of none of these, or one
 * whose first lines mix formats), or ERR_DNSTAP_PROTOCOL for a Frame Streams file of another content
 * type.
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
  const text = content.toString('utf8').replace(/^\ufeff/, '')
  const kind = textKind(path, text, head.length < SNIFF_BYTES)
  if (kind !== null) return kind
  const hex = [...content.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  throw new PdnsError(
    'ERR_UNKNOWN_FORMAT',
    `${path}: ${gz}content is neither a capture (pcap, pcapng), dnstap, COF NDJSON, Suricata EVE JSON nor a passivedns log (first bytes: ${hex})`,
  )
}

/**
 * The line format of a text start: each of its first lines is told apart by content — a JSON object
 * with `event_type` is EVE, one with passivedns's `query` and `answer` is passivedns, one with
 * `rrname` (or any other JSON) is COF, a `seconds.usec||…` line is passivedns's default line. Lines
 * that tell nothing (blank, `#` comments, unparsable JSON) do not count; an empty start is an empty
 * COF export. null when it is none of these; throws ERR_UNKNOWN_FORMAT when lines disagree.
 */
function textKind(path: string, text: string, whole: boolean): ImportKind | null {
  const lines = text.split('\n', SNIFF_LINES + 1)
  // the last line may be cut by the sniff: judged only when the whole file was read
  if (!whole && lines.length > 1) lines.pop()
  const seen = new Map<ImportKind, number>()
  let json = false
  let other = false
  for (let i = 0; i < lines.length && i < SNIFF_LINES; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const kind = lineKind(line)
    if (kind === 'json') json = true
    else if (kind === null) other = true
    else if (!seen.has(kind)) seen.set(kind, i + 1)
  }
  if (seen.size > 1) {
    const at = [...seen].map(([k, n]) => `${KIND_NAMES[k]} (line ${n})`).join(', ')
    throw new PdnsError(
      'ERR_UNKNOWN_FORMAT',
      `${path}: lines of several formats: ${at}; import them as separate files`,
    )
  }
  const [only] = seen.keys()
  if (only !== undefined) return only
  // nothing recognisable: JSON-looking text is COF, whose import reports each bad line
  if (json || (!other && text.trim() === '')) return 'cof'
  return null
}

const KIND_NAMES: Record<ImportKind, string> = {
  capture: 'capture',
  dnstap: 'dnstap',
  cof: 'COF',
  eve: 'Suricata EVE',
  passivedns: 'passivedns',
}

/** What one line is: a format, 'json' (JSON that tells nothing), or null (not any of them). */
function lineKind(line: string): ImportKind | 'json' | null {
  if (!line.startsWith('{')) return isPassivednsLine(line) ? 'passivedns' : null
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch {
    // a line longer than the sniff: EVE puts event_type among its first keys
    return /^\{"timestamp":"[^"]*",(?:"[a-z_]+":[^,]*,){0,6}"event_type":"/.test(line) ? 'eve' : 'json'
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'json'
  if ('event_type' in o) return 'eve'
  if ('rrname' in o) return 'cof'
  if (PASSIVEDNS_JSON_KEYS.every((k) => k in o)) return 'passivedns'
  return 'json'
}
