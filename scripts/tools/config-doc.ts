/**
 * Writes docs/CONFIG.md and docs/pdns-mesh.example.toml from the config key table
 * (node/config/schema.ts). test/config/config-doc.test.ts fails when either committed file differs
 * from what this renders, so neither can drift from the loader.
 *
 *   node scripts/tools/config-doc.ts          # rewrite both
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { KEY_LIST, type KeySpec, SECTIONS } from '../../node/config/schema.ts'
import { tomlValue } from '../../node/config/toml-text.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function keysOf(section: string | null): KeySpec<unknown>[] {
  return KEY_LIST.filter((k) => {
    const dot = k.path.indexOf('.')
    return section === null ? dot < 0 : k.path.slice(0, dot) === section
  })
}

function leaf(k: KeySpec<unknown>): string {
  return k.path.slice(k.path.indexOf('.') + 1)
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|')
}

export function renderConfigDoc(): string {
  const out = [
    '# Configuration',
    '',
    '`pdns-mesh start --config FILE` reads a [TOML](https://toml.io) file. Every key has a default, so the',
    'file is optional and need only hold what differs; [pdns-mesh.example.toml](pdns-mesh.example.toml)',
    'lists every key, commented out, with its default. This page is generated from the key table',
    '(`node/config/schema.ts`) by `node scripts/tools/config-doc.ts`; a test fails when they disagree.',
    '',
    '- **Precedence**: defaults, then the config file, then `$PDNS_MESH_DATA` (for `data_dir` only), then',
    '  the flags of `pdns-mesh start` (`--data`, `--interface`, `--dnstap`, `--no-capture`,',
    "  `--log-level`); a list given by a flag replaces the file's list.",
    '- **Durations** are strings with a unit: `"30s"`, `"5m"`, `"1h"`. A bare number is rejected (it would',
    '  leave the unit to guesswork). Sizes are integers in the unit the table names.',
    '- **Paths**: a relative `data_dir` is resolved against the working directory; a relative',
    '  `unix:` dnstap path against the data directory.',
    '- **Errors**: an unknown key (also one in the wrong section), a value of the wrong type or out of',
    '  range, a bad listen address, a file that is not TOML: each is reported with the file, the key',
    '  (and the line for TOML syntax errors), all problems at once; `start` exits with status 2',
    '  (`ERR_CONFIG`) and starts nothing.',
    '',
  ]
  const table = (keys: KeySpec<unknown>[]) => {
    out.push(
      '| key | type | default | allowed | overridden by | meaning |',
      '| --- | --- | --- | --- | --- | --- |',
    )
    for (const k of keys) {
      const type = k.unit === null ? k.check.type : `${k.check.type} (${k.unit})`
      const by = [k.env === null ? null : `$${k.env}`, k.flag].filter((x) => x !== null).join(', ')
      out.push(
        `| \`${leaf(k)}\` | ${type} | \`${cell(tomlValue(k.default))}\` | ${cell(k.check.allowed ?? '')} | ${by} | ${cell(k.doc)} |`,
      )
    }
    out.push('')
  }
  out.push('## Top-level keys', '')
  table(keysOf(null))
  for (const s of SECTIONS) {
    out.push(`## \`[${s.name}]\``, '', s.doc, '')
    table(keysOf(s.name))
  }
  return out.join('\n')
}

/** `text` as `# ` comment lines of at most `width` columns. */
function comment(text: string, width = 100): string[] {
  const lines: string[] = []
  let line = '#'
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line)
      line = '#'
    }
    line += ` ${word}`
  }
  lines.push(line)
  return lines
}

export function renderExampleToml(): string {
  const out = [
    '# pdns-mesh node configuration: pdns-mesh start --config FILE',
    '#',
    '# Every key is listed with its default, commented out: uncomment only what you change.',
    '# Durations are strings with a unit ("30s", "5m", "1h"). docs/CONFIG.md describes each key.',
    '# Generated from node/config/schema.ts by scripts/tools/config-doc.ts.',
    '',
  ]
  const keys = (list: KeySpec<unknown>[]) => {
    for (const k of list) {
      const unit = k.unit === null ? '' : `  # ${k.unit}`
      out.push(...comment(k.doc), `# ${leaf(k)} = ${tomlValue(k.default)}${unit}`, '')
    }
  }
  keys(keysOf(null))
  for (const s of SECTIONS) {
    out.push(...comment(s.doc), `[${s.name}]`, '')
    keys(keysOf(s.name))
  }
  return `${out.join('\n').trimEnd()}\n`
}

if (import.meta.main) {
  writeFileSync(join(ROOT, 'docs/CONFIG.md'), renderConfigDoc())
  writeFileSync(join(ROOT, 'docs/pdns-mesh.example.toml'), renderExampleToml())
  process.stdout.write('wrote docs/CONFIG.md and docs/pdns-mesh.example.toml\n')
}
