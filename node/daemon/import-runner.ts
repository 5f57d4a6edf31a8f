/**
 * Imports inside a running node (`pdns-mesh import` while the node holds the data directory): one
 * job at a time, read by the node itself through the same import job as a stopped import
 * (node/ingest/import-job.ts), written through the node's store — so its own origins' records are
 * sealed into its feed for the mesh like captured ones.
 *
 * Each job has an aggregation window of its own (background mode, the node's interval and cap): its
 * summary then counts the import's records alone, not capture's or dnstap's meanwhile, and it is
 * written one batch per event-loop turn at the end (`drain`), so capture and the control socket are
 * served while it is. stop() (the node stopping) refuses new jobs and cuts the running one short;
 * what it read is written before stop() returns, ahead of the node's last flush.
 */
import { randomUUID } from 'node:crypto'
import { PdnsError } from '../errors.ts'
import {
  AggregationWindow,
  checkImportRequest,
  detectImportKinds,
  type ImportEvent,
  type ImportRequest,
  type ImportSummary,
  runImportJob,
  summarizeImport,
} from '../ingest/index.ts'
import type { Logger } from '../log/logger.ts'
import type { RecordId } from '../store/keys.ts'
import type { Store } from '../store/store.ts'

export interface ImportRunnerComponents {
  store: Store
  log: Logger
  /** errors of the job window's background flushes (the node's handler for its own window) */
  onWindowError: (err: unknown) => void
}

export interface ImportRunnerOptions {
  peerId: string
  dataDir: string
  flushIntervalMs: number
  windowMaxBytes: number
}

/** A job's end: the summary a stopped import prints, and what went wrong. */
export interface ImportResult {
  summary: ImportSummary
  errors: string[]
  /** the node stopped during the job (the summary says interrupted too) */
  nodeStopped: boolean
}

export interface ImportRunOptions {
  /** the client's: aborted when it goes away (its Ctrl-C); the job stops as a stopped import would */
  signal: AbortSignal
  /** the request was accepted (checked, files detected): the job starts now; `id` names it for cancel() */
  onStart?: (id: string) => void
  onEvent?: (e: ImportEvent) => void
}

/** The running job as `status` shows it. */
export interface ImportJobStatus {
  files: number
  /** index of the file being read */
  file: number
  bytes: number
  total: number
  items: number
  /** epoch seconds */
  startedAt: number
}

export interface ImportRunnerStatus {
  running: ImportJobStatus | null
  /** jobs finished since the node started (cut short ones included) */
  jobs: number
  /** requests refused because a job was running */
  busy: number
}

export class ImportRunner {
  readonly #components: ImportRunnerComponents
  readonly #options: ImportRunnerOptions
  #job: { id: string; done: Promise<unknown>; status: ImportJobStatus; cancel: AbortController } | null = null
  #stopping = false
  readonly #stop = new AbortController()
  #jobs = 0
  #busy = 0
  /** the running job's window: retention asks it, as it asks the node's, before expiring a record */
  #window: AggregationWindow | null = null

  constructor(components: ImportRunnerComponents, options: ImportRunnerOptions) {
    this.#components = components
    this.#options = options
  }

  /** Nothing to start (jobs come with requests); present as every long-running part has one. */
  start(): void {}

