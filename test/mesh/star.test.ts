import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { LocalBackend } from '../../node/query/local.ts'
import { converged, observe, startMesh, stopNode, type TestNode, testNode, until } from './helpers.ts'

async function all(n: TestNode) {
  const out = []
  for await (const r of LocalBackend.over(n.store, n.peerId).export()) out.push(r)
  return out
}

describe('a star of three nodes', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it('converges: equal digests, every record on every node with exactly the vantages that saw it', async () => {
    const hub = await testNode('hub')
    const a = await testNode('leaf-a')
    const b = await testNode('leaf-b')
    nodes.push(hub, a, b)
    observe(hub, 400, 1)
    observe(a, 600, 2)
    observe(a, 50, 3, `${a.peerId}/resolver1`)
    observe(b, 500, 4)
    const hubMesh = await startMesh(hub, { allow: [a.peerId, b.peerId] })
    const [hubAddr] = hubMesh.addresses()
    assert.ok(hubAddr?.includes(hub.peerId))
    // the leaves know only the hub: each other's records come through it
    await startMesh(a, { allow: [hub.peerId], peers: [hubAddr!] })
    await startMesh(b, { allow: [hub.peerId], peers: [hubAddr!] })
    await until('digests equal', () => converged(nodes))

    // new records after the first sync are pushed through the hub too
    observe(a, 100, 5)
    await until('digests equal after a push', () => converged(nodes))

    // every node answers every record, and each record lists exactly the vantages that saw it
    const exports = await Promise.all(nodes.map((n) => all(n)))
    assert.deepEqual(exports[1], exports[0])
    assert.deepEqual(exports[2], exports[0])
    // export gives one line per (record, vantage): group the merged store's lines by record and
    // compare with the origins each node itself observed
    const key = (r: {
      rrname: string
      rrtype: string
      rdata: string
      kind: string
      bailiwick: string | null
    }) => `${r.rrname}|${r.rrtype}|${r.rdata}|${r.kind}|${r.bailiwick}`
    const seenBy = new Map<string, string[]>()
    const listed = new Map<string, string[]>()
    for (const r of exports[0]!) {
      for (const v of r.vantages) {
        listed.set(key(r), [...(listed.get(key(r)) ?? []), v.origin].sort())
        const observer = nodes.find((n) => v.origin === n.peerId || v.origin.startsWith(`${n.peerId}/`))!
        // the observer's own store holds it under that origin, with the same value
        const own = exports[nodes.indexOf(observer)]!.filter(
          (x) => key(x) === key(r) && x.vantages[0]!.origin === v.origin,
        )
        assert.equal(own.length, 1)
        assert.deepEqual(own[0]!.vantages, r.vantages)
        seenBy.set(key(r), [...(seenBy.get(key(r)) ?? []), v.origin].sort())
      }
    }
    assert.deepEqual(listed, seenBy)
    const originsOnB = [...b.store.origins.values()].sort()
    assert.deepEqual(originsOnB, [hub.peerId, a.peerId, `${a.peerId}/resolver1`, b.peerId].sort())
  })
})
