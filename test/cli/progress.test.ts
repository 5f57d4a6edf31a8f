import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatRate, ProgressBar } from '../../node/cli/output/progress.ts'

/** Collects what the bar writes; a stand-in for a terminal's stderr. */
function fakeTerminal(columns = 120) {
  const writes: string[] = []
  const out = { columns, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream
  return { out, writes }
}

test('the progress bar redraws one line with the share done, sizes and rate, then erases it', () => {
  const { out, writes } = fakeTerminal()
  const bar = new ProgressBar(out, 'big.pcap')
  bar.update(50 * 1048576, 100 * 1048576, 1000)
  assert.equal(writes.length, 1)
  assert.match(writes[0]!, /^\rbig\.pcap \[#{15} {15}\] {2}50% 50\.0\/100\.0 MiB .* pkt\/s$/)
  bar.update(60 * 1048576, 100 * 1048576, 2000) // within the redraw interval: not drawn
  assert.equal(writes.length, 1)
  bar.clear()
  assert.equal(writes.at(-1), '\r\x1b[2K')
})

test('the progress line never exceeds the terminal width', () => {
  const { out, writes } = fakeTerminal(30)
  new ProgressBar(out, 'a-rather-long-capture-file-name.pcapng.gz').update(1, 2, 3)
  assert.ok(writes[0]!.length <= 30)
})

test('rates read as plain, k or M', () => {
  assert.equal(formatRate(950), '950')
  assert.equal(formatRate(12_345), '12.3 k')
  assert.equal(formatRate(1_234_567), '1.23 M')
})
