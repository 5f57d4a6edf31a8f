import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  converged,
  digestOf,
  observe,
  startMesh,
  stopNode,
  type TestNode,
  testNode,
  until,
} from './helpers.ts'

describe('membership and query-only peers', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it('a node that is not allowlisted gets no connection and no data either way', async () => {
    const member = await testNode('member')
    const friend = await testNode('friend')
    const stranger = await testNode('stranger')
    nodes.push(member, friend, stranger)
    observe(member, 200, 11)
    observe(friend, 200, 12)
    observe(stranger, 200, 13)
    const m = await startMesh(member, { allow: [friend.peerId] })
    const addr = m.addresses()[0]!
    // the stranger dials the member (and allows it): the member's gater refuses it after Noise
    await startMesh(stranger, { allow: [member.peerId], peers: [addr] })
    await startMesh(friend, { allow: [member.peerId], peers: [addr] })
    await until('member and friend converge', () => converged([member, friend]))
    // the stranger's redials keep failing; give it a few chances
    await new Promise((r) => setTimeout(r, 2500))
    assert.equal(member.store.findOrigin(stranger.peerId), undefined)
    assert.equal(friend.store.findOrigin(stranger.peerId), undefined)
    assert.equal(stranger.store.findOrigin(member.peerId), undefined)
    const seen = m.status().peers.find((p) => p.peerId === stranger.peerId)
    assert.ok(seen === undefined || !seen.connected)
    assert.equal(await converged([member, friend]), true)
  })

  it('--mesh against a query-only peer returns its records with its vantage, and nothing syncs', async () => {
    const asker = await testNode('asker')
    const quiet = await testNode('quiet')
    nodes.push(asker, quiet)
    observe(quiet, 300, 21)
    observe(asker, 100, 22)
    const q = await startMesh(quiet, { allow: [asker.peerId], share: 'query-only' })
    const a = await startMesh(asker, { allow: [quiet.peerId], peers: [q.addresses()[0]!] })
    await until('connected', () => a.status().peers.some((p) => p.peerId === quiet.peerId && p.connected))
    const quietDigest = await digestOf(quiet)
    const askerDigest = await digestOf(asker)
    // every record of the quiet node, by one of its names
    const one = [...quiet.store.range({ gte: Buffer.from([0x10]), lt: Buffer.from([0x11]) })][0]!
    const { decodeRrsetKey } = await import('../../node/store/keys.ts')
    const id = decodeRrsetKey(one[0])!
    const r = await a.query({ lookup: 'rrset', query: { name: { kind: 'exact', name: id.rrname } } })
    assert.deepEqual(
      r.peers.map((p) => [p.peer, p.status]),
      [[quiet.peerId, 'answered']],
    )
    assert.ok(r.records.length > 0)
    // exactly what the quiet node holds of that name, listed under its vantage
    const { LocalBackend } = await import('../../node/query/local.ts')
    const own = await LocalBackend.over(quiet.store, quiet.peerId).rrset({
      name: { kind: 'exact', name: id.rrname },
    })
    const fromQuiet = r.records.filter((rec) => rec.vantages.some((v) => v.origin === quiet.peerId))
    assert.equal(fromQuiet.length, own.records.length)
    assert.ok(fromQuiet.length > 0)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    // no sync either way: both stores are as they were
    assert.equal(await digestOf(quiet), quietDigest)
    assert.equal(await digestOf(asker), askerDigest)
    assert.equal(asker.store.findOrigin(quiet.peerId), undefined)
    assert.equal(a.status().peers.find((p) => p.peerId === quiet.peerId)?.syncs, false)
  })
})

describe('a private network key (mesh.psk_file)', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it('joins nodes holding the same key and keeps out one with another key, even when allowlisted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdns-psk-'))
    const keyFile = (name: string) => {
      const f = join(dir, name)
      writeFileSync(f, `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`)
      return f
    }
    const shared = keyFile('shared.key')
    const other = keyFile('other.key')
    const a = await testNode('psk-a')
    const b = await testNode('psk-b')
    const c = await testNode('psk-c')
    nodes.push(a, b, c)
    observe(a, 100, 41)
    observe(b, 100, 42)
    observe(c, 100, 43)
    const ma = await startMesh(a, { allow: [b.peerId, c.peerId], pskFile: shared })
    await startMesh(b, { allow: [a.peerId], peers: [ma.addresses()[0]!], pskFile: shared })
    await startMesh(c, { allow: [a.peerId], peers: [ma.addresses()[0]!], pskFile: other })
    await until('a and b converge', () => converged([a, b]))
    await new Promise((r) => setTimeout(r, 2000))
    assert.equal(a.store.findOrigin(c.peerId), undefined)
    assert.equal(c.store.findOrigin(a.peerId), undefined)
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a key file that is not one, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdns-psk-bad-'))
    const f = join(dir, 'bad.key')
    writeFileSync(f, 'not a key\n')
    const n = await testNode('psk-bad')
    nodes.push(n)
    await assert.rejects(startMesh(n, { pskFile: f }), /mesh\.psk_file: .* is not a pnet key/)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('new across the mesh', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it("adds a query-only peer's new names and drops names another vantage saw before the window", async () => {
    const asker = await testNode('new-asker')
    const quiet = await testNode('new-quiet')
    nodes.push(asker, quiet)
    const now = Math.floor(Date.now() / 1000)
    const seen = (n: TestNode, name: string, first: number) =>
      n.store.apply([
        {
          id: {
            kind: 'rr',
            rrname: name,
            rrtype: 1,
            bailiwick: null,
            rdata: '192.0.2.7',
            origin: n.store.originId(n.peerId),
          },
          value: { first, last: first + 60, count: 3 },
          mode: 'add',
        },
      ])
    seen(quiet, 'fresh-at-quiet.example', now - 3600) // new, and only the quiet peer saw it
    seen(asker, 'fresh-here.example', now - 1800) // new here, unseen elsewhere
    seen(asker, 'old-elsewhere.example', now - 600) // new here, but the quiet peer saw it a month ago
    seen(quiet, 'old-elsewhere.example', now - 30 * 86_400)
    const q = await startMesh(quiet, { allow: [asker.peerId], share: 'query-only' })
    const a = await startMesh(asker, { allow: [quiet.peerId], peers: [q.addresses()[0]!] })
    await until('connected', () => a.status().peers.some((p) => p.peerId === quiet.peerId && p.connected))

    const { LocalBackend } = await import('../../node/query/local.ts')
    const local = await LocalBackend.over(asker.store, asker.peerId).newNames({ since: now - 86_400 })
    assert.deepEqual(
      local.names.map((n) => n.name),
      ['old-elsewhere.example', 'fresh-here.example'],
    )

    const r = await a.query({ lookup: 'new', query: { since: now - 86_400 } })
    assert.deepEqual(
      r.peers.map((p) => [p.peer, p.status, p.error]),
      [[quiet.peerId, 'answered', undefined]],
    )
    assert.deepEqual(
      r.newNames?.map((n) => n.name),
      ['fresh-here.example', 'fresh-at-quiet.example'],
    )
    const atQuiet = r.newNames!.find((n) => n.name === 'fresh-at-quiet.example')!
    assert.deepEqual(
      atQuiet.vantages.map((v) => v.origin),
      [quiet.peerId],
    )
    assert.equal(atQuiet.first, now - 3600)
  })
})