  /**
   * Refuses new jobs (ERR_NODE_STOPPING) and stops the running one at its next chunk; resolves once
   * what it read is written.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#stop.abort(new PdnsError('ERR_NODE_STOPPING', 'the node is stopping'))
    await this.#job?.done.catch(() => {})
  }

  /**
   * Stops job `id` at its next chunk, as its client's Ctrl-C asks (the client then still reads the
   * summary); false when no such job runs (it ended meanwhile).
   */
  cancel(id: string): boolean {
    if (this.#job?.id !== id) return false
    this.#job.cancel.abort(new PdnsError('ERR_ABORTED', 'cancelled by its client'))
    return true
  }

  /** Whether the running import holds a sighting of the record not yet written (retention keeps it). */
  holds(id: RecordId): boolean {
    return this.#window?.holds(id) ?? false
  }

  status(): ImportRunnerStatus {
    return {
      running: this.#job === null ? null : { ...this.#job.status },
      jobs: this.#jobs,
      busy: this.#busy,
    }
  }

  /**
   * Runs one import. Throws before onStart when it cannot start: ERR_IMPORT_BUSY (one at a time),
   * ERR_NODE_STOPPING, ERR_BAD_ARGUMENT, or the first unusable file's error (every unusable file is
   * named in its message, one per line; nothing is imported then). Store errors end the job and are
   * thrown after what the window holds was written as far as the store allows.
   */
  async run(req: ImportRequest, opts: ImportRunOptions): Promise<ImportResult> {
    if (this.#stopping) {
      throw new PdnsError('ERR_NODE_STOPPING', 'the node is stopping: it takes no import now')
    }
    if (this.#job !== null) {
      this.#busy++
      const s = this.#job.status
      throw new PdnsError(
        'ERR_IMPORT_BUSY',
        `the node is already importing (file ${s.file + 1} of ${s.files}, started ${new Date(s.startedAt * 1000).toISOString()}); one import at a time`,
      )
    }
    const status: ImportJobStatus = {
      files: req.files.length,
      file: 0,
      bytes: 0,
      total: 0,
      items: 0,
      startedAt: Math.floor(Date.now() / 1000),
    }
    let finished!: () => void
    const job = {
      id: randomUUID(),
      done: new Promise<void>((resolve) => {
        finished = resolve
      }),
      status,
      cancel: new AbortController(),
    }
    this.#job = job
    try {
      return await this.#run(req, opts, job)
    } finally {
      this.#job = null
      finished()
    }
  }

  async #run(
    req: ImportRequest,
    opts: ImportRunOptions,
    job: { id: string; status: ImportJobStatus; cancel: AbortController },
  ): Promise<ImportResult> {
    const status = job.status
    const { store, log } = this.#components
    const o = this.#options
    await checkImportRequest(req, o.peerId)
    const { kinds, unusable } = await detectImportKinds(req.files)
    if (unusable.length > 0) {
      // the node reads the files as its own user, which may not be the CLI's
      const uid = process.getuid?.()
      const who = uid === undefined ? '' : ` (the node reads the files itself, as uid ${uid})`
      const lines = unusable.map((e) => (e.code === 'ERR_FILE_UNREADABLE' ? `${e.message}${who}` : e.message))
      throw new PdnsError(unusable[0]!.code, lines.join('\n'))
    }
    const signal = AbortSignal.any([opts.signal, this.#stop.signal, job.cancel.signal])
    opts.onStart?.(job.id)
    log.info({ files: req.files.length, origin: req.origin }, 'import started')
    const started = performance.now()
    const window = new AggregationWindow(store, {
      flushIntervalMs: o.flushIntervalMs,
      maxBytes: o.windowMaxBytes,
      sync: true,
      background: true,
      onError: this.#components.onWindowError,
    })
    window.start()
    this.#window = window
    let outcome: Awaited<ReturnType<typeof runImportJob>>
    try {
      outcome = await runImportJob({ store, window }, req, kinds, {
        peerId: o.peerId,
        signal,
        onEvent: (e) => {
          if (e.event === 'file') {
            status.file = e.index
            status.bytes = 0
            status.total = 0
            status.items = 0
          } else {
            status.bytes = e.bytes
            status.total = e.total
            status.items = e.items
          }
          opts.onEvent?.(e)
        },
      })
      // interrupted or not, what was read is written (and sealed by the node's feed)
      await window.drain()
    } finally {
      // written already unless the store failed: then a last try, and the store's error is thrown
      window.stop()
      this.#window = null
      this.#jobs++
    }
    const nodeStopped = this.#stop.signal.aborted && outcome.interrupted
    const summary = summarizeImport(
      o.dataDir,
      outcome.reports,
      window.stats(),
      (performance.now() - started) / 1000,
      outcome.interrupted,
    )
    const errors = [...outcome.failures]
    if (nodeStopped) {
      errors.push(
        `the node stopped during the import: it read ${outcome.reports.length} of ${req.files.length} file(s), the last one in part; what was read is imported`,
      )
    }
    log.info(
      {
        files: summary.files,
        records: summary.records,
        inserted: summary.inserted,
        interrupted: summary.interrupted,
      },
      'import ended',
    )
    return { summary, errors, nodeStopped }
  }
}
