/**
 * One API thread (api-threads.ts starts `api.threads` of them): the HTTP API of server.ts on its own
 * event loop, reading the node's open database through the binding's handle (Store.attach), so
 * queries use another core and never hold up capture, dnstap or the mesh on the node's thread.
 *
 * What only the node's thread has is asked for there (thread-rpc.ts): `mesh=1` lookups, the digest
 * and the /metrics text (the node's metrics with every thread's request metrics added). Rate state
 * is shared memory (shared-rate.ts); API keys are read from the key file, as in the node's thread.
 * The log goes to the node's stderr, as the node's own lines do, tagged with the thread's number.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createLogger, type LogLevel, setLogLevel } from '../../log/index.ts'
import type { MeshQuery } from '../../mesh/query-wire.ts'
import { LocalBackend } from '../../query/local.ts'
import { Store } from '../../store/store.ts'
import type { MeshControl } from '../types.ts'
import { ApiKeys } from './keys.ts'
import { type HostPort, HttpApi } from './server.ts'
import { SharedRateLimiter } from './shared-rate.ts'
import { ThreadRpc } from './thread-rpc.ts'

/** What the node's thread gives an API thread (workerData). */
export interface ApiThreadData {
  index: number
  dataDir: string
  /** the node's open database (Store.handle) */
  handle: bigint
  /** the node's own origin label (its peer id), as its LocalBackend has it */
  localLabel: string | null
  listen: HostPort
  tls: { cert: string; key: string } | null
  ratePerMin: number
  maxLimit: number
  maxConnections: number
  rates: SharedArrayBuffer
  failures: SharedArrayBuffer
  /** requests answered, a slot per thread (BigInt64Array over it) */
  answered: SharedArrayBuffer
  /** whether the node runs a mesh (mesh=1 is asked of it) */
  mesh: boolean
  logLevel: LogLevel
}

/** Messages of the node's thread that are not calls. */
export type ToApiThread =
  | { type: 'limits'; ratePerMin: number; maxLimit: number }
  | { type: 'log-level'; level: LogLevel }
  | { type: 'stop' }

/** Messages of an API thread that are not calls. */
export type FromApiThread =
  | { type: 'ready'; address: string }
  | { type: 'failed'; code: string | null; message: string }

const data = workerData as ApiThreadData
const port = parentPort!
const post = (msg: FromApiThread) => port.postMessage(msg)
const root = createLogger({ level: data.logLevel })
const log = root.child({ component: 'api', thread: data.index })

let api: HttpApi | null = null
let store: Store | null = null
let stopAsked = false
/** settles when the thread has started or failed to: a stop asked before waits for it */
let starting: Promise<void> = Promise.resolve()

async function stop(): Promise<void> {
  try {
    await api?.stop()
  } catch (err) {
    log.error({ err }, 'the API thread did not stop cleanly')
  }
  // the database is the node's: this closes only this thread's view of it
  await store?.close().catch(() => {})
  // the port closed, the thread has nothing left to run and exits: the node waits for that
  port.close()
}

const rpc = new ThreadRpc(port, (msg) => {
  const m = msg as ToApiThread
  if (m.type === 'limits') api?.setLimits({ ratePerMin: m.ratePerMin, maxLimit: m.maxLimit })
  else if (m.type === 'log-level') setLogLevel(root, m.level)
  else if (m.type === 'stop' && !stopAsked) {
    stopAsked = true
    void starting.then(stop)
  }
})

starting = start()

async function start(): Promise<void> {
  try {
    store = await Store.attach(data.dataDir, data.handle)
    const mesh: MeshControl | null = data.mesh
      ? {
          // the mesh's status is the node's (its /metrics): nothing here reads it
          status: () => null,
          query: (q: MeshQuery, o: { signal?: AbortSignal; timeoutMs?: number }) =>
            rpc.call('mesh-query', { q, timeoutMs: o.timeoutMs ?? null }, { signal: o.signal }),
        }
      : null
    const answered = new BigInt64Array(data.answered)
    api = new HttpApi(
      {
        backend: LocalBackend.over(store, data.localLabel),
        mesh,
        digest: (o) => rpc.call('digest', null, o),
        metrics: { text: () => rpc.call<string>('metrics', null) },
        keys: new ApiKeys(data.dataDir, (err) =>
          log.error({ err }, 'the API key file is unreadable: no key is accepted'),
        ),
        log,
      },
      {
        listen: data.listen,
        tls: data.tls,
        metricsListen: null,
        ratePerMin: data.ratePerMin,
        maxLimit: data.maxLimit,
        reusePort: true,
        maxConnections: data.maxConnections,
        limiters: {
          rates: new SharedRateLimiter(data.rates),
          failures: new SharedRateLimiter(data.failures),
        },
        onAnswered: () => {
          Atomics.add(answered, data.index, 1n)
        },
      },
    )
    const http = api
    rpc.handle('request-metrics', () => http.requestMetrics())
    await http.start()
    post({ type: 'ready', address: http.addresses!.api })
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown }
    post({
      type: 'failed',
      code: typeof e?.code === 'string' ? e.code : null,
      message: typeof e?.message === 'string' ? e.message : String(err),
    })
    await store?.close().catch(() => {})
    port.close()
  }
}
