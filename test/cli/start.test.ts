/**
 * `pdns-mesh start` as an operator meets it: a bad configuration stops it before anything starts, a
 * second node on the same data is refused, and without the capture privilege the default
 * interface is skipped with a message saying how to fix it while a named interface is an error,
 * and a node without the store's native addon says so.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { nativeAddon, nativeAddonUnavailable } from '../../node/store/native/index.ts'
import { mayCapture } from '../capture/live-helpers.ts'
import { startNode, until } from '../e2e/node-process.ts'
import { BIN, REPO, runCli } from '../helpers/run-cli.ts'
import { NOBODY, readableCheckout, setpriv } from '../helpers/unprivileged.ts'

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-start-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('an unknown key in the config file exits 2 naming the key and the file, and creates nothing', async (t) => {
  const dir = tempDir(t)
  const config = join(dir, 'bad.toml')
  writeFileSync(config, '[store]\nwindow_mb = 64\nflush_intervall = "5s"\n')
  const data = join(dir, 'data')
  const r = await runCli(['start', '--config', config, '--data', data, '--no-capture'])
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /store\.flush_intervall/)
  assert.match(r.stderr, /bad\.toml/)
  assert.equal(existsSync(data), false, 'nothing created')
})

test('a value out of range exits 2 naming the key', async (t) => {
  const dir = tempDir(t)
  const config = join(dir, 'c.toml')
  writeFileSync(config, '[capture]\nsnaplen = 10\n')
  const r = await runCli(['start', '--config', config, '--data', join(dir, 'data'), '--no-capture'])
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /capture\.snaplen/)
})

test('a second node on the same data directory is refused while the first keeps running', async (t) => {
  const dir = tempDir(t)
  const data = join(dir, 'data')
  const first = await startNode(data, ['--no-capture'])
  t.after(() => first.child.kill('SIGKILL'))
  const second = await runCli(['start', '--data', data, '--no-capture', '--no-dnstap'])
  assert.equal(second.code, 1)
  assert.match(second.stderr, /already runs/)
  // the first one still answers
  assert.equal((await first.stats()).node.pid, first.child.pid)
  assert.equal((await first.stop()).code, 0)
  assert.equal(existsSync(join(data, 'control.sock')), false, 'control socket removed at stop')
  assert.equal(existsSync(join(data, 'dnstap.sock')), false, 'dnstap socket removed at stop')
})

/** How a child starts the CLI: the program and arguments before the CLI's own, and its cwd. */
interface Launch {
  argv: string[]
  cwd: string
}

function runAs(
  launch: Launch,
  args: string[],
  stopAfter: (stderr: string) => boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(launch.argv[0]!, [...launch.argv.slice(1), ...args], {
      cwd: launch.cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    let signalled = false
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      // once, as a service manager does: a repeat after the node has stopped would find no handler
      if (!signalled && stopAfter(stderr)) {
        signalled = true
        child.kill('SIGTERM')
      }
    })
    child.once('exit', (code) => resolve({ code, stderr }))
  })
}

/**
 * The CLI without capture capabilities: as it is when this process has none, else as nobody (from
 * a copy of the checkout when nobody cannot read it); null when that cannot be (the test skipped).
 */
function unprivileged(t: TestContext): Launch | null {
  if (!mayCapture()) return { argv: [process.execPath, BIN], cwd: REPO }
  const checkout = readableCheckout(t)
  if (checkout === null) return null
  return { argv: [setpriv()!, ...NOBODY, checkout.node, checkout.at(BIN)], cwd: checkout.root }
}

test('without the capture privilege the default interface is skipped with the fix; a named one is an error', async (t) => {
  const launch = unprivileged(t)
  if (launch === null) return
  const dir = tempDir(t)
  chmodSync(dir, 0o777)
  const data = join(dir, 'data')
  // the default interface: a warning that says why and how, then the node runs (dnstap, queries)
  const soft = await runAs(launch, ['start', '--data', data], (e) => e.includes('"node started"'))
  assert.equal(soft.code, 0, soft.stderr)
  const warn = soft.stderr.split('\n').find((l) => l.includes('live capture is off'))
  assert.ok(warn !== undefined, soft.stderr)
  assert.match(warn, /CAP_NET_RAW/)
  assert.match(warn, /setcap|--no-capture/)
  // a named interface the node cannot open stops the start
  const hard = await runAs(launch, ['start', '--data', data, '--interface', 'lo'], () => false)
  assert.equal(hard.code, 1)
  assert.match(hard.stderr, /ERR_CAPTURE_PERMISSION|CAP_NET_RAW/)
  await until('socket cleanup', () => !existsSync(join(data, 'control.sock')), 5000)
})

test('a node writing without the native addon says so at start, with the reason, and runs', async (t) => {
  const dir = tempDir(t)
  const launch = { argv: [process.execPath, BIN], cwd: REPO }
  const args = ['start', '--data', join(dir, 'data'), '--no-capture', '--no-dnstap']
  const started = (e: string) => e.includes('"node started"')
  const off = await runAs(launch, args, started, { ...process.env, PDNS_MESH_NATIVE: 'off' })
  assert.equal(off.code, 0, off.stderr)
  const warn = off.stderr.split('\n').find((l) => l.includes('native addon is not in use'))
  assert.ok(warn !== undefined, off.stderr)
  assert.equal(JSON.parse(warn).reason, 'turned off (PDNS_MESH_NATIVE=off)')
  // with the addon built (always under CI), no such warning
  const on = await runAs(launch, args, started, { ...process.env, PDNS_MESH_NATIVE: '' })
  assert.equal(on.code, 0, on.stderr)
  if (nativeAddon() !== null) assert.doesNotMatch(on.stderr, /native addon is not in use/)
  else t.diagnostic(`the native addon is not built here: ${nativeAddonUnavailable()}`)
})
