import { mkdir } from 'node:fs/promises'
import { DEFAULT_DNS_PORTS, LLMNR_PORT, MDNS_PORT } from '../../capture/index.ts'
import { isPdnsError, PdnsError } from '../../errors.ts'
import { COF_UNKNOWN_SENSOR } from '../../ingest/cof.ts'
import type {
  CaptureImportResult,
  CofImportResult,
  DnstapImportResult,
  ImportKind,
} from '../../ingest/index.ts'
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_WINDOW_MAX_BYTES,
  IMPORT_HAND_OVER_IDLE_MS,
} from '../../ingest/limits.ts'
import type { StoreWriter as Writer } from '../../ingest/store-writer.ts'
import type { AggregationWindow as Window } from '../../ingest/window.ts'
import { isLabel } from '../../store/labels.ts'
import { parseCliArgs, parsePort } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { formatRate, PROGRESS_MIN_BYTES, ProgressBar } from '../output/progress.ts'

function positiveNumber(text: string | undefined, option: string, fallback: number, zeroOk = false): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk)) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `${option}: '${text}' is not a ${zeroOk ? 'non-negative' : 'positive'} number`,
    )
  }
  return n
}

/** dnstap message types recorded without --dnstap-type (the ingest's default, repeated to keep protobufjs unloaded for --help). */
const DEFAULT_DNSTAP_TYPES = ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE']

const HELP = `Usage: pdns-mesh import [options] FILE...

Adds files to the passive DNS database of a data directory (created on first use):
  - capture files (pcap or pcapng, optionally gzip-compressed: whatever \`parse\` reads), recorded as
    this node's own observations (its origin is the node's peer id, from <data>/identity.key);
  - dnstap files (Frame Streams of protobuf:dnstap.Dnstap, as fstrm_capture, unbound or dnsdist write
    them; optionally gzip-compressed): the DNS responses of the taken message types (--dnstap-type),
    recorded like captures, as this node's own observations whatever the dnstap identity;
  - COF NDJSON (draft-dulaunoy-dnsop-passive-dns-cof) exported by another passive DNS server or by
    \`pdns-mesh export\`, optionally gzip-compressed. Each line's records go to the origin
    cof:<sensor_id> (${COF_UNKNOWN_SENSOR} without one); their counts are merged by maximum, so importing
    the same file again changes nothing.
The kind of each file is told from its content. A summary goes to stderr.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --origin LABEL        record everything under this origin (vantage) label instead
  --port N              a DNS port in captures (repeatable; default ${[...DEFAULT_DNS_PORTS].join(',')})
  --mdns                also read mDNS (port ${MDNS_PORT})
  --llmnr               also read LLMNR (port ${LLMNR_PORT})
  --dnstap-type NAME    a dnstap message type whose responses are recorded (repeatable; default
                        ${DEFAULT_DNSTAP_TYPES.join(', ')}; e.g. AUTH_RESPONSE, TOOL_RESPONSE)
  --window-mb N         memory cap of the aggregation window in MiB (default ${DEFAULT_WINDOW_MAX_BYTES / 1048576});
                        a full window is written at once
  --flush-interval S    seconds between window flushes (default ${DEFAULT_FLUSH_INTERVAL_MS / 1000}; 0: only when
                        full and at the end). A crash loses at most one interval of the newest data
  --summary-json        print the summary on stderr as one JSON object
  --quiet               no summary, no progress bar
  --no-progress         no progress bar even on a terminal
  -h, --help            this help
  -V, --version         the version

Exit status: 0 when every file was imported whole; 1 when a file was unreadable, of unknown format
(a Frame Streams file of another content type than dnstap among them), damaged (what came before the
damage is imported) or held bad COF lines (the valid lines are imported; the bad ones are counted
and the first few listed by line number), or the database could not be opened (held by a running node or another import, or written by a newer pdns-mesh); 2 on bad
usage; 128 + the signal number when interrupted (what was read is kept).
`

interface FileReport {
  file: string
  kind: ImportKind
  capture?: CaptureImportResult
  cof?: CofImportResult
  dnstap?: DnstapImportResult
}

