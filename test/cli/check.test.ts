import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decodeRrsetKey, fwdKey, RRSET_RANGE, rdataKey } from '../../node/store/keys.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')
const NODE = join(REPO, 'node_modules/.bin/node')
const HOLDER = fileURLToPath(new URL('../store/fixtures/hold-store.ts', import.meta.url))

/** A data directory holding the sample capture, imported by the CLI; removed after the test. */
async function imported(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-check-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const r = await runCli(['import', '--quiet', '--data', dir, SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  return dir
}

/** Deletes the RDATA and FWD entries of the first answer with the rocks layer; returns its name. */
async function damage(dir: string): Promise<string> {
  const rocks = await Rocks.open(join(dir, 'db'))
  try {
    for (const [key] of rocks.range(RRSET_RANGE, { values: false })) {
      const id = decodeRrsetKey(key)!
      if (id.kind !== 'rr') continue
      rocks.write([{ del: rdataKey(id) }, { del: fwdKey(id.rrname, id.rrtype) }], { sync: true })
      return id.rrname
    }
  } finally {
    await rocks.close()
  }
  throw new Error('the sample holds no answer')
}

describe('pdns-mesh check', () => {
  it('exits 0 on a clean store and prints a summary (text and json)', async (t) => {
    const dir = await imported(t)
    const text = await runCli(['check', '--data', dir])
    assert.equal(text.code, 0, text.stderr)
    assert.equal(text.stderr, '')
    assert.match(text.stdout, /problems\s+none/)
    assert.match(text.stdout, /records\s+11 \(negative answers 2\)/)
    const json = await runCli(['check', '--data', dir, '--format', 'json'])
    assert.equal(json.code, 0, json.stderr)
    const r = JSON.parse(json.stdout)
    assert.equal(r.problems, 0)
    assert.equal(r.error, null)
    assert.deepEqual(r.listed, [])
    assert.equal(r.counts.records, 11)
    assert.equal(r.counts.seen, 11)
  })

  it('exits 1 with ERR_DB_INTEGRITY naming the problems of a damaged store', async (t) => {
    const dir = await imported(t)
    const name = await damage(dir)
    const text = await runCli(['check', '--data', dir])
    assert.equal(text.code, 1)
    assert.match(text.stderr, /^pdns-mesh check: 2 problems in .* \(missing-rdata 1, missing-fwd 1\)/)
    assert.ok(text.stderr.includes(name), text.stderr)
    assert.match(text.stdout, /missing-rdata: .* no RDATA entry/)
    assert.match(text.stdout, /missing-fwd: .* no FWD entry/)
    const json = await runCli(['check', '--data', dir, '--format', 'json', '--list', '1'])
    assert.equal(json.code, 1)
    const r = JSON.parse(json.stdout)
    assert.equal(r.error, 'ERR_DB_INTEGRITY')
    assert.equal(r.problems, 2)
    assert.deepEqual(r.byKind, { 'missing-rdata': 1, 'missing-fwd': 1 })
    assert.equal(r.listed.length, 1)
    const few = await runCli(['check', '--data', dir, '--list', '1'])
    assert.match(few.stdout, /… and 1 more/)
  })

  it('refuses a database a running node holds, saying to stop it first', async (t) => {
    const dir = await imported(t)
    const child = spawn(NODE, [HOLDER, dir], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] })
    const closed = new Promise((resolve) => child.on('close', resolve))
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          if (d.includes('ready')) resolve()
        })
        child.on('close', () => reject(new Error('the holder exited early')))
      })
      const r = await runCli(['check', '--data', dir])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /in use by another process .*stop the node first/)
    } finally {
      // the holder lets go before the directory is removed (after hooks run later)
      child.stdin.end()
      await closed
    }
  })

  it('exits 1 on a missing database and 2 on bad usage', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pdns-check-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const missing = await runCli(['check', '--data', join(dir, 'none')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no database/)
    for (const args of [['--format', 'xml'], ['--list', 'many'], ['--list', '100000'], ['extra']]) {
      const r = await runCli(['check', '--data', dir, ...args])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    }
  })
})
