/**
 * The merge is order-independent at the user's level: importing capture A then B, B then A, or both
 * in one command gives byte-identical `export` output (one fixed origin label, so the three data
 * directories' different peer ids do not show).
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { REPO, runCli } from '../helpers/run-cli.ts'
import { tempDir } from '../store/helpers.ts'

const PCAP_HEADER = 24
const RECORD_HEADER = 16

/** Splits a little-endian classic pcap into two files of alternating pairs of records. */
function splitPcap(src: string, a: string, b: string): number {
  const buf = readFileSync(src)
  const halves: Buffer[][] = [[buf.subarray(0, PCAP_HEADER)], [buf.subarray(0, PCAP_HEADER)]]
  let off = PCAP_HEADER
  let n = 0
  while (off + RECORD_HEADER <= buf.length) {
    const incl = buf.readUInt32LE(off + 8)
    // query and response travel together: split by pairs of records
    halves[Math.floor(n / 2) % 2]!.push(buf.subarray(off, off + RECORD_HEADER + incl))
    off += RECORD_HEADER + incl
    n++
  }
  writeFileSync(a, Buffer.concat(halves[0]!))
  writeFileSync(b, Buffer.concat(halves[1]!))
  return n
}

describe('import order', () => {
  const tmp = tempDir('pdns-merge-order-')
  after(() => tmp.cleanup())
  const a = join(tmp.dir, 'a.pcap')
  const b = join(tmp.dir, 'b.pcap')
  const frames = splitPcap(join(REPO, 'test/fixtures/sample.pcap'), a, b)

  async function importThenExport(name: string, batches: string[][]): Promise<string> {
    const data = join(tmp.dir, name)
    for (const files of batches) {
      const r = await runCli(['import', '--quiet', '--origin', 'sensor-x', '--data', data, ...files])
      assert.equal(r.code, 0, r.stderr)
    }
    const e = await runCli(['export', '--data', data])
    assert.equal(e.code, 0, e.stderr)
    return e.stdout
  }

  it('gives byte-identical exports for A then B, B then A, and A+B at once', async () => {
    assert.ok(frames >= 4, `sample.pcap has ${frames} frames`)
    const ab = await importThenExport('ab', [[a], [b]])
    const ba = await importThenExport('ba', [[b], [a]])
    const both = await importThenExport('both', [[a, b]])
    assert.ok(ab.split('\n').length > 5, 'the export holds records')
    assert.equal(ba, ab)
    assert.equal(both, ab)
    // and the halves really overlap: some record was seen in both, so its count is the sum
    const aOnly = await importThenExport('a-only', [[a]])
    const bOnly = await importThenExport('b-only', [[b]])
    const counts = (text: string) =>
      new Map(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { rrname: string; rrtype: string; rdata: string[]; count: number })
          .map((r) => [`${r.rrname} ${r.rrtype} ${r.rdata.join(' ')}`, r.count]),
      )
    const ca = counts(aOnly)
    const cb = counts(bOnly)
    const merged = counts(ab)
    let shared = 0
    for (const [k, v] of merged) {
      if (ca.has(k) && cb.has(k)) {
        shared++
        assert.equal(v, ca.get(k)! + cb.get(k)!, k)
      }
    }
    assert.ok(shared > 0, 'no record in both halves')
  })
})
