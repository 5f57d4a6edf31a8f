/**
 * One COF file with a known history for the question endpoints and the web page: the history
 * questions' six months (history-corpus.ts: NS moves from GoDaddy to Cloudflare, a web server that
 * migrates, PTRs that agree and disagree, flux-like and CDN-like names) beside a brand with
 * look-alikes and dangling, stale and healthy CNAMEs (brand-corpus.ts), dated relative to `now`.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brandCorpus } from '../analysis/brand-corpus.ts'
import { historyCorpus } from '../analysis/history-corpus.ts'
import { type NodeProcess, startNode, writeConfig } from '../e2e/node-process.ts'
import { runCli } from '../helpers/run-cli.ts'
import { createApiKey } from './helpers.ts'

export { BRAND } from '../analysis/brand-corpus.ts'

export function questionCorpusText(now: number): string {
  return `${[...historyCorpus(), ...brandCorpus(now)].map((l) => JSON.stringify(l)).join('\n')}\n`
}

export interface CorpusNode {
  node: NodeProcess
  /** http://127.0.0.1:PORT */
  base: string
  /** a key made by `pdns-mesh apikey create` */
  key: string
  stop: () => Promise<void>
}

/**
 * A real node over the corpus imported with `pdns-mesh import`, its HTTP API on a free port, a mesh
 * listening without peers (mesh=1 answers from this node alone), and a key made by the CLI.
 * `apiThreads`: api.threads (0: the API on the node's thread).
 */
export async function startCorpusNode(prefix: string, apiThreads = 0): Promise<CorpusNode> {
  const dir = mkdtempSync(join(tmpdir(), `pdns-${prefix}-`))
  const data = join(dir, 'data')
  const cof = join(dir, 'corpus.cof')
  writeFileSync(cof, questionCorpusText(Math.floor(Date.now() / 1000)))
  const imp = await runCli(['import', '--data', data, '--quiet', cof])
  assert.equal(imp.code, 0, imp.stderr)
  const key = await createApiKey(data, 'analyst')
  const config = writeConfig(
    dir,
    [
      '[mesh]',
      'listen = ["/ip4/127.0.0.1/tcp/0"]',
      'peers = []',
      'allow = []',
      '[api]',
      `threads = ${apiThreads}`,
    ].join('\n'),
  )
  const node = await startNode(data, [
    '--config',
    config,
    '--no-capture',
    '--no-dnstap',
    '--api',
    '127.0.0.1:0',
  ])
  const started = node.logs.find((l) => l.msg === 'node started') as unknown as { api: { api: string } }
  return {
    node,
    base: started.api.api,
    key,
    stop: async () => {
      await node.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
