import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { renderLimitsDoc } from '../scripts/tools/limits-doc.ts'

test('docs/LIMITS.md is exactly what the limits.ts files say (regenerate: node scripts/tools/limits-doc.ts)', async () => {
  const committed = await readFile(new URL('../docs/LIMITS.md', import.meta.url), 'utf8')
  assert.equal(committed, await renderLimitsDoc())
})
