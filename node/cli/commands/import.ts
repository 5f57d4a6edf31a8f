import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { RemoteBackend } from '../../api/client.ts'
import { probeControlSocket } from '../../api/probe.ts'
import { controlSocketPath } from '../../api/socket-path.ts'
import { DEFAULT_DNS_PORTS, LLMNR_PORT, MDNS_PORT } from '../../capture/index.ts'
import { isPdnsError, PdnsError } from '../../errors.ts'
import { COF_UNKNOWN_SENSOR } from '../../ingest/cof.ts'
import type { ImportEvent, ImportOutcome, ImportRequest, ImportSummary } from '../../ingest/index.ts'
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_WINDOW_MAX_BYTES,
  IMPORT_HAND_OVER_IDLE_MS,
} from '../../ingest/limits.ts'
import type { AggregationWindow as Window } from '../../ingest/window.ts'
import type { Store } from '../../store/store.ts'
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
    the same file again changes nothing;
  - Suricata EVE JSON (its dns answer events, every form Suricata has logged) and gamelinux/passivedns
    logs (default || lines or JSON, its NXDOMAIN log too), optionally gzip-compressed, under the
    origins suricata:<host> and passivedns:<hostname> (…:unknown without one). Their counts add up:
    importing the same log twice counts its sightings twice. Answers the tool logged only in part
    (EVE: MX; passivedns: MX, SRV, SOA, RP, NSEC3) are counted, not stored.
The kind of each file is told from its content. A summary goes to stderr.

While a node runs on the data directory, it does the import: the node reads the files itself (they
must be readable by the user it runs as), records them under the same origins, seals its own into
its mesh feed as it writes them, and keeps capturing meanwhile; progress and summary are the same.
It runs one import at a time. Ctrl-C stops the import (what was read is imported) and leaves the
node running. --window-mb and --flush-interval are refused then: the node's store.window_mb and
store.flush_interval apply.

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
                        full and at the end, records seen once not handed to the writer early either).
                        A crash loses at most one interval of the newest data
  --summary-json        print the summary on stderr as one JSON object
  --quiet               no summary, no progress bar
  --no-progress         no progress bar even on a terminal
  -h, --help            this help
  -V, --version         the version

