/**
 * Schema v1 → v2: a v1 data directory made by the v1 code (test/fixtures/store-v1, see its README)
 * is opened by this build. The migration builds the FIRST index, the answers stay those v1 gave,
 * the check passes before (by the v1 rules) and after, and `new` answers from the migrated index.
 */
import assert from 'node:assert/strict'
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { checkDataDir } from '../../node/store/check/index.ts'
import {
  decodeFirstKey,
  decodeRrsetKey,
  decodeU32,
  FIRST_RANGE,
  firstKey,
  metaKey,
  RRSET_RANGE,
  SCHEMA_VERSION,
  TTL_RANGE,
} from '../../node/store/keys.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { SCHEMA_MARKER } from '../../node/store/schema.ts'
import { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'
import { checkIndexes, tempDir } from './helpers.ts'

const FIXTURE = join(REPO, 'test/fixtures/store-v1')
const EXPECTED = join(FIXTURE, 'expected')

const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

/** A copy of the v1 data directory: opening migrates it, and the fixture must stay v1. */
function v1Copy(): string {
  const { dir, cleanup } = tempDir('v1')
  cleanups.push(cleanup)
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

async function schemaOf(dir: string): Promise<number | null> {
  const rocks = await Rocks.open(join(dir, 'db'))
  try {
    const [raw] = rocks.getMany([metaKey('schema')])
    return raw === undefined ? null : decodeU32(raw)
  } finally {
    await rocks.close()
  }
}

function expected(file: string): string {
  return readFileSync(join(EXPECTED, file), 'utf8')
}

describe('a schema v1 database opened by this build', () => {
  it('is a v1 database that the check passes by the v1 rules, before any migration', async () => {
    const dir = v1Copy()
    assert.equal(await schemaOf(dir), 1)
    const r = await checkDataDir(dir)
    assert.deepEqual(r.byKind, {})
    assert.equal(r.counts.first, 0)
    assert.equal(await schemaOf(dir), 1, 'the check migrated it')
  })

  it('is migrated on open: FIRST built from every record, no TTL, version 2 in META and the marker', async () => {
    const dir = v1Copy()
    const store = await Store.open(dir)
    try {
      const summary = checkIndexes(store)
      assert.equal(summary.first, summary.rrsets)
      assert.ok(summary.rrsets >= 17)
      assert.equal([...store.range(TTL_RANGE)].length, 0, 'v1 kept no TTL: none is made up')
      // each record's entry sits at its first_seen
      for (const [key, value] of store.range(RRSET_RANGE)) {
        const v = decodeValue(value)!
        assert.ok(store.getMany([firstKey(v.first, key)])[0] !== undefined)
      }
    } finally {
      await store.close()
    }
    assert.equal(await schemaOf(dir), SCHEMA_VERSION)
    assert.equal(readFileSync(join(dir, SCHEMA_MARKER), 'utf8'), `${SCHEMA_VERSION}\n`)
    const r = await checkDataDir(dir)
    assert.deepEqual(r.byKind, {})
    assert.equal(r.counts.first, r.counts.records)
  })

  it('finishes a migration that was interrupted, dropping FIRST entries a v1 build left stale', async () => {
    const dir = v1Copy()
    // a part-built index with a wrong entry, as a crash and then an older build could leave it
    const rocks = await Rocks.open(join(dir, 'db'))
    const [key, value] = [...rocks.range(RRSET_RANGE)][0]!
    const first = decodeValue(value)!.first
    rocks.write([{ put: firstKey(first + 1, key), value: Buffer.alloc(0) }], { sync: true })
    await rocks.close()
    const store = await Store.open(dir)
    try {
      const firsts = [...store.range(FIRST_RANGE, { values: false })].map(([k]) => decodeFirstKey(k)!)
      const mine = firsts.filter((f) => f.rrset.equals(key))
      assert.deepEqual(
        mine.map((f) => f.firstSeen),
        [first],
        `${decodeRrsetKey(key)?.rrname}: one FIRST entry, at its first_seen`,
      )
      checkIndexes(store)
    } finally {
      await store.close()
    }
  })

  it('answers queries and exports as v1 did, passes `check`, and `new` lists its names', async () => {
    const dir = v1Copy()
    const q = async (args: string[]) => {
      const r = await runCli([...args, '--data', dir])
      assert.equal(r.code, 0, r.stderr)
      return r.stdout
    }
    // the first command migrates
    assert.equal(await q(['export']), expected('export.cof'))
    assert.equal(await schemaOf(dir), SCHEMA_VERSION)
    assert.equal(
      await q(['query', 'rrset', '*.example.com', '--format', 'json']),
      expected('rrset-example-com.ndjson'),
    )
    assert.equal(
      await q(['query', 'rrset', '*.example.org', '--format', 'json']),
      expected('rrset-example-org.ndjson'),
    )
    assert.equal(
      await q(['query', 'rdata', '203.0.113.0/24', '--format', 'json']),
      expected('rdata-203-0-113.ndjson'),
    )
    // the summary gained fields (active, age_days); the v1 ones are unchanged
    const summary = JSON.parse(await q(['query', 'name', 'example.com', '--format', 'json']))
    const v1 = JSON.parse(expected('name-example-com.ndjson'))
    for (const [k, v] of Object.entries(v1)) assert.deepEqual(summary[k], v, k)
    const check = await runCli(['check', '--data', dir])
    assert.equal(check.code, 0, check.stdout + check.stderr)
    const fresh = JSON.parse(await q(['new', '--since', '2026-01-02', '--format', 'json']))
    assert.deepEqual(
      fresh.names.map((n: { name: string }) => n.name),
      ['fresh.example.org'],
    )
    const all = JSON.parse(await q(['new', '--since', '0', '--format', 'json', '--limit', '100']))
    assert.equal(all.names.at(-1).name, 'old.example.org', 'the oldest name comes last')
  })
})
