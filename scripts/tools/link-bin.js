// npm links the `bin` entries of dependencies into node_modules/.bin, but not the project's own.
// Link ours too, so that in a checkout `node_modules/.bin/pdns-mesh` and `npx pdns-mesh` run this
// project's CLI (and never fetch a package of that name from the registry). Runs as postinstall.
// Plain JavaScript: it runs before anything else is set up.
import { chmodSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const binDir = join(root, 'node_modules', '.bin')
const link = join(binDir, 'pdns-mesh')
const target = join('..', '..', 'bin', 'pdns-mesh.js')

mkdirSync(binDir, { recursive: true })
let current = null
try {
  current = readlinkSync(link)
} catch {
  // absent (or not a link): created below
}
if (current !== target) {
  try {
    unlinkSync(link)
  } catch {
    // nothing to replace
  }
  symlinkSync(target, link)
}
chmodSync(join(root, 'bin', 'pdns-mesh.js'), 0o755)
