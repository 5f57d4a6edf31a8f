import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatRate, ProgressBar } from '../../node/cli/output/progress.ts'

/** Collects what the bar writes; a stand-in for a terminal's stderr. */
function fakeTerminal(columns = 120) {
  const writes: string[] = []
  const out = { columns, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream
  return { out, writes }
}

/** A clock the test moves by hand, starting where a fresh process's performance.now() does. */
function manualClock(start = 0) {
  let now = start
  return { clock: () => now, advance: (ms: number) => (now += ms) }
}

test('the progress bar redraws one line with the share done, sizes and rate, then erases it', () => {
  const { out, writes } = fakeTerminal()
  const { clock, advance } = manualClock(5000)
  const bar = new ProgressBar(out, 'big.pcap', 'pkt', clock)
  advance(2000)
  bar.update(50 * 1048576, 100 * 1048576, 1000)
  assert.equal(writes.length, 1)
  assert.match(writes[0]!, /^\rbig\.pcap \[#{15} {15}\] {2}50% 50\.0\/100\.0 MiB 500 pkt\/s$/)
  advance(99)
  bar.update(60 * 1048576, 100 * 1048576, 2000) // within the redraw interval: not drawn
  assert.equal(writes.length, 1)
  advance(1)
  bar.update(70 * 1048576, 100 * 1048576, 3000)
  assert.equal(writes.length, 2)
  assert.match(writes[1]!, /\] {2}70% 70\.0\/100\.0 MiB/)
  bar.clear()
  assert.equal(writes.at(-1), '\r\x1b[2K')
})

test('the first update draws at once, even in a process younger than the redraw interval', () => {
  // performance.now() counts from the process start: a bar made in the first 100 ms reads a clock
  // below the redraw interval, and its first draw must not wait for the second update
  const { out, writes } = fakeTerminal()
  const { clock, advance } = manualClock(0)
  const bar = new ProgressBar(out, 'small.pcap', 'pkt', clock)
  advance(3)
  bar.update(1, 2, 3)
  assert.equal(writes.length, 1)
  assert.match(writes[0]!, /^\rsmall\.pcap \[/)
})

test('a bar never drawn erases nothing', () => {
  const { out, writes } = fakeTerminal()
  new ProgressBar(out, 'x.pcap').clear()
  assert.deepEqual(writes, [])
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
