/**
 * The HTTP API on `api.threads` threads of its own (api-thread.ts), for a node whose queries should
 * use more than one core and never wait behind capture, dnstap or the mesh on the node's thread.
 * Every thread listens on the same address with SO_REUSEPORT (the kernel spreads connections over
 * them) and reads the node's open database through the binding's handle.
 *
 * This side starts them one after the other (the first one's port, when 0 was asked, is the
 * others'), answers what only the node's thread has (mesh=1 lookups, the digest, the /metrics text
 * with every thread's request metrics added, thread-rpc.ts), serves api.metrics_listen itself, and
 * starts a thread again that died (after API_THREAD_RESTART_MS, doubling up to
 * API_THREAD_RESTART_MAX_MS while it keeps failing to start). stop() stops them all before the node
 * closes the database they read.
 */
import { Worker } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'
import { PdnsError } from '../../errors.ts'
import type { Logger, LogLevel } from '../../log/index.ts'
import type { MeshQuery } from '../../mesh/query-wire.ts'
import type { Store } from '../../store/store.ts'
import type { MeshControl } from '../types.ts'
import type { ApiThreadData, FromApiThread, ToApiThread } from './api-thread.ts'
import {
  API_STOP_GRACE_MS,
  API_THREAD_METRICS_WAIT_MS,
  API_THREAD_RESTART_MAX_MS,
  API_THREAD_RESTART_MS,
  API_THREAD_STOP_MARGIN_MS,
  MAX_API_CONNECTIONS,
} from './limits.ts'
import { ApiMetrics, type NodeMetricsSource } from './metrics.ts'
import { type HostPort, type HttpApiOptions, metricsListener } from './server.ts'
import { SharedRateLimiter } from './shared-rate.ts'
import { ThreadRpc } from './thread-rpc.ts'

export interface ApiThreadsComponents {
  /** the node's open store: the threads attach to its database */
  store: Store
  dataDir: string
  /** the node's own origin label (its peer id) */
  localLabel: string | null
  mesh: MeshControl | null
  digest: (opts: { signal?: AbortSignal }) => Promise<unknown>
  /** the node's own metrics (its /metrics adds the threads' request metrics to them) */
  metrics: NodeMetricsSource
  log: Logger
  logLevel: LogLevel
  /** starts a thread (tests keep the Worker to end it); default: api-thread.ts */
  newWorker?: (data: ApiThreadData) => Worker
}

export interface ApiThreadsOptions extends HttpApiOptions {
  threads: number
}

/** What the node's status says of its API threads. */
export interface ApiThreadsStatus {
  threads: number
  /** requests answered by each thread since the node started */
  answered: number[]
  /** threads started again after they died */
  restarts: number
}

interface Running {
  worker: Worker
  rpc: ThreadRpc
  exited: Promise<void>
}

export class ApiThreads {
  readonly #c: ApiThreadsComponents
  readonly #o: ApiThreadsOptions
  readonly #metrics: ApiMetrics
  readonly #rates = SharedRateLimiter.memory()
  readonly #failures = SharedRateLimiter.memory()
  readonly #answered: BigInt64Array
  readonly #threads: (Running | null)[]
  #listen: HostPort
  #metricsApp: FastifyInstance | null = null
  #addresses: { api: string; metrics: string | null } | null = null
  #stopping = false
  #restarts = 0
  readonly #timers = new Set<NodeJS.Timeout>()
  #logLevel: LogLevel

  constructor(components: ApiThreadsComponents, options: ApiThreadsOptions) {
    this.#c = components
    this.#o = options
    this.#listen = options.listen
    this.#logLevel = components.logLevel
    this.#metrics = new ApiMetrics(components.metrics)
    this.#answered = new BigInt64Array(new SharedArrayBuffer(8 * options.threads))
    this.#threads = new Array<Running | null>(options.threads).fill(null)
  }

  get addresses(): { api: string; metrics: string | null } | null {
    return this.#addresses
  }

