// Where the pinned Node runtime lives. Plain JavaScript shared by the launcher (bin/pdns-mesh.js)
// and the postinstall addon build: both run on whatever Node the shell has.
//
// The runtime comes from the npm registry as the platform package `node-<platform>-<arch>`
// (an optional dependency per supported platform; npm installs the one matching this machine).
// It holds bin/node and include/node (the headers native addons are built against).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** @returns {{ dir: string, bin: string, version: string } | null} */
export function pinnedRuntime() {
  try {
    const require = createRequire(import.meta.url)
    const pkgJson = require.resolve(`node-${process.platform}-${process.arch}/package.json`)
    const dir = dirname(pkgJson)
    const bin = join(dir, 'bin', 'node')
    return existsSync(bin) ? { dir, bin, version: require(pkgJson).version } : null
  } catch {
    return null
  }
}
