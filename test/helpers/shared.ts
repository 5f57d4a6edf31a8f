import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { TestContext } from 'node:test'

/** The read-only shared material (captures with tshark golds, bench seed) beside the repository. */
export const SHARED_DIR = resolve(
  process.env.PDNS_SHARED ?? new URL('../../../shared', import.meta.url).pathname,
)
export const CORPUS_DIR = resolve(SHARED_DIR, 'corpus')

/**
 * Returns true when the shared corpus is present. Under CI (CI=true) its absence is a failure,
 * never a silent pass; elsewhere the test is skipped with a plain message saying what was skipped.
 */
export function requireCorpus(t: TestContext, what: string): boolean {
  if (existsSync(resolve(CORPUS_DIR, 'MANIFEST.tsv'))) return true
  const msg = `shared corpus not found at ${CORPUS_DIR} (set PDNS_SHARED): ${what} not run`
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}
