/**
 * One COF file with a known history for the question endpoints and the web page: the history
 * questions' six months (history-corpus.ts: NS moves from GoDaddy to Cloudflare, a web server that
 * migrates, PTRs that agree and disagree, flux-like and CDN-like names) beside a brand with
 * look-alikes and dangling, stale and healthy CNAMEs (brand-corpus.ts), dated relative to `now`.
 */
import { brandCorpus } from '../analysis/brand-corpus.ts'
import { historyCorpus } from '../analysis/history-corpus.ts'

export { BRAND } from '../analysis/brand-corpus.ts'

export function questionCorpusText(now: number): string {
  return `${[...historyCorpus(), ...brandCorpus(now)].map((l) => JSON.stringify(l)).join('\n')}\n`
}
