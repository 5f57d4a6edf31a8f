/**
 * What a command loads before its work: an import of a capture and a local query need the node's
 * peer id and, for the import's writer thread, a signature, which node/identity gives without
 * libp2p. Loading libp2p's keys and peer ids (about 130 modules, 90–110 ms) again would go unseen
 * but for this test: it traces every module both threads load.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from '../helpers/run-cli.ts'

const SAMPLE = fileURLToPath(new URL('../fixtures/sample.pcap', import.meta.url))
const TRACER = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'pdns-start-cost-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The module URLs a CLI command loads, in every thread. */
async function modulesOf(args: string[], name: string): Promise<string[]> {
  const trace = join(dir, `${name}.modules`)
  const r = await runCli(args, {
    env: {
      ...process.env,
      PDNS_MESH_API: '',
      // quoted: NODE_OPTIONS splits on spaces, and the checkout may live anywhere
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${JSON.stringify(TRACER)}`.trim(),
      PDNS_MESH_MODULE_TRACE: trace,
    },
  })
  assert.equal(r.code, 0, r.stderr)
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean)
}

const LIBP2P = /\/node_modules\/(@libp2p|libp2p|@noble|@chainsafe)\//

describe('what a command loads', () => {
  const data = join(dir, 'data')

  it('an import of a capture, into a new data directory and again, loads no libp2p module', async () => {
    for (const round of ['new', 'again']) {
      const modules = await modulesOf(['import', '--data', data, SAMPLE], `import-${round}`)
      assert.ok(
        modules.some((m) => m.endsWith('/node/ingest/store-writer-thread.ts')),
        'the trace covers the writer thread',
      )
      assert.deepEqual(
        modules.filter((m) => LIBP2P.test(m)),
        [],
      )
    }
  })

  it('a local query loads no libp2p module', async () => {
    const modules = await modulesOf(['query', 'rrset', '*.com', '--data', data], 'query')
    assert.ok(modules.some((m) => m.endsWith('/node/query/local.ts')))
    assert.deepEqual(
      modules.filter((m) => LIBP2P.test(m)),
      [],
    )
  })
})
