#!/usr/bin/env node
// Launcher. It must run on whatever `node` the shell finds (Debian ships 20), so it is plain
// JavaScript with no dependencies. The CLI itself is TypeScript run by Node >= 22.18 (type
// stripping, libp2p 3): when the current runtime is older, re-exec under the runtime pinned in
// package.json (the `node` package from the npm registry), forwarding arguments, stdio and signals.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MIN_MAJOR = 22
const MIN_MINOR = 18
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'node', 'cli', 'main.ts')

function modern(version) {
  const [major, minor] = version.split('.').map(Number)
  return major > MIN_MAJOR || (major === MIN_MAJOR && minor >= MIN_MINOR)
}

function pinnedRuntime() {
  try {
    const require = createRequire(import.meta.url)
    const bin = join(dirname(require.resolve('node/package.json')), 'bin', 'node')
    return existsSync(bin) ? bin : null
  } catch {
    return null
  }
}

if (modern(process.versions.node)) {
  await import(main)
} else {
  const runtime = pinnedRuntime()
  if (runtime === null) {
    process.stderr.write(
      `pdns-mesh: needs Node >= ${MIN_MAJOR}.${MIN_MINOR} (this is ${process.version}) and the pinned ` +
        'runtime (npm package "node") is not installed; run `npm install` in the project first.\n',
    )
    process.exit(1)
  }
  const child = spawn(runtime, [main, ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => child.kill(sig))
  }
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