export const importCommand: Command = {
  name: 'import',
  summary: 'add capture files, dnstap files or COF NDJSON to the database',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      origin: { type: 'string' },
      port: { type: 'string', multiple: true },
      mdns: { type: 'boolean' },
      llmnr: { type: 'boolean' },
      'dnstap-type': { type: 'string', multiple: true },
      'summary-json': { type: 'boolean' },
      quiet: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      'window-mb': { type: 'string' },
      'flush-interval': { type: 'string' },
    })
    const windowMb = positiveNumber(values['window-mb'], '--window-mb', DEFAULT_WINDOW_MAX_BYTES / 1048576)
    const flushSeconds = positiveNumber(
      values['flush-interval'],
      '--flush-interval',
      DEFAULT_FLUSH_INTERVAL_MS / 1000,
      true,
    )
    if (positionals.length === 0) throw new PdnsError('ERR_BAD_ARGUMENT', 'no file given (see --help)')
    const ports = new Set(values.port?.map((p) => parsePort(p, '--port')) ?? DEFAULT_DNS_PORTS)
    if (values.mdns) ports.add(MDNS_PORT)
    if (values.llmnr) ports.add(LLMNR_PORT)
    const forcedOrigin = values.origin ?? null
    if (forcedOrigin !== null && !isLabel(forcedOrigin)) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--origin: a label of 1 to 255 printable characters')
    }
    const dataDir = dataDirOf(values.data)
    const dnstapTypes = values['dnstap-type']
    if (dnstapTypes !== undefined) {
      const { messageTypeSet } = await import('../../dnstap/index.ts')
      try {
        messageTypeSet(dnstapTypes)
      } catch (err) {
        throw new PdnsError('ERR_BAD_ARGUMENT', `--dnstap-type: ${(err as Error).message}`, { cause: err })
      }
    }
    // loaded on demand, so commands that do not write the store start without them
    const { AggregationWindow, detectImportKind, importCapture, importCof, importDnstap } = await import(
      '../../ingest/index.ts'
    )
    const { StoreWriter } = await import('../../ingest/store-writer.ts')
    const { Store } = await import('../../store/store.ts')
    const { loadIdentity } = await import('../../identity/identity.ts')
    const { peerIdFromString } = await import('@libp2p/peer-id')
    /** Whether a label names a mesh node's origin (`<peer id>` or `<peer id>/…`) other than this node's. */
    const speaksForAnotherNode = (label: string, self: string): boolean => {
      const head = label.split('/')[0]!
      if (head === self) return false
      try {
        peerIdFromString(head)
        return true
      } catch {
        return false
      }
    }

    // Every file is looked at before the database is touched: a missing or foreign file changes nothing.
    const kinds: ImportKind[] = []
    const unusable: string[] = []
    for (const file of positionals) {
      try {
        kinds.push(await detectImportKind(file))
      } catch (err) {
        if (!isPdnsError(err)) throw err
        unusable.push(err.message)
      }
    }
    if (unusable.length > 0) {
      for (const m of unusable) process.stderr.write(`pdns-mesh import: ${m}\n`)
      process.stderr.write('pdns-mesh import: nothing was imported\n')
      return 1
    }

    try {
      await mkdir(dataDir, { recursive: true })
    } catch (err) {
      throw new PdnsError('ERR_DB_IO', `cannot create ${dataDir}: ${(err as Error).message}`, { cause: err })
    }
    const store = await Store.open(dataDir, { create: true })
    const reports: FileReport[] = []
    const failures: string[] = []
    let interrupted = false
    const started = performance.now()
    const showProgress = !values.quiet && !values['no-progress'] && process.stderr.isTTY === true
    let window: Window | null = null
    let writer: Writer | null = null
    const storing = showProgress ? new StoringLine() : null
    try {
      const identity = (await loadIdentity(dataDir, { create: true }))!
      if (forcedOrigin !== null && speaksForAnotherNode(forcedOrigin, identity.peerId)) {
        throw new PdnsError(
          'ERR_BAD_ARGUMENT',
          `--origin ${forcedOrigin}: that is another node's origin; only its own key may speak for it`,
        )
      }
      // A writer thread merges the window's batches into the store while this thread reads, and
      // seals this node's own records into its signed mesh feed as they are written (updates of
      // records already sealed once, at the end, with their final values). As in the node, timed
      // flushes bound what a crash loses; each flush's last batch is fsynced.
      writer = StoreWriter.start(store, { dataDir, seal: true })
      window = new AggregationWindow(writer, {
        flushIntervalMs: flushSeconds * 1000,
        maxBytes: windowMb * 1048576,
        sync: true,
        handOverIdleMs: IMPORT_HAND_OVER_IDLE_MS,
      })
      window.start()
      writer.onWait = storing?.update ?? null
      const localOrigin =
        forcedOrigin ?? (kinds.includes('capture') || kinds.includes('dnstap') ? identity.peerId : '')
      for (let i = 0; i < positionals.length && !interrupted; i++) {
        const file = positionals[i]!
        const kind = kinds[i]!
        let bar: ProgressBar | null = null
        const onProgress = (done: number, total: number, items: number) => {
          if (bar === null && showProgress && total >= PROGRESS_MIN_BYTES)
            bar = new ProgressBar(
              process.stderr,
              file,
              kind === 'capture' ? 'pkt' : kind === 'dnstap' ? 'frame' : 'line',
            )
          bar?.update(done, total, items)
        }
        let error: PdnsError | null
        try {
          if (kind === 'capture') {
            const capture = await importCapture(file, {
              store,
              window,
              origin: localOrigin,
              sensorOptions: { ports, clientAddresses: false },
              signal,
              onProgress,
            })
            reports.push({ file, kind, capture })
            error = capture.error
          } else if (kind === 'dnstap') {
            const dnstap = await importDnstap(file, {
              store,
              window,
              origin: localOrigin,
              ...(dnstapTypes === undefined ? {} : { messageTypes: dnstapTypes }),
              clientAddresses: false,
              signal,
              onProgress,
            })
            reports.push({ file, kind, dnstap })
            error = dnstap.error
          } else {
            const cof = await importCof(file, { store, window, origin: forcedOrigin, signal, onProgress })
            reports.push({ file, kind, cof })
            error = cof.error
            if (cof.badLines > 0) failures.push(badLinesText(cof))
          }
        } finally {
          ;(bar as ProgressBar | null)?.clear()
        }
        if (error?.code === 'ERR_ABORTED') interrupted = signal.aborted
        else if (error !== null) failures.push(error.message)
      }
      // interrupted or not, what was read is written (and sealed): stop() waits for the writer
      window.stop()
    } catch (err) {
      // a store error ends the import: still try to write what the window holds, then report the first error
      try {
        window?.stop()
      } catch {}
      throw err
    } finally {
      storing?.clear()
      await writer?.close()
      await store.close()
    }

    const seconds = (performance.now() - started) / 1000
    const summary = summarize(dataDir, reports, window.stats(), seconds, interrupted)
    if (values['summary-json']) process.stderr.write(`${JSON.stringify({ ...summary, errors: failures })}\n`)
    else if (!values.quiet) process.stderr.write(summaryText(summary))
    if (interrupted) process.stderr.write('pdns-mesh import: interrupted; what was read is imported\n')
    for (const f of failures) process.stderr.write(`pdns-mesh import: ${f}\n`)
    return failures.length === 0 ? 0 : 1
  },
}

