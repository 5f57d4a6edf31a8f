/**
 * What a node believes its peer holds must follow the peer's own word: entries it sent that the
 * peer refused (a push that crossed an answer the peer was still applying: a gap) or never applied
 * (a lost answer) must be sent again, or neither side ever sends them (a newcomer stuck short of
 * the head for good, which bench:sync hit bootstrapping 200 k records).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { converged, observe, startMesh, stopNode, type TestNode, testNode, until } from './helpers.ts'

describe('a bootstrap over several answers', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it('an answer the newcomer could not apply is sent again when it asks again', async () => {
    const a = await testNode('author')
    const b = await testNode('newcomer')
    nodes.push(a, b)
    for (let i = 0; i < 20; i++) observe(a, 500, 10_000 + i)
    // the newcomer fails to apply the first answer (a disk error, say): the answer is lost, but the
    // author sent it, and must not go on believing the newcomer holds it
    const accept = b.feeds.accept.bind(b.feeds)
    let failures = 0
    b.feeds.accept = (e, o) => {
      if (failures === 0) {
        failures++
        throw new Error('simulated store failure')
      }
      return accept(e, o)
    }
    const ma = await startMesh(a, { allow: [b.peerId] })
    const mb = await startMesh(b, { allow: [a.peerId], peers: ma.addresses() })
    await until('the failed answer', () => failures === 1, 30_000)
    // the newcomer asks again: its have-vector says what it holds, whatever the author believed
    await until(
      'the newcomer at the head',
      async () => {
        await mb.syncWith(a.peerId)
        return b.feeds.head(a.peerId)?.seq === 20
      },
      30_000,
    )
    assert.ok(await converged([a, b]))
  })

  it('converges while the author keeps sealing new entries', async () => {
    const a = await testNode('author-2')
    const b = await testNode('newcomer-2')
    nodes.push(a, b)
    // about 12 MiB of entries: three answers at least
    for (let i = 0; i < 120; i++) observe(a, 2000, 30_000 + i)
    const ma = await startMesh(a, { allow: [b.peerId] })
    await startMesh(b, { allow: [a.peerId], peers: ma.addresses() })
    // new entries every 50 ms while the newcomer applies: each is pushed at once
    let sealing = true
    const more = (async () => {
      for (let i = 0; sealing && i < 60; i++) {
        observe(a, 50, 40_000 + i)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    await until('the newcomer at the first head', () => (b.feeds.head(a.peerId)?.seq ?? 0) >= 120, 120_000)
    sealing = false
    await more
    await until('the two stores equal', () => converged([a, b]), 120_000)
    assert.equal(b.feeds.head(a.peerId)?.seq, a.feeds.head(a.peerId)?.seq)
  })
})
