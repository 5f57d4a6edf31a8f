import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { FLOOD_MAX_STREAMS } from '../../node/mesh/limits.ts'
import { createNetwork } from '../../node/mesh/network.ts'
import {
  decodeEntry,
  encodeEntry,
  encodeSyncRequest,
  PROTOCOL_QUERY,
  PROTOCOL_SYNC,
  type SignedEntry,
  sealEntry,
} from '../../protocol/index.ts'
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

/** A bare libp2p host that speaks raw frames: the hostile peer. */
async function rawPeer(allowed: string) {
  const key = await generateKeyPair('Ed25519')
  const net = await createNetwork({
    privateKey: key,
    listen: [],
    allowed: (id) => id === allowed,
    pskFile: null,
  })
  await net.start()
  return { key, id: peerIdFromPrivateKey(key).toString(), net }
}

/** Sends frames on a sync stream; being reset by the victim is the expected end. */
async function send(net: Libp2p, addr: string, target: string, frames: Uint8Array[], rawBytes?: Uint8Array) {
  try {
    await sendOrThrow(net, addr, target, frames, rawBytes)
  } catch {}
  // the victim hangs up asynchronously: let it
  await new Promise((r) => setTimeout(r, 300))
}

async function sendOrThrow(
  net: Libp2p,
  addr: string,
  target: string,
  frames: Uint8Array[],
  rawBytes?: Uint8Array,
) {
  await net.dial(multiaddr(addr))
  const stream = await net.dialProtocol(peerIdFromString(target), PROTOCOL_SYNC)
  if (rawBytes !== undefined) stream.send(rawBytes)
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 })
  for (const f of frames) await lp.write(f).catch(() => {})
  await lp.read().catch(() => null)
  await stream.close().catch(() => {})
}

describe('a hostile peer', () => {
  const nodes: TestNode[] = []
  const raws: Libp2p[] = []
  after(async () => {
    for (const r of raws) await r.stop()
    for (const n of nodes) await stopNode(n)
  })

  it('is cut off for garbage, oversized frames, forged and altered entries and floods; replays change nothing; honest peers keep syncing', async () => {
    const victim = await testNode('victim')
    const honest = await testNode('honest')
    nodes.push(victim, honest)
    observe(honest, 300, 31)
    observe(victim, 100, 32)
    const attackers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => rawPeer(victim.peerId)))
    raws.push(...attackers.map((a) => a.net))
    const v = await startMesh(victim, { allow: [honest.peerId, ...attackers.map((a) => a.id)] })
    const addr = v.addresses()[0]!
    await startMesh(honest, { allow: [victim.peerId], peers: [addr] })
    await until('first sync', () => converged([victim, honest]))
    const before = await digestOf(victim)

    const honestEntries = honest.feeds.entriesAfter(honest.peerId, 0, Infinity, Infinity) as SignedEntry[]
    const [garbage, oversized, forged, altered, replay, flood] = attackers as [
      (typeof attackers)[0],
      (typeof attackers)[0],
      (typeof attackers)[0],
      (typeof attackers)[0],
      (typeof attackers)[0],
      (typeof attackers)[0],
    ]
    // 1. bytes that are no protobuf message
    await send(garbage.net, addr, victim.peerId, [Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])])
    // 2. a length prefix far over MAX_SYNC_FRAME_BYTES (1 GiB claimed)
    await send(oversized.net, addr, victim.peerId, [], Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04, 0, 0]))
    // 3. an entry that claims the honest author, signed by another key
    const body = decodeEntry(honestEntries[0]!.entry)
    const fake = encodeEntry({
      ...body,
      seq: (honest.feeds.head(honest.peerId)?.seq ?? 0) + 1,
      prev: honest.feeds.head(honest.peerId)!.hash,
    })
    const sig = forged.key.sign(Buffer.concat([Buffer.from('pdns-mesh/entry/1\n'), fake])) as Uint8Array
    await send(forged.net, addr, victim.peerId, [
      encodeSyncRequest({ have: [], push: [{ entry: fake, signature: sig }] }),
    ])
    // 4. a real entry with one byte changed
    const next = sealEntry(honest.key, honest.peerId, 1, new Uint8Array(0), 1, [])
    const changed = Uint8Array.from(next.signed.entry)
    changed[changed.length - 1]! ^= 0x55
    await send(altered.net, addr, victim.peerId, [
      encodeSyncRequest({ have: [], push: [{ entry: changed, signature: next.signed.signature }] }),
    ])
    // 5. replayed entries the victim already holds: accepted as duplicates, nothing changes
    await send(replay.net, addr, victim.peerId, [encodeSyncRequest({ have: [], push: honestEntries })])

    // 6. a flood of streams: more than FLOOD_MAX_STREAMS in the window, each a query that never comes
    const heapBefore = process.memoryUsage().heapUsed
    await flood.net.dial(multiaddr(addr))
    for (let i = 0; i < FLOOD_MAX_STREAMS + 20; i++) {
      try {
        const s = await flood.net.dialProtocol(peerIdFromString(victim.peerId), PROTOCOL_QUERY)
        s.abort(new Error('gone'))
      } catch {
        break
      }
    }
    await new Promise((r) => setTimeout(r, 300))

    const peers = v.status().peers
    const of = (id: string) => peers.find((p) => p.peerId === id)!
    assert.ok('flood' in of(flood.id).violations)
    // what the attacks left behind in this process is small (bounded frames, no per-attacker state kept)
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024)
    for (const a of [garbage, oversized, forged, altered, flood]) {
      assert.ok(of(a.id).bannedUntil !== null, `attacker ${a.id} is banned`)
    }
    assert.ok('bad-signature' in of(forged.id).violations)
    assert.ok('bad-signature' in of(altered.id).violations || 'undecodable' in of(altered.id).violations)
    assert.equal(of(replay.id).bannedUntil, null)
    assert.equal(await digestOf(victim), before)
    assert.equal(victim.store.findOrigin(forged.id), undefined)

    // a banned attacker cannot even connect again
    await garbage.net.hangUp(peerIdFromString(victim.peerId)).catch(() => {})
    await assert.rejects(async () => {
      await garbage.net.dial(multiaddr(addr))
      await garbage.net.dialProtocol(peerIdFromString(victim.peerId), PROTOCOL_SYNC)
    })

    // the honest peer still syncs
    observe(honest, 50, 33)
    await until('honest sync after the attacks', () => converged([victim, honest]))
  })
})
