// Builds the native addons, the `pcap` addon and the store's own (node/store/native), against
// the pinned runtime (scripts/tools/runtime.js), not against the Node that happens to run npm: an
// addon built for Node 20 refuses to load on 24. npm's own implicit build of
// pcap is denied in package.json `allowScripts` for that reason. Runs as the root postinstall.
// Plain JavaScript: it may run before anything else is set up.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pinnedRuntime } from './runtime.js'

const require = createRequire(import.meta.url)

function warn(msg) {
  process.stderr.write(`pdns-mesh postinstall: ${msg}\n`)
}

const runtime = pinnedRuntime()
if (runtime === null) {
  warn(
    `no pinned runtime (node-${process.platform}-${process.arch}) for this platform; native addons not built`,
  )
  process.exit(0)
}
const runtimeBin = runtime.bin
const nodedir = runtime.dir
if (!existsSync(join(nodedir, 'include', 'node', 'node.h'))) {
  warn(`no Node headers under ${nodedir}; native addons not built (live capture unavailable)`)
  process.exit(0)
}
// npm hands its bundled node-gyp to scripts; elsewhere (another package manager, a manual run)
// look for one, and without it skip the addons rather than fail the install.
let gyp = process.env.npm_config_node_gyp
if (gyp === undefined) {
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js')
  } catch {
    warn('node-gyp not found (run this through npm); native addons not built (live capture unavailable)')
    process.exit(0)
  }
}

buildPcap()
buildFlatBatch()

/** Runs node-gyp rebuild in dir against the pinned runtime; the failure's last lines, or null. */
function rebuild(dir) {
  const res = spawnSync(runtimeBin, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
    cwd: dir,
    // npm exports its own `nodedir` config (often the system Node's) as npm_config_nodedir, and
    // node-gyp lets that win over the flag: override it.
    env: { ...process.env, npm_config_nodedir: nodedir },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  })
  return res.status === 0 ? null : (res.stderr ?? '').split('\n').slice(-15).join('\n')
}

function buildPcap() {
  let pcapDir
  try {
    pcapDir = dirname(require.resolve('pcap/package.json'))
  } catch {
    warn('the optional pcap package is not installed; live capture will be unavailable')
    return
  }
  patchDispatchBound(pcapDir)
  const failed = rebuild(pcapDir)
  if (failed !== null) {
    warn(
      'building the pcap addon failed (is libpcap-dev installed? `apt-get install libpcap-dev`);' +
        ` file parsing works, live capture will not.\n${failed}`,
    )
  }
}

/**
 * The store's native addon (node/store/native: in the sources, or dist/ in a package), linked
 * against @nxtedition/rocksdb's own shared object, which has a prebuild for linux-x64 only. Without
 * it the store writes through the binding's per-key calls: slower, the same database.
 */
function buildFlatBatch() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const dir = [join(root, 'node', 'store', 'native'), join(root, 'dist', 'node', 'store', 'native')].find(
    (d) => existsSync(join(d, 'binding.gyp')),
  )
  if (dir === undefined) return
  if (process.platform !== 'linux' || process.arch !== 'x64') return
  const failed = rebuild(dir)
  if (failed !== null) {
    warn(
      `building the store's native addon failed (g++ and make?); the store writes key by key and reads through the binding's iterators instead (slower, the same results).\n${failed}`,
    )
  }
}

/**
 * pcap 3.1.0's Dispatch() calls pcap_dispatch until the kernel ring is empty. Under a flood faster
 * than the sensor, the ring never empties, the call never returns, and the node's event loop
 * starves: no flush timer, no signal handling, no control socket — exactly when an operator needs
 * the node's stats. The patch returns after PACKETS_PER_DISPATCH packets; libuv's poll is
 * level-triggered, so a ring that still holds packets makes it call again on the next loop turn,
 * after timers and I/O had theirs. Applied to the addon's source before each build; idempotent.
 */
function patchDispatchBound(dir) {
  const PACKETS_PER_DISPATCH = 256
  const file = join(dir, 'pcap_session.cc')
  let src
  try {
    src = readFileSync(file, 'utf8')
  } catch {
    return
  }
  if (src.includes('pdns-mesh: bounded dispatch')) return
  const loop = '    int packet_count;\n    do {'
  const end = '    } while (packet_count > 0);'
  if (!src.includes(loop) || !src.includes(end)) {
    warn('pcap_session.cc is not the expected 3.1.0 source; the dispatch bound was not applied')
    return
  }
  src = src
    .replace(loop, `    int packet_count;\n    int dispatched = 0; // pdns-mesh: bounded dispatch\n    do {`)
    .replace(end, `    } while (packet_count > 0 && ++dispatched < ${PACKETS_PER_DISPATCH});`)
  writeFileSync(file, src)
}
