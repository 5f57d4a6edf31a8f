// The packed package's JavaScript: `npm pack` runs this as `prepack`. Node strips types only
// outside node_modules, so an installed pdns-mesh cannot run node/**/*.ts; this emits them as
// JavaScript to dist/ (tsconfig.build.json; `./x.ts` imports rewritten to `./x.js`) with the data
// files the code reads beside itself at run time (the .proto schemas), and writes
// npm-shrinkwrap.json from package-lock.json so that an install of the tarball resolves the very
// dependency tree the checkout was tested with (npm's recommended use of a shrinkwrap: a command
// meant for global installs). `postpack` removes the shrinkwrap again (scripts/tools/build-dist.js
// --clean), so the checkout keeps using package-lock.json. Development never runs dist/: the
// launcher prefers the TypeScript sources whenever they are there (bin/pdns-mesh.js).
// Plain JavaScript: runs on whatever Node runs npm.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const dist = join(root, 'dist')
const shrinkwrap = join(root, 'npm-shrinkwrap.json')
/** Source trees compiled to dist/ (tsconfig.build.json `include` names the same). */
const SOURCE_DIRS = ['node', 'protocol']

function fail(msg) {
  process.stderr.write(`build-dist: ${msg}\n`)
  process.exit(1)
}

/** Every file under dir, recursively, as paths relative to root. */
function walk(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name)
    // node-gyp's output (node/store/native/build): the package builds its addon where it is installed
    if (e.isDirectory()) return e.name === 'build' ? [] : walk(rel)
    return [rel]
  })
}

if (process.argv.includes('--clean')) {
  rmSync(shrinkwrap, { force: true })
  process.exit(0)
}

rmSync(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (res.status !== 0) fail(`tsc exited ${res.status ?? res.signal}`)

// Files other than code that sit in the source trees are read at run time beside the module that
// names them (`new URL('./dnstap.proto', import.meta.url)`): copy them all, so that a new one
// cannot be forgotten. Markdown is documentation, not data.
for (const dir of SOURCE_DIRS) {
  for (const file of walk(dir)) {
    if (file.endsWith('.ts') || file.endsWith('.md')) continue
    mkdirSync(dirname(join(dist, file)), { recursive: true })
    copyFileSync(join(root, file), join(dist, file))
  }
}

// The code imports the version from `../../package.json`, which tsc emits as dist/package.json, a
// full copy. Keep only what dist/ needs from it (ES modules, the version): a second package.json
// that names scripts and dependencies would only mislead.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, type: pkg.type, private: true }, null, 2)}\n`,
)

// A module specifier tsc did not rewrite (one built at run time) would point at a .ts file the
// package does not contain: refuse to pack rather than ship a command that fails when it gets there.
const leftover = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]*\.ts)['"]/g
for (const file of walk('dist')) {
  if (!file.endsWith('.js')) continue
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(leftover)) {
    fail(`${relative(root, join(root, file))} still imports ${m[1]}`)
  }
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
const locked = lock.packages?.[''] ?? {}
const same = (a = {}, b = {}) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
if (
  locked.version !== pkg.version ||
  !same(locked.dependencies, pkg.dependencies) ||
  !same(locked.optionalDependencies, pkg.optionalDependencies)
) {
  fail('package-lock.json does not match package.json (run npm install)')
}
writeFileSync(shrinkwrap, `${JSON.stringify(lock, null, 2)}\n`)
