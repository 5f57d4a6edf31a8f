/**
 * kill -9 of `pdns-mesh import` while its writer thread writes: the store opens again, `check`
 * finds no problem (every record with its indexes, every own record's feed entries consistent),
 * what was written is there, and importing the same file again completes the store.
 *
 * The input is COF recorded under the node's own origin (--origin <its peer id>), so that the
 * records are sealed into its feed by the writer thread as they are written, as a capture's are.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Store } from '../../node/store/store.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'
import { checkIndexes } from '../store/helpers.ts'

const NODE = join(REPO, 'node_modules/.bin/node')
const MAIN = join(REPO, 'node/cli/main.ts')
const RECORDS = 150_000

function cofFile(): string {
  const lines: string[] = []
  for (let i = 0; i < RECORDS; i++) {
    const t = 1_700_000_000 + (i >> 4)
    lines.push(
      JSON.stringify({
        rrname: `h${i}.z${i % 997}.example`,
        rrtype: 'A',
        rdata: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        time_first: t,
        time_last: t,
        count: 1 + (i % 5),
      }),
    )
  }
  return `${lines.join('\n')}\n`
}

/** Bytes in the database's write-ahead log files. */
async function walBytes(db: string): Promise<number> {
  let n = 0
  for (const f of await readdir(db).catch(() => [])) {
    if (f.endsWith('.log') && f !== 'LOG') n += (await stat(join(db, f)).catch(() => ({ size: 0 }))).size
  }
  return n
}

test('an import killed with SIGKILL leaves a store that checks clean and can be imported into again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-import-crash-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const data = join(dir, 'data')
  const file = join(dir, 'big.cof')
  await writeFile(file, cofFile())
  const id = await runCli(['id', '--data', data])
  assert.equal(id.code, 0, id.stderr)
  const self = id.stdout.trim()

  // the pinned runtime on main.ts itself: SIGKILL must hit the importing process, not a launcher
  const child = spawn(
    NODE,
    [MAIN, 'import', '--data', data, '--origin', self, '--flush-interval', '0.2', '--quiet', file],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, sig) => resolve(sig)))
  // once some batches are in the write-ahead log, in the middle of the rest
  for (let waited = 0; (await walBytes(join(data, 'db'))) < 2 << 20; waited += 10) {
    assert.ok(waited < 60_000 && child.exitCode === null, `no writes seen: ${stderr}`)
    await sleep(10)
  }
  child.kill('SIGKILL')
  assert.equal(await closed, 'SIGKILL', `the import ended on its own: ${stderr}`)

  const check = await runCli(['check', '--data', data])
  assert.equal(check.code, 0, `${check.stdout}${check.stderr}`)
  const store = await Store.open(data)
  let partial: number
  try {
    partial = checkIndexes(store).rrsets
  } finally {
    await store.close()
  }
  t.diagnostic(`${partial} of ${RECORDS} records written before the kill`)
  assert.ok(partial > 0 && partial < RECORDS, 'the kill came before the first or after the last write')

  const again = await runCli(['import', '--data', data, '--origin', self, file])
  assert.equal(again.code, 0, again.stderr)
  const after = await runCli(['check', '--data', data])
  assert.equal(after.code, 0, `${after.stdout}${after.stderr}`)
  const full = await Store.open(data)
  try {
    assert.equal(checkIndexes(full).rrsets, RECORDS)
  } finally {
    await full.close()
  }
})
