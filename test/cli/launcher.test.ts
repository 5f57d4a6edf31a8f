/**
 * `pdns-mesh start` under each launcher is one process to whoever started it: killing the pid a
 * shell's `&` gives — with SIGKILL, which no launcher can forward — ends the node too, so the store
 * is released: `check` succeeds and a new node starts on the same data.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { processExists } from '../../node/cli/launcher.ts'
import { pinnedRuntime } from '../../scripts/tools/runtime.js'
import { startNode, until } from '../e2e/node-process.ts'
import { BIN, REPO, runCli } from '../helpers/run-cli.ts'

const PINNED = pinnedRuntime()

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-launcher-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A Node other than the pinned runtime (the launcher re-executes the CLI under the pinned one). */
function otherNode(): string | null {
  for (const bin of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(bin)) continue
    const version = execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
    if (version !== PINNED?.version) return bin
  }
  return null
}

interface Launched {
  /** the pid `$!` gave the shell: the launcher */
  launcher: number
  /** the pid of the process that runs the node (from its status) */
  node: number
}

/**
 * Runs `command` in the background of a shell (`command & echo $!; wait`), as an operator or a
 * script does, and waits for the node to answer on its control socket.
 */
async function launch(t: TestContext, command: string, data: string): Promise<Launched> {
  const sh = spawn('/bin/sh', ['-c', `${command} & echo $!; wait`], {
    cwd: REPO,
    env: { ...process.env, PDNS_MESH_DATA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  sh.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  sh.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  let shellExited = false
  sh.once('exit', () => {
    shellExited = true
  })
  t.after(() => {
    if (!shellExited) sh.kill('SIGKILL')
  })
  await until(
    'the node to start',
    () => {
      if (shellExited) throw new Error(`the launcher exited before the node started:\n${stderr}`)
      return stderr.includes('"node started"')
    },
    60_000,
  )
  const launcher = Number(stdout.split('\n')[0])
  assert.ok(launcher > 0, `no pid from the shell: ${stdout}`)
  const stats = await runCli(['stats', '--format', 'json', '--data', data])
  assert.equal(stats.code, 0, stats.stderr)
  const node = (JSON.parse(stats.stdout) as { node: { pid: number } }).node.pid
  // should the test fail below, the node must not outlive it
  t.after(() => {
    if (processExists(node)) process.kill(node, 'SIGKILL')
  })
  return { launcher, node }
}

/** SIGKILLs the launcher and shows that the node ended with it and left the store usable. */
async function killLauncherAndRestart(running: Launched, data: string): Promise<void> {
  process.kill(running.launcher, 'SIGKILL')
  await until('the node to end with its launcher', () => !processExists(running.node), 15_000)
  const check = await runCli(['check', '--data', data])
  assert.equal(check.code, 0, check.stderr)
  assert.match(check.stdout, /problems\s+none/)
  const again = await startNode(data, ['--no-capture'])
  assert.equal((await again.stop()).code, 0)
}

test('a node the launcher re-executes under the pinned runtime ends when the launcher is killed with SIGKILL', async (t) => {
  const node = otherNode()
  if (node === null) {
    const why = 'no Node other than the pinned runtime to launch from: the re-exec path is not run'
    if (process.env.CI === 'true') throw new Error(why)
    return t.skip(why)
  }
  const data = join(tempDir(t), 'data')
  const running = await launch(t, `"${node}" "${BIN}" start --data "${data}" --no-capture`, data)
  assert.notEqual(running.node, running.launcher, 'the launcher runs the node as its child')
  await killLauncherAndRestart(running, data)
})

test('under the pinned runtime the launcher is the node: SIGKILL on its pid ends the node', async (t) => {
  if (PINNED === null) return t.skip('the pinned runtime is not installed')
  const data = join(tempDir(t), 'data')
  const running = await launch(t, `"${PINNED.bin}" "${BIN}" start --data "${data}" --no-capture`, data)
  assert.equal(running.node, running.launcher)
  await killLauncherAndRestart(running, data)
})

test('a node run by `npm start` ends when npm is killed with SIGKILL', async (t) => {
  const data = join(tempDir(t), 'data')
  const running = await launch(t, `npm start --silent -- --data "${data}" --no-capture`, data)
  assert.notEqual(running.node, running.launcher, 'npm runs the node as its child')
  await killLauncherAndRestart(running, data)
})
