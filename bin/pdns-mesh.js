#!/usr/bin/env node
// Launcher. It must run on whatever `node` the shell finds (Debian ships 20), so it is plain
// JavaScript with no dependencies. The CLI itself is TypeScript run by the runtime pinned in
// package.json (npm package `node-<platform>-<arch>`, see scripts/tools/runtime.js): type stripping and libp2p 3 need Node >= 22, and the native
// addons are built for that runtime's ABI. Unless this already is the pinned runtime, re-exec
// under it, forwarding arguments, stdio, signals and the exit status. The child is told this
// process's pid (added to PDNS_MESH_LAUNCHER_PID, see node/cli/launcher.ts) and stops when it is
// gone: a launcher killed with SIGKILL forwards nothing, and must not leave a node running as an
// orphan holding the store's lock.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import module from 'node:module'
import { constants, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { pinnedRuntime } from '../scripts/tools/runtime.js'

const MIN_MAJOR = 22
const MIN_MINOR = 18
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']
/** Names the launcher to the CLI: node/cli/launcher.ts LAUNCHER_PID_ENV. */
const LAUNCHER_PID_ENV = 'PDNS_MESH_LAUNCHER_PID'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// A checkout runs its TypeScript directly. An installed package has no sources (package.json
// `files`) and runs the JavaScript built into dist/ when it was packed (scripts/tools/build-dist.js):
// Node strips types only outside node_modules. The sources win when both are there, so a dist/ left
// in a checkout by `npm pack` is never run instead of the code being edited.
const source = join(root, 'node', 'cli', 'main.ts')
const main = existsSync(source) ? source : join(root, 'dist', 'node', 'cli', 'main.js')

function modern(version) {
  const [major, minor] = version.split('.').map(Number)
  return major > MIN_MAJOR || (major === MIN_MAJOR && minor >= MIN_MINOR)
}

/** The launchers above this one (`npm start` names npm) and this one, for the CLI to watch. */
function launchers() {
  const outer = process.env[LAUNCHER_PID_ENV]
  return outer ? `${outer},${process.pid}` : String(process.pid)
}

// Node keeps the CLI's modules compiled (TypeScript stripped, bytecode) in a cache on disk, keyed
// by their content: a command starts in about half the CPU time (0.25 s instead of 0.5 s here).
// NODE_COMPILE_CACHE set by the caller wins; NODE_DISABLE_COMPILE_CACHE=1 turns the cache off; a
// directory that cannot be written only means no cache.
const compileCache =
  process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), `pdns-mesh-compile-cache-${process.getuid?.() ?? 0}`)

const pinned = pinnedRuntime()
if (pinned === null ? modern(process.versions.node) : pinned.version === process.versions.node) {
  module.enableCompileCache?.(compileCache)
  await import(pathToFileURL(main).href)
} else if (pinned === null) {
  process.stderr.write(
    `pdns-mesh: needs Node >= ${MIN_MAJOR}.${MIN_MINOR} (this is ${process.version}) and the pinned ` +
      `runtime (npm package node-${process.platform}-${process.arch}) is not installed; run \`npm install\` ` +
      'in the project first.\n',
  )
  process.exit(1)
} else {
  const child = spawn(pinned.bin, [main, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_COMPILE_CACHE: compileCache, [LAUNCHER_PID_ENV]: launchers() },
  })
  const forward = (sig) => child.kill(sig)
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward)
  child.on('error', async (err) => {
    for (const sig of FORWARDED_SIGNALS) process.off(sig, forward)
    // The pinned binary may not run here (a glibc build on a musl system, say): a modern shell
    // Node still can, in-process, without the native addons.
    if (modern(process.versions.node)) {
      process.stderr.write(
        `pdns-mesh: cannot start ${pinned.bin} (${err.message}); using ${process.version}\n`,
      )
      await import(pathToFileURL(main).href)
      return
    }
    process.stderr.write(`pdns-mesh: cannot start ${pinned.bin}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const sig of FORWARDED_SIGNALS) process.off(sig, forward)
    if (signal === null) process.exit(code ?? 1)
    // Die of the same signal, so the shell sees what the child saw; should the signal be
    // ignored here, still exit with the shell's convention for it.
    process.kill(process.pid, signal)
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100).unref()
  })
}
