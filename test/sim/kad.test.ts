import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  closest,
  commonPrefix,
  compareDistance,
  lookup,
  makeIds,
  registeredDomain,
  routingTables,
  shardKey,
} from '../../scripts/sim/kad.ts'
import { prng } from '../helpers/prng.ts'

test('closest() returns the r nearest ids by XOR, in order, as a brute-force sort does', () => {
  const rand = prng(11)
  const ids = makeIds(500, rand)
  for (let q = 0; q < 50; q++) {
    const key = { hi: Math.floor(rand() * 2 ** 32) >>> 0, lo: Math.floor(rand() * 2 ** 32) >>> 0 }
    const all = [...Array(500).keys()].sort((a, b) =>
      compareDistance(key, ids.hi[a]!, ids.lo[a]!, ids.hi[b]!, ids.lo[b]!),
    )
    assert.deepEqual(closest(ids, key, 5), all.slice(0, 5))
    const odd = (i: number) => i % 2 === 1
    assert.deepEqual(closest(ids, key, 4, odd), all.filter(odd).slice(0, 4))
  }
})

test('routing tables: bucket i of a node holds only nodes sharing exactly i leading bits', () => {
  const rand = prng(12)
  const ids = makeIds(300, rand)
  const tables = routingTables(ids, 20, rand)
  for (let n = 0; n < 300; n++) {
    const perBucket = new Map<number, number>()
    for (const c of tables[n]!) {
      assert.notEqual(c, n)
      const b = commonPrefix(ids.hi[n]!, ids.lo[n]!, ids.hi[c]!, ids.lo[c]!)
      perBucket.set(b, (perBucket.get(b) ?? 0) + 1)
    }
    for (const size of perBucket.values()) assert.ok(size <= 20)
  }
})

test('iterative lookups find the r closest nodes, also with 10 % of them offline', () => {
  const rand = prng(13)
  const ids = makeIds(1000, rand)
  const tables = routingTables(ids, 20, rand)
  const offline = new Set<number>()
  while (offline.size < 100) offline.add(Math.floor(rand() * 1000))
  for (const online of [() => true, (i: number) => !offline.has(i)]) {
    for (let q = 0; q < 50; q++) {
      const key = { hi: Math.floor(rand() * 2 ** 32) >>> 0, lo: Math.floor(rand() * 2 ** 32) >>> 0 }
      let origin = Math.floor(rand() * 1000)
      while (!online(origin)) origin = (origin + 1) % 1000
      const res = lookup(ids, tables, origin, key, 20, 3, online, 3)
      assert.deepEqual(res.found.slice(0, 3), closest(ids, key, 3, online))
      assert.ok(res.rounds <= 6, `rounds ${res.rounds}`)
    }
  }
})

test('shard key: names of one registered domain share a shard; two-label suffixes count as one', () => {
  assert.equal(registeredDomain('www.example.com'), 'example.com')
  assert.equal(registeredDomain('a.b.example.co.uk'), 'example.co.uk')
  assert.equal(registeredDomain('example.com.'), 'example.com')
  assert.equal(registeredDomain('com'), 'com')
  assert.equal(registeredDomain('user.github.io'), 'user.github.io')
  assert.deepEqual(shardKey('www.Example.com'), shardKey('mail.example.com'))
  assert.notDeepEqual(shardKey('www.example.com'), shardKey('www.example.net'))
  assert.notDeepEqual(shardKey('www.example.com', 1), shardKey('www.example.com', 2))
})
