/**
 * Writes docs/LIMITS.md from the `limits.ts` files under node/: each exported numeric constant
 * with its value and its doc comment. test/limits-doc.test.ts fails when the committed file
 * differs from what this renders, so the doc cannot drift from the code.
 *
 *   node scripts/tools/limits-doc.ts          # rewrite docs/LIMITS.md
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function limitFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...limitFiles(p))
    else if (e.name === 'limits.ts') out.push(p)
  }
  return out.sort()
}

function human(name: string, v: number): string {
  if (name.endsWith('_US')) return `${v} µs (${v / 1e6} s)`
  if (/BYTES|RECORD|BLOCK/.test(name) && v >= 1024) {
    const unit = v >= 1048576 ? [1048576, 'MiB'] : [1024, 'KiB']
    return `${v} (${v / (unit[0] as number)} ${unit[1]})`
  }
  return String(v)
}

export async function renderLimitsDoc(): Promise<string> {
  const parts = [
    '# Limits',
    '',
    'Every bound pdns-mesh enforces on untrusted input, generated from the `limits.ts` files by',
    '`node scripts/tools/limits-doc.ts` (a test fails when this page and the code disagree). None is',
    'reached by well-formed traffic; each says what happens when it is.',
    '',
  ]
  for (const file of [...limitFiles(join(ROOT, 'protocol')), ...limitFiles(join(ROOT, 'node'))]) {
    const rel = relative(ROOT, file)
    const mod = (await import(file)) as Record<string, unknown>
    const text = readFileSync(file, 'utf8')
    parts.push(`## \`${rel}\``, '', '| constant | value | when exceeded |', '| --- | --- | --- |')
    for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export const (\w+)/g)) {
      const name = m[2]!
      const value = mod[name]
      if (typeof value !== 'number') continue
      const doc = m[1]!
        .split('\n')
        .map((l) => l.replace(/^\s*\*\s?/, '').trim())
        .filter(Boolean)
        .join(' ')
        .replaceAll('|', '\\|')
      parts.push(`| \`${name}\` | ${human(name, value)} | ${doc} |`)
    }
    parts.push('')
  }
  return parts.join('\n')
}

if (import.meta.main) {
  writeFileSync(join(ROOT, 'docs/LIMITS.md'), await renderLimitsDoc())
  process.stdout.write('wrote docs/LIMITS.md\n')
}
