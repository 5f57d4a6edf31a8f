/**
 * The writer thread of store-writer.ts: attaches to the database the main thread holds open, seals
 * the node's own records into its feed when asked (LocalFeed, as the import did in its own thread),
 * and applies the batches it is handed, in order. Progress and totals go into shared memory; an
 * error is reported once on the reply port, the state turns FAILED, and later batches are dropped
 * (the main thread throws the error and stops handing any).
 *
 * Everything, module loading included, runs inside one try: whatever fails, the main thread is
 * told, and never waits for a thread that is gone.
 */
import { workerData as data, parentPort } from 'node:worker_threads'
import type { FeedSealer, Store } from '../store/store.ts'
import {
  BATCHES_DONE,
  FAILED,
  FINISHED,
  INSERTED,
  RECORDS_DONE,
  UNCHANGED,
  UPDATED,
  type WriterData,
  type WriterMessage,
  type WriterReply,
} from './store-writer.ts'

const { dataDir, handle, seal, state, totals, replies } = data as WriterData
const shared = new Int32Array(state)
const sums = new Float64Array(totals)
let failed = false

function fail(err: unknown): void {
  if (failed) return
  failed = true
  const e = err as { code?: unknown; message?: unknown }
  const reply: WriterReply = {
    type: 'error',
    code: typeof e?.code === 'string' && e.code.startsWith('ERR_') ? e.code : null,
    message: typeof e?.message === 'string' ? e.message : String(err),
  }
  replies.postMessage(reply)
  Atomics.store(shared, 0, FAILED)
  Atomics.notify(shared, BATCHES_DONE)
  Atomics.notify(shared, 0)
  parentPort!.close()
}

try {
  const { Store } = await import('../store/store.ts')
  const { decodeUpdates } = await import('./update-codec.ts')
  const store: Store = await Store.attach(dataDir, handle)
  let sealer: (FeedSealer & { stop(): void }) | null = null
  if (seal) {
    const { loadIdentity } = await import('../identity/identity.ts')
    const { Feeds } = await import('../mesh/feeds.ts')
    const { LocalFeed } = await import('../mesh/local-feed.ts')
    const identity = (await loadIdentity(dataDir, { create: false }))!
    // as the import in one thread: updates of records already sealed are sealed once, at the end
    const feed = new LocalFeed(
      { store, feeds: new Feeds({ store }), privateKey: identity.privateKey },
      identity.peerId,
      { updateIntervalMs: Number.POSITIVE_INFINITY },
    )
    feed.attach()
    sealer = feed
  }
  parentPort!.on('message', (msg: WriterMessage) => {
    if (failed) return
    try {
      if (msg.type === 'batch') {
        const updates = decodeUpdates(Buffer.from(msg.buf.buffer, msg.buf.byteOffset, msg.buf.byteLength))
        const r = store.apply(updates, { sync: msg.sync })
        sums[INSERTED]! += r.inserted
        sums[UPDATED]! += r.updated
        sums[UNCHANGED]! += r.unchanged
        sums[RECORDS_DONE]! += updates.length
        Atomics.add(shared, BATCHES_DONE, 1)
        Atomics.notify(shared, BATCHES_DONE)
      } else {
        sealer?.stop()
        store.setSealer(null)
        Atomics.store(shared, 0, FINISHED)
        Atomics.notify(shared, BATCHES_DONE)
        Atomics.notify(shared, 0)
        parentPort!.close()
      }
    } catch (err) {
      fail(err)
    }
  })
} catch (err) {
  fail(err)
}
