// npm links the `bin` entries of dependencies into node_modules/.bin, but not the project's own.
// Link ours too, so that in a checkout `node_modules/.bin/pdns-mesh` runs this project's CLI.
// Also make sure `node_modules/.bin/node` is the pinned runtime, which npm scripts then find first
// on PATH: npm 10 links it from the platform package and then removes it again while dropping the
// other platforms' optional packages (same bin name). Runs as postinstall; plain JavaScript.
import { chmodSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pinnedRuntime } from './runtime.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const binDir = join(root, 'node_modules', '.bin')

/** Points node_modules/.bin/<name> at target (relative), replacing whatever is there. */
function link(name, target) {
  const at = join(binDir, name)
  let current = null
  try {
    current = readlinkSync(at)
  } catch {
    // absent (or not a link): created below
  }
  if (current === target) return
  try {
    unlinkSync(at)
  } catch {
    // nothing to replace
  }
  symlinkSync(target, at)
}

mkdirSync(binDir, { recursive: true })
link('pdns-mesh', join('..', '..', 'bin', 'pdns-mesh.js'))
chmodSync(join(root, 'bin', 'pdns-mesh.js'), 0o755)
const runtime = pinnedRuntime()
if (runtime !== null) link('node', relative(binDir, runtime.bin))