  status(): ApiThreadsStatus {
    return {
      threads: this.#threads.length,
      answered: [...this.#answered].map(Number),
      restarts: this.#restarts,
    }
  }

  async start(): Promise<void> {
    if (this.#addresses !== null) return
    this.#stopping = false
    try {
      let address = ''
      for (let i = 0; i < this.#threads.length; i++) {
        address = await this.#spawn(i)
        // port 0 asked: the first thread's port is the others' (and a restarted one's)
        if (i === 0) this.#listen = { host: this.#listen.host, port: portOf(address) }
      }
      let metrics: string | null = null
      if (this.#o.metricsListen !== null) {
        const m = await metricsListener(this.#o.metricsListen, async (reply) =>
          reply.type(this.#metrics.contentType).send(await this.metricsText()),
        )
        this.#metricsApp = m.app
        metrics = m.url
      }
      // the threads' own address: scheme, host and port
      this.#addresses = { api: address, metrics }
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    const m = this.#metricsApp
    this.#metricsApp = null
    await Promise.all([
      m?.close(),
      ...this.#threads.map(async (t, i) => {
        if (t === null) return
        t.worker.postMessage({ type: 'stop' } satisfies ToApiThread)
        let timer: NodeJS.Timeout | undefined
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), API_STOP_GRACE_MS + API_THREAD_STOP_MARGIN_MS)
        })
        if ((await Promise.race([t.exited, late])) === 'late') {
          this.#c.log.warn({ thread: i }, 'an API thread did not stop in time: terminated')
          await t.worker.terminate()
          await t.exited
        }
        clearTimeout(timer)
        this.#threads[i] = null
      }),
    ])
    this.#addresses = null
  }

  setLimits(limits: { ratePerMin: number; maxLimit: number }): void {
    this.#o.ratePerMin = limits.ratePerMin
    this.#o.maxLimit = limits.maxLimit
    this.#send({ type: 'limits', ...limits })
  }

  setLogLevel(level: LogLevel): void {
    this.#logLevel = level
    this.#send({ type: 'log-level', level })
  }

  /** The node's metrics with every thread's request metrics added (a thread that does not answer is left out). */
  async metricsText(): Promise<string> {
    const parts = await Promise.all(
      this.#threads.map(async (t) => {
        if (t === null) return null
        try {
          return await t.rpc.call<Awaited<ReturnType<ApiMetrics['requestMetrics']>>>(
            'request-metrics',
            null,
            {
              signal: AbortSignal.timeout(API_THREAD_METRICS_WAIT_MS),
            },
          )
        } catch {
          return null
        }
      }),
    )
    return this.#metrics.aggregate(parts.filter((p) => p !== null))
  }

  #send(msg: ToApiThread): void {
    for (const t of this.#threads) t?.worker.postMessage(msg)
  }

  /** Starts thread i and resolves with its address once it listens; rejects with why it could not. */
  #spawn(i: number): Promise<string> {
    const o = this.#o
    const data: ApiThreadData = {
      index: i,
      dataDir: this.#c.dataDir,
      handle: this.#c.store.handle,
      localLabel: this.#c.localLabel,
      listen: this.#listen,
      tls: o.tls,
      ratePerMin: o.ratePerMin,
      maxLimit: o.maxLimit,
      maxConnections: Math.max(
        1,
        Math.ceil((o.maxConnections ?? MAX_API_CONNECTIONS) / this.#threads.length),
      ),
      rates: this.#rates,
      failures: this.#failures,
      answered: this.#answered.buffer as SharedArrayBuffer,
      mesh: this.#c.mesh !== null,
      logLevel: this.#logLevel,
    }
    return new Promise<string>((resolve, reject) => {
      let settled = false
      const worker = (this.#c.newWorker ?? apiWorker)(data)
      const rpc = new ThreadRpc(worker, (msg) => {
        const m = msg as FromApiThread
        if (settled) return
        if (m.type === 'ready') {
          settled = true
          resolve(m.address)
        } else if (m.type === 'failed') {
          settled = true
          reject(new PdnsError((m.code ?? 'ERR_API_LISTEN') as 'ERR_API_LISTEN', m.message))
        }
      })
      this.#serve(rpc)
      let error: Error | null = null
      worker.on('error', (err) => {
        error = err
        this.#c.log.error({ err, thread: i }, 'an API thread failed')
      })
      const exited = new Promise<void>((done) => {
        worker.once('exit', (code) => {
          rpc.failAll(new PdnsError('ERR_ABORTED', 'the API thread is gone'))
          const current = this.#threads[i]?.worker === worker
          if (current) this.#threads[i] = null
          if (!settled) {
            settled = true
            reject(
              error ??
                new PdnsError('ERR_API_LISTEN', `an API thread ended before it listened (exit ${code})`),
            )
          } else if (current && !this.#stopping) {
            this.#restart(i, API_THREAD_RESTART_MS)
          }
          done()
        })
      })
      this.#threads[i] = { worker, rpc, exited }
    })
  }

  /** Starts a dead thread again after `ms`, and again later (twice as late, up to API_THREAD_RESTART_MAX_MS) if that fails. */
  #restart(i: number, ms: number): void {
    this.#c.log.error({ thread: i, inMs: ms }, 'an API thread ended: starting it again')
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      if (this.#stopping) return
      this.#spawn(i).then(
        () => {
          this.#restarts++
          this.#c.log.info({ thread: i }, 'API thread started again')
        },
        (err: unknown) => {
          this.#c.log.error({ err, thread: i }, 'an API thread could not start again')
          if (!this.#stopping && this.#threads[i] === null)
            this.#restart(i, Math.min(API_THREAD_RESTART_MAX_MS, ms * 2))
        },
      )
    }, ms)
    this.#timers.add(timer)
  }

  /** What the threads ask of this one. */
  #serve(rpc: ThreadRpc): void {
    rpc.handle('mesh-query', (args, { signal }) => {
      const { q, timeoutMs } = args as { q: MeshQuery; timeoutMs: number | null }
      if (this.#c.mesh === null) throw new PdnsError('ERR_MESH_OFF', 'the mesh is off on this node')
      return this.#c.mesh.query(q, timeoutMs === null ? { signal } : { signal, timeoutMs })
    })
    rpc.handle('digest', (_args, { signal }) => this.#c.digest({ signal }))
    rpc.handle('metrics', () => this.metricsText())
  }
}

function apiWorker(data: ApiThreadData): Worker {
  return new Worker(new URL('./api-thread.ts', import.meta.url), { workerData: data })
}

function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1))
  if (!Number.isInteger(port) || port <= 0) throw new Error(`an API thread listens on ${address}?`)
  return port
}
