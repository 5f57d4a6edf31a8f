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

/**
 * Bytes of write-ahead log to wait for before the kill, one attempt after the other. A batch is
 * appended to the log in pieces, so a kill at a given size can land inside the first batch (nothing
 * was written: the torn batch is dropped, as it must be) or, on a fast machine, after the last: the
 * test moves on to the next size until the kill lands between two batches, rather than hoping one
 * size does on every machine.
 */
const KILL_AT_WAL_BYTES = [2 << 20, 8 << 20, 16 << 20, 1 << 20, 512 << 10]

/** Imports the file into a fresh directory, kills the import at `walBytes`; `check` must pass. */
async function killedImport(
  dir: string,
  file: string,
  killAt: number,
): Promise<{ data: string; self: string; partial: number }> {
  const data = join(dir, `data-${killAt}`)
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
  const closed = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, sig) => resolve({ code, sig })),
  )
  while (child.exitCode === null && (await walBytes(join(data, 'db'))) < killAt) await sleep(10)
  child.kill('SIGKILL')
  const end = await closed
  // the import may have finished first (a fast machine, a late size): then it must have succeeded
  if (end.sig !== 'SIGKILL') assert.equal(end.code, 0, `the import failed: ${stderr}`)

  const check = await runCli(['check', '--data', data])
  assert.equal(check.code, 0, `${check.stdout}${check.stderr}`)
  const store = await Store.open(data)
  try {
    return { data, self, partial: checkIndexes(store).rrsets }
  } finally {
    await store.close()
  }
}

test('an import killed with SIGKILL leaves a store that checks clean and can be imported into again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-import-crash-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'big.cof')
  await writeFile(file, cofFile())

  let killed: { data: string; self: string; partial: number } | null = null
  for (const killAt of KILL_AT_WAL_BYTES) {
    const k = await killedImport(dir, file, killAt)
    t.diagnostic(`killed at ${killAt} bytes of log: ${k.partial} of ${RECORDS} records written`)
    if (k.partial > 0 && k.partial < RECORDS) {
      killed = k
      break
    }
  }
  assert.ok(killed !== null, 'no kill landed between two batches at any of the log sizes tried')

  const again = await runCli(['import', '--data', killed.data, '--origin', killed.self, file])
  assert.equal(again.code, 0, again.stderr)
  const after = await runCli(['check', '--data', killed.data])
  assert.equal(after.code, 0, `${after.stdout}${after.stderr}`)
  const full = await Store.open(killed.data)
  try {
    assert.equal(checkIndexes(full).rrsets, RECORDS)
  } finally {
    await full.close()
  }
})