Exit status: 0 when every file was imported whole; 1 when a file was unreadable, of unknown format
(a Frame Streams file of another content type than dnstap among them), damaged (what came before the
damage is imported) or held bad COF, EVE or passivedns lines (the valid lines are imported; the bad ones are counted
and the first few listed by line number), or the database could not be opened (held by another
import, or written by a newer pdns-mesh), or the running node refused (already importing:
ERR_IMPORT_BUSY; stopping: ERR_NODE_STOPPING) or stopped during the import; 2 on bad usage;
128 + the signal number when interrupted (what was read is kept).
`

export const importCommand: Command = {
  name: 'import',
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
    const req: ImportRequest = {
      files: positionals,
      origin: values.origin ?? null,
      ports: [...ports],
      dnstapTypes: values['dnstap-type'] ?? null,
    }
    // loaded on demand, so commands that do not write the store start without them
    const { checkImportRequest } = await import('../../ingest/import-job.ts')
    await checkImportRequest(req, null)
    const dataDir = dataDirOf(values.data)
    const output: Output = {
      showProgress: !values.quiet && !values['no-progress'] && process.stderr.isTTY === true,
      json: values['summary-json'] === true,
      quiet: values.quiet === true,
    }
    const socketPath = controlSocketPath(dataDir)
    if ((await probeControlSocket(socketPath, { signal })) === 'alive') {
      for (const option of ['window-mb', 'flush-interval'] as const) {
        if (values[option] !== undefined) {
          throw new PdnsError(
            'ERR_BAD_ARGUMENT',
            `--${option}: a node runs on ${dataDir} and imports with its own store.${option === 'window-mb' ? 'window_mb' : 'flush_interval'}; leave --${option} out`,
          )
        }
      }
      return await importIntoNode(socketPath, req, output, signal)
    }
    return await importHere(dataDir, req, { windowMb, flushSeconds }, output, signal)
  },
}

interface Output {
  showProgress: boolean
  json: boolean
  quiet: boolean
}

/** Progress bars from a job's events, one per file large enough to be worth one. */
function progressView(show: boolean, labels: readonly string[]) {
  let bar: ProgressBar | null = null
  let unit = ''
  let label = ''
  return {
    onEvent(e: ImportEvent): void {
      if (e.event === 'file') {
        bar?.clear()
        bar = null
        unit = e.unit
        label = labels[e.index] ?? e.file
        return
      }
      if (bar === null && show && e.total >= PROGRESS_MIN_BYTES)
        bar = new ProgressBar(process.stderr, label, unit)
      bar?.update(e.bytes, e.total, e.items)
    },
    clear(): void {
      bar?.clear()
      bar = null
    },
  }
}

/** Prints the summary and the problems; the exit status. */
function report(
  summary: ImportSummary,
  failures: readonly string[],
  output: Output,
  note: string | null,
): number {
  if (output.json) process.stderr.write(`${JSON.stringify({ ...summary, errors: failures })}\n`)
  else if (!output.quiet) process.stderr.write(summaryText(summary))
  if (note !== null) process.stderr.write(`pdns-mesh import: ${note}\n`)
  for (const f of failures) process.stderr.write(`pdns-mesh import: ${f}\n`)
  return failures.length === 0 ? 0 : 1
}

/** Files that cannot be imported: each named, nothing imported. */
function unusableFiles(messages: readonly string[]): number {
  for (const m of messages) process.stderr.write(`pdns-mesh import: ${m}\n`)
  process.stderr.write('pdns-mesh import: nothing was imported\n')
  return 1
}

const FILE_REFUSALS = new Set(['ERR_FILE_UNREADABLE', 'ERR_UNKNOWN_FORMAT', 'ERR_DNSTAP_PROTOCOL'])

/** The running node imports (POST /v1/import); this process shows its progress and summary. */
async function importIntoNode(
  socketPath: string,
  req: ImportRequest,
  output: Output,
  signal: AbortSignal,
): Promise<number> {
  await new RemoteBackend(socketPath).ping({ signal })
  const { importThroughNode } = await import('../../api/import-client.ts')
  // the node's working directory is not this one
  const absolute = { ...req, files: req.files.map((f) => resolve(f)) }
  const view = progressView(output.showProgress, req.files)
  let r: Awaited<ReturnType<typeof importThroughNode>>
  try {
    r = await importThroughNode(socketPath, absolute, { signal, onEvent: view.onEvent })
  } catch (err) {
    if (!isPdnsError(err)) throw err
    // the node refused the files before reading any: as a local import says it
    if (FILE_REFUSALS.has(err.code)) return unusableFiles(err.message.split('\n'))
    if (err.code === 'ERR_ABORTED') {
      process.stderr.write(
        'pdns-mesh import: interrupted before the node reported the import; the node runs on\n',
      )
      return 1
    }
    throw err
  } finally {
    view.clear()
  }
  const note =
    r.summary.interrupted && !r.nodeStopped
      ? 'interrupted; what was read is imported (the node runs on)'
      : null
  return report(r.summary, r.errors, output, note)
}

/** No node runs on the data directory: this process opens the database and imports. */
async function importHere(
  dataDir: string,
  req: ImportRequest,
  window: { windowMb: number; flushSeconds: number },
  output: Output,
  signal: AbortSignal,
): Promise<number> {
  const { StoreWriter } = await import('../../ingest/store-writer.ts')
  // The writer thread starts first: it loads its modules (the store's, the feed's, the signing
  // key's) while this thread loads its own, reads the identity, detects the files and opens the
  // store, and gets the open database when that is done (attach). A small import used to wait
  // 0.4-0.5 s for a writer started only then.
  const writer = StoreWriter.prepare({ seal: true })
  let store: Store | null = null
  let w: Window | null = null
  const storing = output.showProgress ? new StoringLine() : null
  let outcome: ImportOutcome
  let finish: () => number
  try {
    const { AggregationWindow, checkImportRequest, detectImportKinds, runImportJob, summarizeImport } =
      await import('../../ingest/index.ts')
    const stores = await import('../../store/store.ts')
    const { readPeerId } = await import('../../identity/peer-id.ts')

    // Every file is looked at before the database is touched: a missing or foreign file changes nothing.
    const { kinds, unusable } = await detectImportKinds(req.files)
    if (unusable.length > 0) return unusableFiles(unusable.map((e) => e.message))

    try {
      await mkdir(dataDir, { recursive: true })
    } catch (err) {
      throw new PdnsError('ERR_DB_IO', `cannot create ${dataDir}: ${(err as Error).message}`, { cause: err })
    }
    // an --origin naming another node is refused before the store is touched
    const peerId = (await readPeerId(dataDir, { create: true }))!
    await checkImportRequest(req, peerId)
    store = await stores.Store.open(dataDir, { create: true })
    if (!store.nativeAddon && !output.quiet) {
      // as the node says at start: the import still works, at about two thirds of the speed
      const { nativeAddonUnavailable } = await import('../../store/native/index.ts')
      process.stderr.write(
        `pdns-mesh import: the store's native addon is not in use (${nativeAddonUnavailable() ?? 'the binding handle did not check out'}): it writes key by key (slower, the same records)\n`,
      )
    }
    const started = performance.now()
    const view = progressView(output.showProgress, req.files)
    try {
      // The writer thread merges the window's batches into the store while this thread reads, and
      // seals this node's own records into its signed mesh feed as they are written (updates of
      // records already sealed once, at the end, with their final values). As in the node, timed
      // flushes bound what a crash loses; each flush's last batch is fsynced.
      writer.attach(store, dataDir)
      w = new AggregationWindow(writer, {
        flushIntervalMs: window.flushSeconds * 1000,
        maxBytes: window.windowMb * 1048576,
        sync: true,
        // --flush-interval 0 writes only when the window is full: no early hand-over either
        handOverIdleMs: window.flushSeconds > 0 ? IMPORT_HAND_OVER_IDLE_MS : 0,
      })
      w.start()
      writer.onWait = storing?.update ?? null
      try {
        outcome = await runImportJob({ store, window: w }, req, kinds, {
          peerId,
          signal,
          onEvent: view.onEvent,
        })
      } finally {
        view.clear()
      }
      // interrupted or not, what was read is written (and sealed): stop() waits for the writer
      w.stop()
    } catch (err) {
      // a store error ends the import: still try to write what the window holds, then report the first error
      try {
        w?.stop()
      } catch {}
      throw err
    }
    finish = () => {
      // after the store is closed, as the summary's time includes closing it
      const seconds = (performance.now() - started) / 1000
      const summary = summarizeImport(dataDir, outcome.reports, w!.stats(), seconds, outcome.interrupted)
      return report(
        summary,
        outcome.failures,
        output,
        outcome.interrupted ? 'interrupted; what was read is imported' : null,
      )
    }
  } finally {
    storing?.clear()
    // the thread first: it may still hold the database open
    await writer.close()
    await store?.close()
  }
  return finish()
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

