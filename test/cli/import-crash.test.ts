/**
 * kill -9 of a real `pdns-mesh import` mid-file: the database must reopen with its indexes in
 * agreement, and since COF counts merge by maximum, importing the same file again must give exactly
 * the database a clean import gives (nothing half-written survives as a difference).
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Store } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { runCli, startCli } from '../helpers/run-cli.ts'
import { checkIndexes, dump, tempDir } from '../store/helpers.ts'

const LINES = 120_000

function writeCof(path: string): void {
  const rand = prng(0xc0f)
  const out: string[] = []
  for (let i = 0; i < LINES; i++) {
    const first = 1_700_000_000 + randInt(rand, 1_000_000)
    out.push(
      JSON.stringify({
        rrname: `h${i}.z${i % 997}.example`,
        rrtype: 'A',
        rdata: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
        time_first: first,
        time_last: first + randInt(rand, 86_400),
        count: 1 + randInt(rand, 50),
        sensor_id: 'crash-test',
      }),
    )
  }
  writeFileSync(path, `${out.join('\n')}\n`)
}

function dbBytes(dir: string): number {
  const db = join(dir, 'db')
  if (!existsSync(db)) return 0
  let n = 0
  for (const f of readdirSync(db))
    if (f.endsWith('.sst') || f.endsWith('.log')) n += statSync(join(db, f)).size
  return n
}

async function dumpOf(dir: string): Promise<{ dump: string[]; records: number }> {
  const store = await Store.open(dir)
  try {
    const summary = checkIndexes(store)
    // the data directory's own files (identity, schema marker) are not part of the comparison, nor
    // the META marker named for the directory's identity (feed-backfilled/<peer id>)
    const own = `00${Buffer.from('feed-backfilled/').toString('hex')}`
    return { dump: dump(store).filter((line) => !line.startsWith(own)), records: summary.rrsets }
  } finally {
    await store.close()
  }
}

/** Bytes of the database (WAL and tables) to wait for before the kill, one attempt after the other. */
const KILL_AT_DB_BYTES = [256 << 10, 1 << 20, 64 << 10, 4 << 20, 16 << 10]

/** Imports `cof` into `dir` in small, frequent flushes, kills it at `killAt` bytes, and checks the indexes; the records it left. */
async function killedImport(dir: string, cof: string, killAt: number): Promise<number> {
  const { child, done } = startCli([
    'import',
    '--quiet',
    '--data',
    dir,
    '--window-mb',
    '2',
    '--flush-interval',
    '0.05',
    cof,
  ])
  const deadline = Date.now() + 60_000
  while (dbBytes(dir) < killAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  child.kill('SIGKILL')
  const res = await done
  // the import may have finished first (a fast machine, a late size): then it must have succeeded
  if (res.signal !== 'SIGKILL') assert.equal(res.code, 0, `the import failed: ${res.stderr}`)
  return (await dumpOf(dir)).records
}

describe('import killed with SIGKILL', () => {
  const tmp = tempDir('pdns-import-crash-')
  after(() => tmp.cleanup())
  const cof = join(tmp.dir, 'records.cof')
  writeCof(cof)

  it('reopens consistent, and a second import gives exactly the clean import', async () => {
    const clean = join(tmp.dir, 'clean')
    const r = await runCli(['import', '--quiet', '--data', clean, cof])
    assert.equal(r.code, 0, r.stderr)
    const expected = await dumpOf(clean)
    assert.equal(expected.records, LINES)

    // A kill that lands inside the first batch's append leaves nothing (the torn batch is dropped at
    // the next open), one after the last leaves everything: where a kill lands depends on the
    // machine's speed, so other log sizes are tried until one lands between two batches. Every
    // attempt must reopen consistent (dumpOf checks the indexes).
    let crashed: string | null = null
    for (const killAt of KILL_AT_DB_BYTES) {
      const dir = join(tmp.dir, `crashed-${killAt}`)
      const partial = await killedImport(dir, cof, killAt)
      if (partial > 0 && partial < LINES) {
        crashed = dir
        break
      }
    }
    assert.ok(crashed !== null, 'no kill landed between two batches at any of the sizes tried')

    const again = await runCli(['import', '--quiet', '--data', crashed, cof])
    assert.equal(again.code, 0, again.stderr)
    const healed = await dumpOf(crashed)
    assert.equal(healed.records, LINES)
    // origin numbering and the origin label are the same in both (one COF sensor): byte-identical
    assert.deepEqual(healed.dump, expected.dump)
  })
})