/**
 * The progress line while this thread waits for the writer thread (its backlog full, or the input
 * read and the rest being written): records written of those handed over. Drawn once a wait has
 * lasted half a second, so a short one leaves the file's bar alone.
 */
class StoringLine {
  #bar: ProgressBar | null = null
  /** records written when the line was first drawn: the rate counts from there */
  #from = 0

  readonly update = (written: number, handed: number, waitedMs: number): void => {
    if (waitedMs < 500) return
    if (this.#bar === null) {
      this.#bar = new ProgressBar(process.stderr, 'storing', 'rec', undefined, 'count')
      this.#from = written
    }
    this.#bar.update(written, handed, written - this.#from)
  }

  clear(): void {
    this.#bar?.clear()
    this.#bar = null
  }
}

function badLinesText(r: CofImportResult): string {
  const listed = r.firstBad.map((b) => `line ${b.line}: ${b.reason}`).join('; ')
  const more = r.badLines > r.firstBad.length ? `; and ${r.badLines - r.firstBad.length} more` : ''
  return `${r.file}: ${r.badLines} bad COF line${r.badLines === 1 ? '' : 's'} not imported (${listed}${more})`
}

interface ImportSummary {
  dataDir: string
  files: number
  captures: number
  cofFiles: number
  dnstapFiles: number
  /** dnstap data frames (messages) read */
  dnstapFrames: number
  frames: number
  observations: number
  cofLines: number
  badLines: number
  /** observations and COF records handed to the store (they combine into records) */
  records: number
  inserted: number
  updated: number
  unchanged: number
  /** observations not stored, by reason (class, type, name) */
  skipped: Record<string, number>
  seconds: number
  interrupted: boolean
}

