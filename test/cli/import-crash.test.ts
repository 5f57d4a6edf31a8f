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

    const crashed = join(tmp.dir, 'crashed')
    const { child, done } = startCli([
      'import',
      '--quiet',
      '--data',
      crashed,
      '--window-mb',
      '2',
      '--flush-interval',
      '0.05',
      cof,
    ])
    // kill once some flushes reached the disk, long before the end
    const deadline = Date.now() + 60_000
    while (dbBytes(crashed) < 256 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    const res = await done
    assert.equal(res.signal, 'SIGKILL', `the import ended before the kill: ${res.stderr}`)

    const partial = await dumpOf(crashed)
    assert.ok(partial.records > 0 && partial.records < LINES, `records after the kill: ${partial.records}`)

    const again = await runCli(['import', '--quiet', '--data', crashed, cof])
    assert.equal(again.code, 0, again.stderr)
    const healed = await dumpOf(crashed)
    assert.equal(healed.records, LINES)
    // origin numbering and the origin label are the same in both (one COF sensor): byte-identical
    assert.deepEqual(healed.dump, expected.dump)
  })
})
