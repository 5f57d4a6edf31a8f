/**
 * Readiness under a service manager (systemd `Type=notify`): `pdns-mesh start` reports READY=1
 * only once the node answers on its control socket, and STOPPING=1 with the time stopping may take
 * when asked to stop; messages reach a socket named by path or an abstract one ('@…'); and without
 * systemd-notify the node says so instead of failing.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { takeServiceNotifier } from '../../node/cli/sd-notify.ts'
import { listenNotifySocket, requireNotifyTools } from '../helpers/notify-socket.ts'
import { BIN, REPO, runCli } from '../helpers/run-cli.ts'

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-notify-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('without NOTIFY_SOCKET there is nothing to tell, and the variable is taken out of the environment', () => {
  assert.equal(takeServiceNotifier({ PATH: '/usr/bin' }), null)
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: '/run/systemd/notify' }
  assert.equal(takeServiceNotifier(env)?.socket, '/run/systemd/notify')
  assert.equal('NOTIFY_SOCKET' in env, false, 'nothing started later speaks for the service')
})

test('a node under Type=notify reports ready only once its control socket answers, and stopping when signalled', async (t) => {
  if (!requireNotifyTools(t)) return
  const dir = tempDir(t)
  const sock = await listenNotifySocket(t, join(dir, 'notify.sock'))
  const data = join(dir, 'data')
  const child = spawn(process.execPath, [BIN, 'start', '--data', data, '--no-capture', '--no-dnstap'], {
    cwd: REPO,
    env: { ...process.env, NOTIFY_SOCKET: sock.address, PDNS_MESH_DATA: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.after(() => child.kill('SIGKILL'))
  let stderr = ''
  let startedAt: number | null = null
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    if (startedAt === null && stderr.includes('"msg":"node started"')) startedAt = performance.now()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const ready = await sock.next('READY')
  assert.equal(ready.fields.READY, '1')
  assert.ok(startedAt !== null && startedAt <= ready.at, `READY before "node started":\n${stderr}`)
  assert.match(ready.fields.STATUS ?? '', /^running as 12D3KooW/)
  // what a unit ordered after this one would do first
  const stats = await runCli(['stats', '--data', data])
  assert.equal(stats.code, 0, stats.stderr)

  child.kill('SIGTERM')
  const stopping = await sock.next('STOPPING')
  // shutdown_timeout (10 s by default) plus the margin for the exit after it, in µs
  assert.equal(stopping.fields.EXTEND_TIMEOUT_USEC, '15000000')
  assert.equal(await exited, 0, stderr)
  assert.doesNotMatch(stderr, /could not report readiness/)
})

test('messages reach an abstract socket (NOTIFY_SOCKET=@name)', async (t) => {
  if (!requireNotifyTools(t)) return
  const name = `@pdns-mesh-test-${process.pid}-${Date.now()}`
  const sock = await listenNotifySocket(t, name)
  const notifier = takeServiceNotifier({ NOTIFY_SOCKET: name, PATH: process.env.PATH })!
  assert.equal(await notifier.send({ READY: '1', STATUS: 'two\nlines' }), null)
  const m = await sock.next('READY')
  assert.equal(m.fields.STATUS, 'two lines', 'a value cannot start another assignment')
})

test('without systemd-notify, sending says what is missing instead of throwing', async () => {
  const notifier = takeServiceNotifier({ NOTIFY_SOCKET: '/nonexistent/notify', PATH: '/nonexistent' })!
  assert.match((await notifier.send({ READY: '1' })) ?? '', /systemd-notify is not installed/)
})

test('a socket nobody listens on is reported, not thrown', async (t) => {
  if (!requireNotifyTools(t)) return
  const notifier = takeServiceNotifier({
    NOTIFY_SOCKET: join(tempDir(t), 'absent.sock'),
    PATH: process.env.PATH,
  })!
  assert.match((await notifier.send({ READY: '1' })) ?? '', /systemd-notify exited/)
})
