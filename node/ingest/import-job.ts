/**
 * One import job: files read one after the other into a window, each by the source of its kind
 * (import-sources.ts), under the origins an import gives — --origin, else the node's peer id for
 * captures and dnstap, `cof:<sensor_id>` for COF. The CLI runs it on a stopped data directory and a
 * running node runs it for the CLI (`/v1/import`), so both record the same records under the same
 * origins and report the same summary.
 */
import { messageTypeSet } from '../dnstap/index.ts'
import { isPdnsError, PdnsError } from '../errors.ts'
import { isLabel } from '../store/labels.ts'
import type { Store } from '../store/store.ts'
import { detectImportKind, type ImportKind } from './detect.ts'
import { IMPORT_SOURCES } from './import-sources.ts'
import type { FileReport } from './import-summary.ts'
import type { AggregationWindow } from './window.ts'

/** What to import and how: the CLI's files and options, as the node receives them too. */
export interface ImportRequest {
  /** the files, in order (absolute paths when a node reads them) */
  files: string[]
  /** --origin: every record's origin label, whatever the file says; null: the usual origins */
  origin: string | null
  /** DNS ports read in captures */
  ports: number[]
  /** dnstap message type names whose responses are recorded; null: the ingest's default */
  dnstapTypes: string[] | null
}

/** What a job tells as it goes (the node streams these to the CLI, which draws its progress bar). */
export type ImportEvent =
  | { event: 'file'; index: number; file: string; kind: ImportKind; unit: string }
  | { event: 'progress'; index: number; bytes: number; total: number; items: number }

export interface ImportOutcome {
  reports: FileReport[]
  /** what went wrong, one message each (unreadable or damaged files, bad lines) */
  failures: string[]
  /** the job's signal stopped it; what was read is in the window */
  interrupted: boolean
}

/**
 * Whether a label names a mesh node's origin (`<peer id>` or `<peer id>/…`) other than `self`.
 * libp2p's peer-id module is loaded only here, for an --origin: an import without one starts
 * without it (node/identity/peer-id.ts says why).
 */
async function speaksForAnotherNode(label: string, self: string): Promise<boolean> {
  const head = label.split('/')[0]!
  if (head === self) return false
  const { peerIdFromString } = await import('@libp2p/peer-id')
  try {
    peerIdFromString(head)
    return true
  } catch {
    return false
  }
}

/**
 * Checks a request's options (ERR_BAD_ARGUMENT naming the option): the node re-checks what the CLI
 * checked, as it trusts no client. `peerId`: the identity the records are written under.
 */
export async function checkImportRequest(req: ImportRequest, peerId: string | null): Promise<void> {
  if (req.files.length === 0) throw new PdnsError('ERR_BAD_ARGUMENT', 'no file given (see --help)')
  const origin = req.origin
  if (origin !== null) {
    if (!isLabel(origin)) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--origin: a label of 1 to 255 printable characters')
    }
    if (peerId !== null && (await speaksForAnotherNode(origin, peerId))) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `--origin ${origin}: that is another node's origin; only its own key may speak for it`,
      )
    }
  }
  for (const p of req.ports) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--port: '${p}' is not a port (1 to 65535)`)
    }
  }
  if (req.dnstapTypes !== null) {
    try {
      messageTypeSet(req.dnstapTypes)
    } catch (err) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--dnstap-type: ${(err as Error).message}`, { cause: err })
    }
  }
}

/**
 * The kind of every file, told by content, before anything is written: a missing or foreign file
 * changes nothing. `unusable` holds one error per file that cannot be imported.
 */
export async function detectImportKinds(
  files: readonly string[],
): Promise<{ kinds: ImportKind[]; unusable: PdnsError[] }> {
  const kinds: ImportKind[] = []
  const unusable: PdnsError[] = []
  for (const file of files) {
    try {
      kinds.push(await detectImportKind(file))
    } catch (err) {
      if (!isPdnsError(err)) throw err
      unusable.push(err)
    }
  }
  return { kinds, unusable }
}

export interface ImportJobComponents {
  store: Store
  window: AggregationWindow
}

export interface ImportJobOptions {
  /** the node's peer id: the origin of captures and dnstap without --origin */
  peerId: string
  /** stops the job at the next chunk read; what was read stays in the window */
  signal?: AbortSignal
  onEvent?: (e: ImportEvent) => void
}

/**
 * Reads `req.files` (of `kinds`, from detectImportKinds) into the window, in order. Store errors
 * (ERR_DB_*) are thrown; a file's own failure is reported and the next file is read.
 */
export async function runImportJob(
  components: ImportJobComponents,
  req: ImportRequest,
  kinds: readonly ImportKind[],
  opts: ImportJobOptions,
): Promise<ImportOutcome> {
  const out: ImportOutcome = { reports: [], failures: [], interrupted: false }
  const ports = new Set(req.ports)
  for (let index = 0; index < req.files.length && !out.interrupted; index++) {
    const file = req.files[index]!
    const kind = kinds[index]!
    const source = IMPORT_SOURCES[kind]
    opts.onEvent?.({ event: 'file', index, file, kind, unit: source.unit })
    const r = await source.read(file, {
      ...components,
      localOrigin: req.origin ?? opts.peerId,
      forcedOrigin: req.origin,
      ports,
      dnstapTypes: req.dnstapTypes,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onProgress: (bytes, total, items) => opts.onEvent?.({ event: 'progress', index, bytes, total, items }),
    })
    out.reports.push(r.report)
    out.failures.push(...r.problems)
    if (r.error?.code === 'ERR_ABORTED') out.interrupted = opts.signal?.aborted === true
    else if (r.error !== null) out.failures.push(r.error.message)
  }
  return out
}
