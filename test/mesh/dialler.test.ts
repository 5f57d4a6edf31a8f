/**
 * The dialler alone, on mocked timers (a fake dial beside the real class): when peers are dialled
 * and redialled, and when not.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { Dialler, peerIdOfAddress } from '../../node/mesh/dialler.ts'
import { REDIAL_MAX_MS, REDIAL_MIN_MS } from '../../node/mesh/limits.ts'

const A = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWJ6Q3UbHkLLC1qzVJBz3Xu2PfeajUnkbnBshdzYW5RR7m'
const B = '/ip4/127.0.0.1/tcp/4002/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const idA = A.slice(A.lastIndexOf('/') + 1)

interface World {
  dialler: Dialler
  dials: string[]
  connected: Set<string>
  allowed: Set<string>
  fail: boolean
}

function world(peers: string[]): World {
  const dials: string[] = []
  const connected = new Set<string>()
  const allowed = new Set(peers.map(peerIdOfAddress))
  const w: Omit<World, 'dialler'> = { dials, connected, allowed, fail: true }
  const dialler = new Dialler(
    {
      dial: (addr) => {
        dials.push(addr)
        return w.fail ? Promise.reject(new Error('refused')) : Promise.resolve()
      },
      allowed: (id) => allowed.has(id),
      connected: (id) => connected.has(id),
      onDialError: () => {},
    },
    peers,
  )
  return Object.assign(w, { dialler })
}

/** Lets rejected dials reach their handlers, then moves the clock. */
async function advance(ms: number): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
  mock.timers.tick(ms)
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('Dialler', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }))
  afterEach(() => mock.timers.reset())

  it('dials every peer at start and redials a failing one with a doubling delay, up to the maximum', async () => {
    const w = world([A])
    w.dialler.start()
    assert.deepEqual(w.dials, [A])
    let delay = REDIAL_MIN_MS
    for (let n = 2; n <= 10; n++) {
      await advance(delay - 1)
      assert.equal(w.dials.length, n - 1, `not before ${delay} ms`)
      await advance(1)
      assert.equal(w.dials.length, n, `redial ${n} after ${delay} ms`)
      delay = Math.min(REDIAL_MAX_MS, delay * 2)
    }
    assert.equal(delay, REDIAL_MAX_MS)
    w.dialler.stop()
  })

  it('after a connection the next redial starts at the shortest delay again; a connected peer is not redialled', async () => {
    const w = world([A])
    w.dialler.start()
    await advance(REDIAL_MIN_MS)
    await advance(2 * REDIAL_MIN_MS)
    assert.equal(w.dials.length, 3)
    w.connected.add(idA)
    w.dialler.connected(idA)
    await advance(REDIAL_MAX_MS)
    // the timer set by the third failure finds the peer connected
    assert.equal(w.dials.length, 3)
    w.connected.delete(idA)
    w.dialler.disconnected(idA)
    await advance(REDIAL_MIN_MS)
    assert.equal(w.dials.length, 4)
    w.dialler.stop()
  })

  it('does not dial a peer that is not allowed, but tries again later', async () => {
    const w = world([A])
    w.allowed.clear()
    w.dialler.start()
    assert.deepEqual(w.dials, [])
    w.allowed.add(idA)
    await advance(REDIAL_MIN_MS)
    assert.deepEqual(w.dials, [A])
    w.dialler.stop()
  })

  it('a peer no longer listed is not redialled, a new one is dialled at once; nothing after stop', async () => {
    const w = world([A])
    w.allowed.add(peerIdOfAddress(B))
    w.dialler.start()
    w.dialler.setPeers([B])
    assert.deepEqual(w.dials, [A, B])
    await advance(REDIAL_MIN_MS)
    assert.deepEqual(w.dials, [A, B, B])
    w.dialler.stop()
    await advance(REDIAL_MAX_MS * 2)
    assert.deepEqual(w.dials, [A, B, B])
  })

  it('refuses an address without a peer id', () => {
    assert.throws(() => peerIdOfAddress('/ip4/127.0.0.1/tcp/4001'), { code: 'ERR_CONFIG' })
    assert.throws(() => peerIdOfAddress('not an address'), { code: 'ERR_CONFIG' })
  })
})
