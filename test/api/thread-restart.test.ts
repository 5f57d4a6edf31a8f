/**
 * An API thread that dies is started again (ApiThreads in this process over a real store, its
 * threads real workers running api-thread.ts): the others answer meanwhile, the new one listens on
 * the same port, the status counts the restart, and stop() ends them all before the store closes.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import type { ApiThreadData } from '../../node/api/http/api-thread.ts'
import { ApiThreads } from '../../node/api/http/index.ts'
import type { NodeStatus } from '../../node/api/index.ts'
import { Store } from '../../node/store/store.ts'
import { until } from '../e2e/node-process.ts'
import { capturedLog } from '../helpers/captured-log.ts'
import { createApiKey, importSample, tempDir } from './helpers.ts'

let cleanup: () => Promise<void>
let store: Store
let api: ApiThreads
let key: string
const workers: Worker[] = []
const captured = capturedLog()

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'x-api-key': key, connection: 'close' }, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

before(async () => {
  const t = await tempDir('thread-restart')
  cleanup = t.cleanup
  const data = await importSample(t.dir)
  key = await createApiKey(data, 'analyst')
  store = await Store.open(data)
  const status = (): NodeStatus => ({
    version: 'test',
    pid: process.pid,
    peerId: '',
    startedAt: 0,
    dataDir: data,
    components: {},
  })
  api = new ApiThreads(
    {
      store,
      dataDir: data,
      localLabel: null,
      mesh: null,
      digest: async () => ({}),
      metrics: { status, storeProperty: (name) => store.property(name) },
      log: captured.log,
      logLevel: 'info',
      newWorker: (d: ApiThreadData) => {
        const w = new Worker(new URL('../../node/api/http/api-thread.ts', import.meta.url), { workerData: d })
        workers.push(w)
        return w
      },
    },
    {
      listen: { host: '127.0.0.1', port: 0 },
      tls: null,
      metricsListen: null,
      ratePerMin: 1_000_000,
      maxLimit: 1000,
      threads: 2,
    },
  )
  await api.start()
})

after(async () => {
  await api?.stop()
  await store?.close()
  await cleanup?.()
})

test('a thread that dies is started again on the same port while the other answers', async () => {
  const url = `${api.addresses!.api}/dnsdb/v2/lookup/rrset/name/example.com`
  assert.equal(await get(url), 200)
  assert.equal(workers.length, 2)
  await workers[0]!.terminate()
  // the other thread answers meanwhile (the dead one's listening socket is closed: the kernel sends every connection to the other)
  for (let i = 0; i < 8; i++) assert.equal(await get(url), 200)
  await until('the thread is started again', () =>
    captured.lines().some((l) => l.msg === 'API thread started again'),
  )
  assert.equal(workers.length, 3)
  assert.equal(api.status().restarts, 1)
  const before = api.status().answered
  const answers = await Promise.all(Array.from({ length: 48 }, () => get(url)))
  assert.deepEqual(new Set(answers), new Set([200]))
  const answered = api.status().answered.map((n, i) => n - before[i]!)
  assert.ok(
    answered.every((n) => n > 0),
    `both threads answer again: ${answered}`,
  )
  assert.ok(
    captured.lines().some((l) => l.msg === 'an API thread ended: starting it again' && l.thread === 0),
  )
})

test('stop() ends every thread, then the store closes', async () => {
  await api.stop()
  assert.equal(api.addresses, null)
  for (const w of workers) assert.equal(w.threadId, -1, 'the worker has exited')
})
