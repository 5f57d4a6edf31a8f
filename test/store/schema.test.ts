import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { PdnsError } from '../../node/errors.ts'
import { encodeU32, metaKey, rrsetKey, SCHEMA_VERSION } from '../../node/store/keys.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { SCHEMA_MARKER } from '../../node/store/schema.ts'
import { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { REPO } from '../helpers/run-cli.ts'
import { aRecord, tempDir } from './helpers.ts'

const NODE = join(REPO, 'node_modules/.bin/node')
const HOLDER = fileURLToPath(new URL('./fixtures/hold-store.ts', import.meta.url))
const T0 = 1_700_000_000

const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

function dataDir(name: string): string {
  const { dir, cleanup } = tempDir(name)
  cleanups.push(cleanup)
  return dir
}

const record = aRecord('www.example')

function code(expected: string) {
  return (err: unknown) => {
    assert.ok(err instanceof PdnsError, `not a PdnsError: ${String(err)}`)
    assert.equal(err.code, expected, err.message)
    return true
  }
}

/** The database's files and a digest of each (LOG and LOCK aside: RocksDB touches those on any open). */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of readdirSync(join(dir, 'db')).sort()) {
    if (f === 'LOCK' || f.startsWith('LOG')) continue
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, 'db', f)))
      .digest('hex')
  }
  return out
}

async function rawDump(dir: string): Promise<string[]> {
  const rocks = await Rocks.open(join(dir, 'db'))
  try {
    return [...rocks.range({})].map(([k, v]) => `${k.toString('hex')} ${v.toString('hex')}`)
  } finally {
    await rocks.close()
  }
}

/** A v1 store holding one record, closed. */
async function storeWithData(dir: string): Promise<void> {
  const store = await Store.open(dir, { create: true })
  store.apply([
    {
      id: { ...record, origin: store.originId('local') },
      value: { first: T0, last: T0, count: 1 },
      mode: 'add',
    },
  ])
  await store.close()
}

