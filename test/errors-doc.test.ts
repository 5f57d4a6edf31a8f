import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ERROR_CODES, PdnsError } from '../node/errors.ts'

test('docs/errors.md lists exactly the error codes the code defines', async () => {
  const doc = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8')
  const documented = new Set([...doc.matchAll(/^\| `(ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]))
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort())
})

test('PdnsError keeps its code and cause', () => {
  const cause = new Error('inner')
  const err = new PdnsError('ERR_FILE_UNREADABLE', 'cannot read x', { cause })
  assert.equal(err.code, 'ERR_FILE_UNREADABLE')
  assert.equal(err.cause, cause)
  assert.ok(err instanceof Error)
})
