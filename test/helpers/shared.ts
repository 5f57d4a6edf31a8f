import { existsSync, readFileSync } from 'node:fs'
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

export interface ManifestRow {
  local: string
  dupOf: string
  tags: string[]
  note: string
  tsharkRrs: number
}

/** Rows of the corpus MANIFEST.tsv (header line gives the column names). */
export function readManifest(): ManifestRow[] {
  const [head, ...lines] = readFileSync(resolve(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n')
  const cols = head!.split('\t')
  const at = (name: string) => cols.indexOf(name)
  return lines.map((line) => {
    const f = line.split('\t')
    return {
      local: f[at('local')]!,
      dupOf: f[at('dup_of')] ?? '',
      tags: (f[at('tags')] ?? '').split(',').filter(Boolean),
      note: f[at('note')] ?? '',
      tsharkRrs: Number(f[at('tshark_rrs')] || 0),
    }
  })
}

/** The corpus captures (paths relative to CORPUS_DIR), as the MANIFEST lists them; no dnstap files. */
export function corpusCaptures(): string[] {
  return readManifest()
    .map((r) => r.local)
    .filter((p) => p.startsWith('pcaps/'))
}
