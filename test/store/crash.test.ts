import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Store } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO } from '../helpers/run-cli.ts'
import { checkIndexes, tempDir } from './helpers.ts'

const NODE = join(REPO, 'node_modules/.bin/node')
const WRITER = fileURLToPath(new URL('./fixtures/write-stream.ts', import.meta.url))
const SEED = 0x6b69_6c6c

interface Run {
  /** the most records the child said it had written before it died */
  reported: number
  flushLines: number
  signal: NodeJS.Signals | null
  stderr: string
}

/** Starts the writer, lets `flushes` flushes through, waits `extraMs` more (mid-batch), then SIGKILLs it. */
async function writeAndKill(
  dir: string,
  seed: number,
  flushes: number,
  extraMs: number,
  mode = 'store',
): Promise<Run> {
  const child = spawn(NODE, [WRITER, dir, String(seed), mode], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let reported = 0
  let flushLines = 0
  let stderr = ''
  let pending = ''
  let killing = false
  const closed = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, sig) => resolve(sig)),
  )
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const m = /^flushed (\d+)$/.exec(line)
      assert.ok(m !== null, `unexpected output: ${line}`)
      reported = Math.max(reported, Number(m[1]))
      flushLines++
    }
    if (!killing && flushLines >= flushes) {
      killing = true
      void sleep(extraMs).then(() => child.kill('SIGKILL'))
    }
  })
  // a writer that never gets going must not hang the test
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const signal = await closed
  clearTimeout(guard)
  return { reported, flushLines, signal, stderr }
}

describe('a writer killed with SIGKILL', () => {
  const rand = prng(SEED)
  for (let round = 0; round < 5; round++) {
    const flushes = 3 + randInt(rand, 40)
    const extraMs = randInt(rand, 8)
    const seed = 1 + randInt(rand, 1_000_000)
    // the last rounds write through a store-writer thread, as an import does
    const mode = round < 3 ? 'store' : 'writer'

    it(`leaves a consistent database with everything it reported (${mode}, kill after ${flushes} flushes + ${extraMs} ms)`, async (t) => {
      const { dir, cleanup } = tempDir(`crash${round}`)
      t.after(cleanup)
      const run = await writeAndKill(dir, seed, flushes, extraMs, mode)
      assert.equal(run.signal, 'SIGKILL', `the writer ended on its own: ${run.stderr}`)
      assert.equal(run.stderr, '')
      assert.ok(run.flushLines >= flushes && run.reported > 0)

      const store = await Store.open(dir)
      try {
        const summary = checkIndexes(store)
        assert.ok(
          summary.rrsets >= run.reported,
          `${summary.rrsets} records present, the writer reported ${run.reported} written`,
        )
        assert.ok(summary.positives > 0 && summary.positives < summary.rrsets)
        t.diagnostic(
          `reported ${run.reported}, found ${summary.rrsets} (${summary.seen} SEEN, ${summary.fwd} FWD)`,
        )
      } finally {
        await store.close()
      }
    })
  }
})
