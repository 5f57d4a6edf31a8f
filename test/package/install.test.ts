/**
 * The package as an operator installs it: `npm pack`, then `npm install -g` of the tarball into a
 * fresh prefix by the system's npm and Node (whatever `node` is on PATH without this checkout's
 * node_modules/.bin: Debian's 20), then the installed command alone — no sources, no checkout —
 * prints its version, imports a capture, answers a query, runs a node that stops cleanly on
 * SIGTERM, and the shipped systemd unit passes `systemd-analyze verify` against it.
 *
 * It packs a copy of the checkout, so that the build (dist/, npm-shrinkwrap.json) never touches
 * the working tree other tests run from. The install resolves every package from npm's cache
 * first (--prefer-offline; the shrinkwrap pins the versions this checkout installed): about a
 * minute, most of it building the pcap addon twice (npm's own build for the system Node, then the
 * postinstall's for the pinned runtime).
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { test } from 'node:test'
import { REPO } from '../helpers/run-cli.ts'

/** What `npm pack` needs of the checkout: sources, build inputs, the lock and what `files` names. */
const PACK_INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'bin',
  'docs',
  'node',
  'protocol',
  'scripts',
]
const STEP_TIMEOUT_MS = 240_000

/** PATH without node_modules/.bin entries: the system's node and npm, as on a fresh host. */
const systemPath = (process.env.PATH ?? '/usr/bin:/bin')
  .split(delimiter)
  .filter((p) => !p.includes('node_modules'))
  .join(delimiter)

/**
 * The environment of an operator's shell: without the `npm_*` variables that `npm test` hands its
 * children (`npm_config_strict_allow_scripts` among them, which turns install scripts into errors
 * that an operator's own `npm install -g` does not see).
 */
const shellEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
)

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...shellEnv, PATH: systemPath, ...opts.env },
    encoding: 'utf8',
    timeout: STEP_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error !== undefined) throw r.error
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the packed tarball installs globally with the system npm and runs without the checkout', {
  timeout: 600_000,
}, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'pdns-package-'))
  t.after(() => rmSync(work, { recursive: true, force: true }))
  const tree = join(work, 'tree')
  for (const entry of PACK_INPUTS) {
    cpSync(join(REPO, entry), join(tree, entry), { recursive: true })
  }
  // the build step (tsc) comes from the checkout's devDependencies
  symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'))

  const pack = run('npm', ['pack', '--pack-destination', work], { cwd: tree })
  assert.equal(pack.code, 0, pack.stderr)
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
  assert.ok(tarball !== undefined, `no tarball:\n${pack.stdout}`)
  assert.equal(existsSync(join(tree, 'npm-shrinkwrap.json')), false, 'postpack removes the shrinkwrap')

  const prefix = join(work, 'prefix')
  // npm 11's allowScripts preflight reads the global tree (<prefix>/lib/node_modules) before the
  // install makes it: on a fresh prefix it must exist
  mkdirSync(join(prefix, 'lib', 'node_modules'), { recursive: true })
  mkdirSync(join(prefix, 'bin'), { recursive: true })
  const install = run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)],
    { cwd: work },
  )
  assert.equal(install.code, 0, install.stderr)
  const pkgDir = join(prefix, 'lib', 'node_modules', 'pdns-mesh')
  assert.equal(existsSync(join(pkgDir, 'node')), false, 'no TypeScript sources in the package')
  assert.equal(existsSync(join(pkgDir, 'test')), false, 'no tests or fixtures in the package')
  assert.ok(existsSync(join(pkgDir, 'dist', 'node', 'dnstap', 'dnstap.proto')), 'schemas beside the code')

  const bin = join(prefix, 'bin', 'pdns-mesh')
  const cli = (args: string[]) => run(bin, args, { cwd: work, env: { PDNS_MESH_DATA: '' } })
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string
  const v = cli(['--version'])
  assert.equal(v.code, 0, v.stderr)
  assert.equal(v.stdout.trim(), version)

  // the pcap addon is built for the pinned runtime, as in the checkout (where the checkout has one)
  const checkoutAddon = join(REPO, 'node_modules', 'pcap', 'build', 'Release', 'pcap_binding.node')
  if (existsSync(checkoutAddon)) {
    const runtime = join(pkgDir, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node')
    const load = run(runtime, ['-e', `require(${JSON.stringify(join(pkgDir, 'node_modules', 'pcap'))})`])
    assert.equal(
      load.code,
      0,
      `the installed pcap addon does not load under the pinned runtime:\n${load.stderr}`,
    )
  } else {
    t.diagnostic('this checkout has no pcap addon (libpcap-dev missing?): the installed one is not checked')
  }

  // so is the store's native addon, beside the compiled store (where the checkout has one)
  const checkoutFlat = join(REPO, 'node', 'store', 'native', 'build', 'Release', 'rocks_native.node')
  if (existsSync(checkoutFlat)) {
    const runtime = join(pkgDir, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node')
    const addon = join(pkgDir, 'dist', 'node', 'store', 'native', 'build', 'Release', 'rocks_native.node')
    const binding = join(pkgDir, 'node_modules', '@nxtedition', 'rocksdb')
    const load = run(runtime, [
      '-e',
      `require(${JSON.stringify(binding)}); const a = require(${JSON.stringify(addon)}); if (typeof a.write !== 'function') process.exit(3)`,
    ])
    assert.equal(
      load.code,
      0,
      `the installed native addon does not load under the pinned runtime:\n${load.stderr}`,
    )
  } else {
    t.diagnostic('this checkout has no native addon: the installed one is not checked')
  }

  const data = join(work, 'data')
  const imp = cli(['import', '--data', data, join(REPO, 'test', 'fixtures', 'sample.pcap')])
  assert.equal(imp.code, 0, imp.stderr)
  const q = cli(['query', 'name', 'example.com', '--data', data, '--format', 'json'])
  assert.equal(q.code, 0, q.stderr)
  assert.equal(JSON.parse(q.stdout).name, 'example.com')

  // a short node: ready, answering through its control socket, then a clean stop on SIGTERM
  const node = spawn(bin, ['start', '--data', data, '--no-capture', '--no-dnstap'], {
    cwd: work,
    env: { ...process.env, PATH: systemPath, PDNS_MESH_DATA: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.after(() => node.kill('SIGKILL'))
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => node.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the installed node did not start:\n${stderr}`)), 60_000)
    node.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      if (stderr.includes('"msg":"node started"')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then((code) => reject(new Error(`the installed node exited ${code}:\n${stderr}`)))
  })
  const stats = cli(['stats', '--data', data, '--format', 'json'])
  assert.equal(stats.code, 0, stats.stderr)
  assert.equal(JSON.parse(stats.stdout).node.version, version)
  node.kill('SIGTERM')
  assert.equal(await exited, 0, stderr)
  assert.match(stderr, /"msg":"node stopped"/)

  // the shipped unit, pointed at this install, is one systemd accepts
  const analyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' })
  if (analyze.error !== undefined) {
    t.diagnostic('systemd-analyze not installed (apt-get install systemd): the unit is not verified')
    return
  }
  const unit = join(work, 'pdns-mesh.service')
  writeFileSync(
    unit,
    readFileSync(join(pkgDir, 'scripts', 'systemd', 'pdns-mesh.service'), 'utf8').replace(
      'ExecStart=/usr/local/bin/pdns-mesh',
      `ExecStart=${bin}`,
    ),
  )
  const verify = run('systemd-analyze', ['verify', unit])
  assert.equal(verify.code, 0, verify.stderr)
  // verify exits 0 over a value it ignored: anything it says is a finding
  assert.equal(verify.stderr.trim(), '', verify.stderr)
})
