/**
 * How `parse` ends when it is cut short: interrupted by a signal (directly, or through the
 * launcher running on an older system Node), or when the reader of its output goes away.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { pinnedRuntime } from '../../scripts/tools/runtime.js'
import { BIN, REPO, startCli } from '../helpers/run-cli.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')
/** copies of the sample's frames: enough that parsing is still running when the signal lands */
const REPEAT = 20_000
let big = ''

before(async () => {
  const sample = await readFile(SAMPLE)
  const header = sample.subarray(0, 24)
  const records = sample.subarray(24)
  big = join(await mkdtemp(join(tmpdir(), 'pdns-sig-')), 'big.pcap')
  await writeFile(big, Buffer.concat([header, ...new Array<Buffer>(REPEAT).fill(records)]))
})

function firstOutput(child: ReturnType<typeof startCli>['child']): Promise<void> {
  return new Promise((resolve) => child.stdout!.once('data', () => resolve()))
}

test('SIGINT stops parse cleanly: every observation read so far is written, the summary follows, exit 130', async () => {
  const run = startCli(['parse', '--summary-json', big])
  await firstOutput(run.child)
  run.child.kill('SIGINT')
  const r = await run.done
  assert.equal(r.code, 130, r.stderr)
  const lines = r.stdout.split('\n').filter(Boolean)
  for (const l of lines) JSON.parse(l) // no line cut in half
  const summary = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{'))!)
  assert.equal(summary.interrupted, true)
  assert.equal(summary.observations, lines.length)
  assert.ok(summary.frames < REPEAT * 17, 'it stopped early')
  assert.match(r.stderr, /interrupted; the summary covers what was read/)
})

test('a reader closing the pipe early ends parse quietly with status 0', async () => {
  // bash's PIPESTATUS carries parse's own status, not head's
  const script = `"${process.execPath}" "${BIN}" parse --quiet "${big}" | head -n 1 > /dev/null; exit \${PIPESTATUS[0]}`
  const child = spawn(script, { shell: '/bin/bash', stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 0)
  assert.doesNotMatch(stderr, /Error|EPIPE|at /)
})

test('the launcher re-executes under the pinned runtime, and a terminal Ctrl-C still ends parse cleanly', async (t) => {
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find(existsSync)
  if (systemNode === undefined) return t.skip('no system node to launch from')
  const pinned = pinnedRuntime()!.version
  const help = await startCli(['--help'], { nodeBin: systemNode }).done
  assert.equal(help.code, 0)
  assert.match(help.stdout, new RegExp(`\\(Node v${pinned.replaceAll('.', '\\.')}\\)`))

  // Ctrl-C on a terminal signals the whole process group: the launcher and the CLI both get it,
  // and the launcher forwards it once more; the CLI must still stop cleanly, not die on the echo.
  const run = startCli(['parse', '--summary-json', big], { nodeBin: systemNode, detached: true })
  await firstOutput(run.child)
  // stop reading, so the CLI blocks on a full pipe and takes the two signals one at a time
  run.child.stdout!.pause()
  await new Promise((resolve) => setTimeout(resolve, 300))
  process.kill(-run.child.pid!, 'SIGINT')
  await new Promise((resolve) => setTimeout(resolve, 100))
  run.child.stdout!.resume()
  const r = await run.done
  assert.equal(r.code, 130, `code ${r.code}, signal ${r.signal}; ${r.stderr}`)
  const lines = r.stdout.split('\n').filter(Boolean)
  for (const l of lines) JSON.parse(l)
  const summary = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{'))!)
  assert.equal(summary.interrupted, true)
  assert.equal(summary.observations, lines.length)
})

test('a SIGTERM sent to the launcher alone is forwarded: parse flushes, summarises and exits 143', async (t) => {
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find(existsSync)
  if (systemNode === undefined) return t.skip('no system node to launch from')
  const run = startCli(['parse', '--summary-json', big], { nodeBin: systemNode })
  await firstOutput(run.child)
  run.child.kill('SIGTERM')
  const r = await run.done
  assert.equal(r.code, 143, `code ${r.code}, signal ${r.signal}; ${r.stderr}`)
  const lines = r.stdout.split('\n').filter(Boolean)
  for (const l of lines) JSON.parse(l)
  const summary = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{'))!)
  assert.equal(summary.observations, lines.length)
})