function summaryText(s: ImportSummary): string {
  const skipped = Object.entries(s.skipped)
  const rates: string[] = []
  const per = Math.max(s.seconds, 1e-6)
  if (s.captures > 0) rates.push(`${formatRate(s.frames / per)} packets/s`)
  if (s.cofFiles > 0) rates.push(`${formatRate(s.cofLines / per)} COF lines/s`)
  if (s.dnstapFiles > 0) rates.push(`${formatRate(s.dnstapFrames / per)} dnstap messages/s`)
  if (s.logFiles > 0) rates.push(`${formatRate(s.logLines / per)} log lines/s`)
  const read: string[] = []
  if (s.captures > 0) read.push(`packets ${s.frames}, observations ${s.observations}`)
  if (s.dnstapFiles > 0) read.push(`dnstap messages ${s.dnstapFrames}`)
  if (s.cofFiles > 0) read.push(`COF lines ${s.cofLines} (bad ${s.badLines})`)
  if (s.logFiles > 0) read.push(`EVE/passivedns lines ${s.logLines} (bad ${s.logBadLines})`)
  return [
    `files ${s.files} (captures ${s.captures}, ${s.dnstapFiles > 0 ? `dnstap ${s.dnstapFiles}, ` : ''}COF ${s.cofFiles}${s.logFiles > 0 ? `, EVE/passivedns ${s.logFiles}` : ''})${read.length > 0 ? `: ${read.join(', ')}` : ''}`,
    `records inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged} (${s.dataDir})`,
    `not stored: ${skipped.length === 0 ? 'none' : skipped.map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `${s.seconds.toFixed(2)} s${rates.length > 0 ? `, ${rates.join(', ')}` : ''}`,
    '',
  ].join('\n')
}
