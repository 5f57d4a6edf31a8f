import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'smol-toml'
import { KEY_LIST, loadConfig } from '../../node/config/index.ts'
import { renderConfigDoc, renderExampleToml } from '../../scripts/tools/config-doc.ts'

const DOC = new URL('../../docs/CONFIG.md', import.meta.url)
const EXAMPLE = new URL('../../docs/pdns-mesh.example.toml', import.meta.url)

test('docs/CONFIG.md is exactly what the key table says (regenerate: node scripts/tools/config-doc.ts)', async () => {
  assert.equal(await readFile(DOC, 'utf8'), renderConfigDoc())
})

test('docs/pdns-mesh.example.toml is exactly what the key table says (regenerate: node scripts/tools/config-doc.ts)', async () => {
  assert.equal(await readFile(EXAMPLE, 'utf8'), renderExampleToml())
})

test('CONFIG.md documents every key in its section', async () => {
  const doc = await readFile(DOC, 'utf8')
  for (const k of KEY_LIST) {
    const dot = k.path.indexOf('.')
    const heading = dot < 0 ? '## Top-level keys' : `## \`[${k.path.slice(0, dot)}]\``
    const section = doc.slice(doc.indexOf(heading)).split('\n## ')[0]!
    assert.match(section, new RegExp(`^\\| \`${k.path.slice(dot + 1)}\` \\|`, 'm'), k.path)
  }
})

/** The example with every `# key = value` line uncommented. */
function uncommented(text: string): string {
  return text.replace(/^# ([a-z_]+ = .*)$/gm, '$1')
}

test('the example lists every key once, commented out, and as it is it loads as the defaults', async () => {
  const text = await readFile(EXAMPLE, 'utf8')
  const tree = parse(uncommented(text)) as Record<string, Record<string, unknown>>
  for (const k of KEY_LIST) {
    const [a, b] = k.path.split('.') as [string, string | undefined]
    const value = b === undefined ? tree[a] : tree[a]?.[b]
    assert.notEqual(value, undefined, `${k.path} is missing from the example`)
  }
  const lines = uncommented(text)
    .split('\n')
    .filter((l) => /^[a-z_]+ = /.test(l))
  assert.equal(lines.length, KEY_LIST.length, 'each key appears once')

  const dir = await mkdtemp(join(tmpdir(), 'pdns-config-example-'))
  try {
    const defaults = await loadConfig({ env: {}, cwd: dir })
    const asIs = await loadConfig({ file: EXAMPLE.pathname, env: {}, cwd: dir })
    assert.deepEqual({ ...asIs, file: null }, defaults)
    const live = join(dir, 'live.toml')
    await writeFile(live, uncommented(text))
    const all = await loadConfig({ file: live, env: {}, cwd: dir })
    assert.deepEqual({ ...all, file: null }, defaults)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