function summarize(
  dataDir: string,
  reports: readonly FileReport[],
  w: { inserted: number; updated: number; unchanged: number },
  seconds: number,
  interrupted: boolean,
): ImportSummary {
  const s: ImportSummary = {
    dataDir,
    files: reports.length,
    captures: 0,
    cofFiles: 0,
    dnstapFiles: 0,
    dnstapFrames: 0,
    frames: 0,
    observations: 0,
    cofLines: 0,
    badLines: 0,
    records: 0,
    inserted: w.inserted,
    updated: w.updated,
    unchanged: w.unchanged,
    skipped: {},
    seconds,
    interrupted,
  }
  for (const r of reports) {
    if (r.cof !== undefined) {
      s.cofFiles++
      s.cofLines += r.cof.lines
      s.badLines += r.cof.badLines
      s.records += r.cof.records
      continue
    }
    if (r.capture !== undefined) {
      s.captures++
      s.frames += r.capture.sensor.frames
      s.observations += r.capture.sensor.observations
    } else if (r.dnstap !== undefined) {
      s.dnstapFiles++
      s.dnstapFrames += r.dnstap.ingest.frames
      s.observations += r.dnstap.ingest.parser.observations
    }
    for (const [k, v] of Object.entries(r.capture?.recorder ?? r.dnstap?.recorder ?? {})) {
      if (k === 'records') s.records += v
      else {
        const reason = k.replace(/^skipped\./, '')
        s.skipped[reason] = (s.skipped[reason] ?? 0) + v
      }
    }
  }
  return s
}

function summaryText(s: ImportSummary): string {
  const skipped = Object.entries(s.skipped)
  const rates: string[] = []
  const per = Math.max(s.seconds, 1e-6)
  if (s.captures > 0) rates.push(`${formatRate(s.frames / per)} packets/s`)
  if (s.cofFiles > 0) rates.push(`${formatRate(s.cofLines / per)} COF lines/s`)
  if (s.dnstapFiles > 0) rates.push(`${formatRate(s.dnstapFrames / per)} dnstap messages/s`)
  const read: string[] = []
  if (s.captures > 0) read.push(`packets ${s.frames}, observations ${s.observations}`)
  if (s.dnstapFiles > 0) read.push(`dnstap messages ${s.dnstapFrames}`)
  if (s.cofFiles > 0) read.push(`COF lines ${s.cofLines} (bad ${s.badLines})`)
  return [
    `files ${s.files} (captures ${s.captures}, ${s.dnstapFiles > 0 ? `dnstap ${s.dnstapFiles}, ` : ''}COF ${s.cofFiles})${read.length > 0 ? `: ${read.join(', ')}` : ''}`,
    `records inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged} (${s.dataDir})`,
    `not stored: ${skipped.length === 0 ? 'none' : skipped.map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `${s.seconds.toFixed(2)} s${rates.length > 0 ? `, ${rates.join(', ')}` : ''}`,
    '',
  ].join('\n')
}
