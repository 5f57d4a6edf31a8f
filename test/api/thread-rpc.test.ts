/**
 * Calls between the node's thread and an API thread (thread-rpc.ts), over a real MessageChannel: a
 * value comes back, a PdnsError keeps its code and HTTP status, anything else arrives as an internal
 * error, the caller's abort reaches the callee's signal, a value that cannot be cloned is an error
 * and not a hang, and calls waiting on a side that is gone fail.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MessageChannel } from 'node:worker_threads'
import { httpError, withStatus } from '../../node/api/http/errors.ts'
import { ThreadRpc } from '../../node/api/http/thread-rpc.ts'
import { PdnsError } from '../../node/errors.ts'

function pair(): { a: ThreadRpc; b: ThreadRpc; other: unknown[]; close: () => void } {
  const { port1, port2 } = new MessageChannel()
  const other: unknown[] = []
  const a = new ThreadRpc(port1, (m) => other.push(m))
  const b = new ThreadRpc(port2)
  return {
    a,
    b,
    other,
    close: () => {
      port1.close()
      port2.close()
    },
  }
}

test('a call gets the value the other side returns, and other messages go to their owner', async () => {
  const { a, b, other, close } = pair()
  try {
    b.handle('sum', (args) => (args as number[]).reduce((x, y) => x + y, 0))
    b.handle('later', async () => ({ records: [{ rrname: 'example.com', count: 2 }], limited: false }))
    assert.equal(await a.call<number>('sum', [1, 2, 3]), 6)
    assert.deepEqual(await a.call('later', null), {
      records: [{ rrname: 'example.com', count: 2 }],
      limited: false,
    })
    // both ways on one channel
    a.handle('ping', () => 'pong')
    assert.equal(await b.call('ping', null), 'pong')
    const { port1, port2 } = new MessageChannel()
    const seen = new Promise<unknown>((resolve) => new ThreadRpc(port1, resolve))
    port2.postMessage({ type: 'stop' })
    assert.deepEqual(await seen, { type: 'stop' })
    port1.close()
    // the calls above were not handed to the owner
    assert.deepEqual(other, [])
  } finally {
    close()
  }
})

test('a PdnsError crosses with its code and HTTP status; another error is internal', async () => {
  const { a, b, close } = pair()
  try {
    b.handle('off', () => {
      throw new PdnsError('ERR_MESH_OFF', 'the mesh is off on this node')
    })
    b.handle('teapot', () => {
      throw withStatus(new PdnsError('ERR_BAD_QUERY', 'no'), 418)
    })
    b.handle('bug', () => {
      throw new TypeError('x is undefined')
    })
    await assert.rejects(a.call('off', null), (err: unknown) => {
      assert.ok(err instanceof PdnsError)
      assert.equal(err.code, 'ERR_MESH_OFF')
      assert.equal(httpError(err).status, 409)
      return true
    })
    await assert.rejects(a.call('teapot', null), (err: unknown) => httpError(err).status === 418)
    await assert.rejects(a.call('bug', null), (err: unknown) => {
      assert.ok(!(err instanceof PdnsError))
      assert.equal(httpError(err).internal, true)
      return true
    })
    await assert.rejects(a.call('nothing', null), /no handler for nothing/)
  } finally {
    close()
  }
})

test("the caller's abort reaches the callee's signal", async () => {
  const { a, b, close } = pair()
  try {
    let aborted: (reason: unknown) => void = () => {}
    const seen = new Promise<unknown>((r) => {
      aborted = r
    })
    b.handle('slow', (_args, { signal }) => {
      signal.addEventListener('abort', () => aborted(signal.reason))
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new PdnsError('ERR_ABORTED', 'stopped'))),
      )
    })
    const ac = new AbortController()
    const call = a.call('slow', null, { signal: ac.signal })
    // the abort follows the call on the same port: the callee has it running when the abort comes
    ac.abort()
    const reason = await seen
    assert.ok(reason instanceof PdnsError && reason.code === 'ERR_ABORTED')
    await assert.rejects(call, (err: unknown) => err instanceof PdnsError && err.code === 'ERR_ABORTED')
    // already aborted: nothing is sent
    await assert.rejects(a.call('slow', null, { signal: AbortSignal.abort() }), /aborted/)
  } finally {
    close()
  }
})

test('a value that cannot be cloned is answered as an error, not left waiting', async () => {
  const { a, b, close } = pair()
  try {
    b.handle('fn', () => ({ f: () => 1 }))
    await assert.rejects(a.call('fn', null), /could not be cloned/)
  } finally {
    close()
  }
})

test('calls waiting on a side that is gone fail with the reason given', async () => {
  const { a, b, close } = pair()
  try {
    b.handle('never', () => new Promise(() => {}))
    const call = a.call('never', null)
    a.failAll(new PdnsError('ERR_ABORTED', 'the API thread is gone'))
    await assert.rejects(call, /the API thread is gone/)
  } finally {
    close()
  }
})
