/**
 * The writer thread of store-writer.ts: loads its modules, then (the `attach` message) attaches to
 * the database the main thread holds open, seals the node's own records into its feed when asked
 * (LocalFeed, as the import did in its own thread), and applies the batches it is handed, in order. Progress and totals go into shared memory; an
 * error is reported once on the reply port, the state turns FAILED, and later batches are dropped
 * (the main thread throws the error and stops handing any).
 *
 * Everything, module loading included, runs inside one try, and every message in one promise chain
 * that ends in fail(): whatever fails, the main thread is told, and never waits for a thread that
 * is gone.
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

const { seal, state, totals, replies } = data as WriterData
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
  // Everything is loaded before the store is there (the main thread may still be opening it):
  // the store, the batch codec, and for sealing the identity, the feeds and the wire codec, whose
  // protobuf types are otherwise built at the first seal (50 ms, at the end of an import).
  const { Store } = await import('../store/store.ts')
  const { decodeUpdates } = await import('./update-codec.ts')
  const sealing = seal
    ? await Promise.all([
        import('../identity/signer.ts'),
        import('../mesh/feeds.ts'),
        import('../mesh/local-feed.ts'),
        import('../../protocol/messages.ts').then((m) => m.loadWireTypes()),
      ])
    : null
  let store: Store | null = null
  let sealer: (FeedSealer & { stop(): void }) | null = null

  /** The open database of the main thread, and this node's feed on it when sealing. */
  const attach = async (dataDir: string, handle: bigint): Promise<void> => {
    store = await Store.attach(dataDir, handle)
    if (sealing !== null) {
      const [{ loadSigner }, { Feeds }, { LocalFeed }] = sealing
      const identity = await loadSigner(dataDir)
      if (identity === null) throw new Error(`no identity in ${dataDir} to seal the records with`)
      // as the import in one thread: updates of records already sealed are sealed once, at the end
      const feed = new LocalFeed(
        { store, feeds: new Feeds({ store }), signer: identity.signer },
        identity.peerId,
        { updateIntervalMs: Number.POSITIVE_INFINITY },
      )
      feed.attach()
      sealer = feed
    }
  }

  // Messages are handled one after the other: a batch waits for the attach before it.
  let queue: Promise<void> = Promise.resolve()
  const handle = (msg: WriterMessage): void | Promise<void> => {
    if (msg.type === 'attach') return attach(msg.dataDir, msg.handle)
    if (store === null) throw new Error(`the writer got a ${msg.type} before its store`)
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
  }
  parentPort!.on('message', (msg: WriterMessage) => {
    queue = queue
      .then(() => {
        if (failed) return
        return handle(msg)
      })
      .catch(fail)
  })
} catch (err) {
  fail(err)
}