describe('opening a database', () => {
  it('refuses a database of a newer schema with ERR_DB_SCHEMA and leaves its data untouched', async () => {
    const dir = dataDir('schema-newer')
    await storeWithData(dir)
    const rocks = await Rocks.open(join(dir, 'db'))
    rocks.write([{ put: metaKey('schema'), value: encodeU32(SCHEMA_VERSION + 1) }], { sync: true })
    await rocks.close()
    const before = await rawDump(dir)
    assert.ok(
      before.includes(
        `${metaKey('schema').toString('hex')} ${encodeU32(SCHEMA_VERSION + 1).toString('hex')}`,
      ),
    )

    await assert.rejects(Store.open(dir), code('ERR_DB_SCHEMA'))
    await assert.rejects(Store.open(dir, { create: true }), code('ERR_DB_SCHEMA'))
    await assert.rejects(Store.open(dir, { readOnly: true }), code('ERR_DB_SCHEMA'))
    assert.deepEqual(await rawDump(dir), before)
    // and the refusal released the database
    const again = await Rocks.open(join(dir, 'db'))
    await again.close()
  })

  it('refuses a database of a newer schema without rewriting its files', async () => {
    // an older pdns-mesh must not recover the newer one's WAL into tables, or rewrite its MANIFEST/OPTIONS
    const dir = dataDir('schema2-files')
    await storeWithData(dir)
    const rocks = await Rocks.open(join(dir, 'db'))
    rocks.write([{ put: metaKey('schema'), value: encodeU32(SCHEMA_VERSION + 1) }], { sync: true })
    await rocks.close()
    // a v2 pdns-mesh writes its marker too; it is what lets this build refuse before RocksDB opens
    writeFileSync(join(dir, SCHEMA_MARKER), `${SCHEMA_VERSION + 1}\n`)
    const before = files(dir)
    await assert.rejects(Store.open(dir, { readOnly: true }), code('ERR_DB_SCHEMA'))
    await assert.rejects(Store.open(dir), code('ERR_DB_SCHEMA'))
    assert.deepEqual(files(dir), before)
  })

  it('a read-only store writes nothing', async () => {
    const dir = dataDir('readonly')
    await storeWithData(dir)
    const before = await rawDump(dir)
    const store = await Store.open(dir, { readOnly: true })
    try {
      assert.throws(
        () =>
          store.apply([
            { id: { ...record, rdata: '192.0.2.2' }, value: { first: T0, last: T0, count: 1 }, mode: 'add' },
          ]),
        code('ERR_DB_IO'),
      )
      assert.throws(() => store.originId('another'), code('ERR_DB_IO'))
    } finally {
      await store.close()
    }
    assert.deepEqual(await rawDump(dir), before)
  })

  it('refuses a database holding data but no schema version with ERR_DB_CORRUPT, writing nothing', async () => {
    const dir = dataDir('noschema')
    const rocks = await Rocks.open(join(dir, 'db'), { createIfMissing: true })
    rocks.write([{ put: rrsetKey(record), value: Buffer.of(1, 1, 1, 1) }], { sync: true })
    await rocks.close()
    const before = await rawDump(dir)
    await assert.rejects(Store.open(dir), code('ERR_DB_CORRUPT'))
    await assert.rejects(Store.open(dir, { create: true }), code('ERR_DB_CORRUPT'))
    assert.deepEqual(await rawDump(dir), before, 'a schema key was written into a damaged database')
  })

  it('refuses an unreadable schema version with ERR_DB_CORRUPT', async () => {
    const dir = dataDir('badschema')
    await storeWithData(dir)
    const rocks = await Rocks.open(join(dir, 'db'))
    rocks.write([{ put: metaKey('schema'), value: Buffer.of(0, 1) }], { sync: true })
    await rocks.close()
    await assert.rejects(Store.open(dir), code('ERR_DB_CORRUPT'))
  })

  it('opens a database it wrote, and writes the schema version into a new one', async () => {
    const dir = dataDir('current')
    await storeWithData(dir)
    assert.ok(
      (await rawDump(dir)).includes(
        `${metaKey('schema').toString('hex')} ${encodeU32(SCHEMA_VERSION).toString('hex')}`,
      ),
    )
    assert.equal(readFileSync(join(dir, SCHEMA_MARKER), 'utf8'), `${SCHEMA_VERSION}\n`)
    const store = await Store.open(dir)
    assert.equal(store.findOrigin('local'), 1)
    assert.deepEqual(decodeValue(store.getMany([rrsetKey(record)])[0]!), { first: T0, last: T0, count: 1 })
    await store.close()
  })

  it('reports a missing database without create as ERR_DB_MISSING', async () => {
    const dir = dataDir('missing')
    await assert.rejects(Store.open(dir), code('ERR_DB_MISSING'))
    await assert.rejects(Store.open(dir, { readOnly: true }), code('ERR_DB_MISSING'))
    await assert.rejects(Store.open(dir), code('ERR_DB_MISSING'))
  })

  it('leaves the data directory as it was when no database is there to open', async () => {
    // a query against a mistyped or empty data dir should not leave db/LOCK and db/LOG behind
    const dir = dataDir('missing-clean')
    await assert.rejects(Store.open(dir, { readOnly: true }), code('ERR_DB_MISSING'))
    await assert.rejects(Store.open(dir), code('ERR_DB_MISSING'))
    assert.deepEqual(
      readdirSync(dir),
      [],
      `left behind: db/${existsSync(join(dir, 'db')) ? readdirSync(join(dir, 'db')).join(', db/') : ''}`,
    )
  })

  it('reports a database already open in this process as ERR_DB_LOCKED', async () => {
    const dir = dataDir('lock-self')
    const first = await Store.open(dir, { create: true })
    await assert.rejects(Store.open(dir), code('ERR_DB_LOCKED'))
    await assert.rejects(Store.open(dir, { create: true }), code('ERR_DB_LOCKED'))
    await first.close()
    const second = await Store.open(dir)
    await second.close()
  })

  it('reports a database open in another process as ERR_DB_LOCKED, and opens it once that one is gone', async () => {
    const dir = dataDir('lock-other')
    const child = spawn(NODE, [HOLDER, dir], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          if (d.includes('ready')) resolve()
        })
        child.on('close', () => reject(new Error(`holder exited early: ${stderr}`)))
      })
      await assert.rejects(Store.open(dir), code('ERR_DB_LOCKED'))
      await assert.rejects(Store.open(dir, { create: true }), code('ERR_DB_LOCKED'))
    } finally {
      child.stdin.end()
    }
    assert.equal(await exited, 0, stderr)
    const store = await Store.open(dir)
    await store.close()
  })
})
