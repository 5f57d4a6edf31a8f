/**
 * Fidelity of COF export → import over the whole shared corpus. Every corpus capture goes into store A
 * through the real write path (Sensor → Recorder → AggregationWindow → Store) under origin 'x'; A is
 * exported (QueryEngine.export) and rendered with the project's COF formatter into a file, which is
 * imported into a fresh store B (importCof: sensor_id 'x' becomes origin `cof:x`). Then:
 *
 * - no COF line is rejected;
 * - B exports exactly A's records (kind, rrname, rrtype, rdata, bailiwick, first, last, count), only the
 *   origin label differs (x vs cof:x);
 * - importing the file again changes nothing (byte-identical database, nothing inserted or updated);
 * - B keeps the index invariants.
 */
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { typeName } from '../../node/dns/constants.ts'
import { isPdnsError, PdnsError } from '../../node/errors.ts'
import { parseCofLine } from '../../node/ingest/cof.ts'
import { type CofImportResult, cofOriginLabel, importCof } from '../../node/ingest/index.ts'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow, type WindowStats } from '../../node/ingest/window.ts'
import { QueryEngine } from '../../node/query/engine.ts'
import { recordToCof } from '../../node/query/format/cof.ts'
import type { ResultRecord } from '../../node/query/types.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { Store } from '../../node/store/store.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { checkIndexes, dump, tempDir } from '../store/helpers.ts'

/** The ports corpus.test.ts and lookups.test.ts give the sensor (tshark's DNS, mDNS and LLMNR). */
const PORTS = new Set([53, 5353, 5355])
const ORIGIN = 'x'
/** Differences listed per record type when the exports disagree. */
const SHOWN = 5

/** Everything of a record but its origins. */
const fields = (r: ResultRecord): string =>
  JSON.stringify([r.kind, r.rrname, r.rrtype, r.rdata, r.bailiwick, r.first, r.last, r.count])
/** The record's identity without rdata, times or count: where a changed record is looked for. */
const near = (r: ResultRecord): string => JSON.stringify([r.kind, r.rrname, r.rrtype, r.bailiwick])
const origins = (r: ResultRecord): string => r.vantages.map((v) => v.origin).join(',')

function inc(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function sortedCounts(map: Map<string, number>): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
}

function exportAll(store: Store): ResultRecord[] {
  return [...new QueryEngine(store).export()]
}

function importOnce(store: Store, file: string): Promise<{ result: CofImportResult; stats: WindowStats }> {
  const window = new AggregationWindow(store, { flushIntervalMs: 0 })
  return importCof(file, { store, window }).then((result) => {
    window.stop()
    return { result, stats: window.stats() }
  })
}

const corpusPresent = existsSync(resolve(CORPUS_DIR, 'MANIFEST.tsv'))

describe('COF export of the whole corpus imports back into a fresh store unchanged', () => {
  const dirs: (() => void)[] = []
  let storeA: Store
  let storeB: Store
  let recordsA: ResultRecord[] = []
  let lines: string[] = []
  let cofFile = ''
  let firstImport: { result: CofImportResult; stats: WindowStats }
  let note = ''

  before(async () => {
    if (!corpusPresent) return
    const started = performance.now()
    const a = tempDir('cof-a')
    const b = tempDir('cof-b')
    const files = tempDir('cof-file')
    dirs.push(a.cleanup, b.cleanup, files.cleanup)

    storeA = await Store.open(a.dir, { create: true })
    const window = new AggregationWindow(storeA, { flushIntervalMs: 0 })
    const recorder = new Recorder({ window }, storeA.originId(ORIGIN))
    const captures = corpusCaptures()
    let damaged = 0
    for (const capture of captures) {
      const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, recorder.observe)
      try {
        await sensor.ingestFile(resolve(CORPUS_DIR, capture))
      } catch (err) {
        // damaged captures: what was read before the damage is kept (corpus.test.ts lists the errors)
        if (!isPdnsError(err)) throw err
        damaged++
      }
      sensor.flush()
    }
    window.stop()
    const imported = performance.now()

    recordsA = exportAll(storeA)
    lines = recordsA.map((r) => recordToCof(r))
    cofFile = join(files.dir, 'export.cof')
    writeFileSync(cofFile, lines.length === 0 ? '' : `${lines.join('\n')}\n`)
    const exported = performance.now()

    storeB = await Store.open(b.dir, { create: true })
    firstImport = await importOnce(storeB, cofFile)
    note =
      `${captures.length} captures (${damaged} damaged) into A in ${Math.round(imported - started)} ms; ` +
      `${recordsA.length} records exported as COF in ${Math.round(exported - imported)} ms; ` +
      `COF imported into B in ${Math.round(performance.now() - exported)} ms`
  })

  after(async () => {
    await storeA?.close()
    await storeB?.close()
    for (const cleanup of dirs) cleanup()
  })

  test('every COF line of the export is accepted, and each reads back as the record it was written from', (t) => {
    if (!requireCorpus(t, 'COF round trip')) return
    t.diagnostic(note)
    assert.ok(recordsA.length > 1000, `only ${recordsA.length} records from the corpus`)
    // every line parsed on its own: each bad line with its reason, each line that reads back changed
    const bad: string[] = []
    const changed: string[] = []
    for (let i = 0; i < lines.length; i++) {
      const parsed = parseCofLine(lines[i]!)
      if (parsed instanceof PdnsError) {
        bad.push(`line ${i + 1} (${recordsA[i]!.rrtype}): ${parsed.message}: ${lines[i]}`)
        continue
      }
      const back = parsed.map((p) => fields({ ...p, rrtype: typeName(p.rrtype), vantages: [] }))
      if (back.length !== 1 || back[0] !== fields(recordsA[i]!) || parsed[0]!.sensorId !== ORIGIN) {
        changed.push(`line ${i + 1}: ${lines[i]} → ${JSON.stringify(parsed)}`)
      }
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} COF lines rejected by parseCofLine`)

    const r = firstImport.result
    t.diagnostic(
      `importCof: ${r.lines} lines, ${r.records} records, ${r.badLines} bad, origins ${r.origins.join(',')}; ` +
        `window ${JSON.stringify(firstImport.stats)}`,
    )
    assert.deepEqual(r.firstBad, [], `${r.badLines} COF lines rejected by importCof`)
    assert.equal(r.badLines, 0)
    assert.equal(r.error, null)
    assert.equal(r.lines, lines.length)
    assert.equal(r.records, recordsA.length)
    assert.deepEqual(r.origins, [cofOriginLabel(ORIGIN)])
    assert.equal(cofOriginLabel(ORIGIN), 'cof:x')
    assert.equal(firstImport.stats.inserted, recordsA.length, 'one new record in B per COF line')
    assert.equal(firstImport.stats.updated + firstImport.stats.unchanged, 0)
    assert.deepEqual(changed.slice(0, 20), [], `${changed.length} COF lines read back as another record`)
  })

  test('exporting B gives exactly the records of A, only the origin label differs', (t) => {
    if (!requireCorpus(t, 'COF round trip')) return
    const recordsB = exportAll(storeB)
    assert.deepEqual([...new Set(recordsA.map(origins))], [ORIGIN], 'every record of A has the one origin x')
    assert.deepEqual(
      [...new Set(recordsB.map(origins))],
      ['cof:x'],
      'every record of B has the one origin cof:x',
    )
    const a = recordsA.map(fields).sort()
    const b = recordsB.map(fields).sort()
    if (a.length !== b.length || a.some((k, i) => k !== b[i])) {
      // the first differences per record type: what A has that B lacks, with B's nearest record
      const inB = new Map<string, number>()
      for (const k of b) inB.set(k, (inB.get(k) ?? 0) + 1)
      const onlyA = new Map<string, ResultRecord[]>()
      for (const r of recordsA) {
        const k = fields(r)
        const n = inB.get(k) ?? 0
        if (n > 0) inB.set(k, n - 1)
        else onlyA.set(r.rrtype, [...(onlyA.get(r.rrtype) ?? []), r])
      }
      const inA = new Map<string, number>()
      for (const k of a) inA.set(k, (inA.get(k) ?? 0) + 1)
      const nearB = new Map<string, ResultRecord[]>()
      const onlyB = new Map<string, number>()
      for (const r of recordsB) {
        const k = fields(r)
        const n = inA.get(k) ?? 0
        if (n > 0) inA.set(k, n - 1)
        else {
          nearB.set(near(r), [...(nearB.get(near(r)) ?? []), r])
          inc(onlyB, r.rrtype)
        }
      }
      for (const [rrtype, rs] of onlyA) {
        t.diagnostic(`${rrtype}: ${rs.length} records of A not in B, ${onlyB.get(rrtype) ?? 0} of B not in A`)
        for (const r of rs.slice(0, SHOWN)) {
          const seen = (nearB.get(near(r)) ?? []).slice(0, 2).map(fields).join(' | ') || 'none'
          t.diagnostic(`  A ${fields(r)}\n    B nearest: ${seen}`)
        }
      }
      for (const [rrtype, n] of onlyB)
        if (!onlyA.has(rrtype)) t.diagnostic(`${rrtype}: ${n} records only in B`)
    }
    assert.equal(b.length, a.length, 'B exports as many records as A')
    const firstDiff = a.findIndex((k, i) => k !== b[i])
    assert.equal(firstDiff, -1, `first difference: A ${a[firstDiff]} vs B ${b[firstDiff]}`)
    // the keys of B are A's with another origin: the export order is A's too
    assert.deepEqual(recordsB.map(fields), recordsA.map(fields), 'B exports in A’s order')
  })

  test('the round trip covers negative records and every rrtype the corpus holds', (t) => {
    if (!requireCorpus(t, 'COF round trip')) return
    const byType = new Map<string, number>()
    const byKind = new Map<string, number>()
    for (const r of recordsA) {
      inc(byType, r.kind === 'rr' ? r.rrtype : `${r.rrtype}(${r.kind})`)
      inc(byKind, r.kind)
    }
    t.diagnostic(`kinds: ${sortedCounts(byKind)}`)
    t.diagnostic(`rrtypes (${byType.size}): ${sortedCounts(byType)}`)
    assert.ok((byKind.get('nxdomain') ?? 0) > 0, 'the corpus gives nxdomain records')
    assert.ok((byKind.get('nodata') ?? 0) > 0, 'the corpus gives nodata records')
    // every rrtype of A (and every kind per type) comes back from B in the same numbers
    const byTypeB = new Map<string, number>()
    for (const r of exportAll(storeB)) inc(byTypeB, r.kind === 'rr' ? r.rrtype : `${r.rrtype}(${r.kind})`)
    assert.deepEqual(sortedCounts(byTypeB), sortedCounts(byType))
    // the lines say what they are: negatives with empty rdata and their `negative` field, types by name
    const negatives = lines.filter((l) => (JSON.parse(l) as { negative?: string }).negative !== undefined)
    assert.equal(negatives.length, (byKind.get('nxdomain') ?? 0) + (byKind.get('nodata') ?? 0))
    // the awkward parts of the presentation form the corpus holds, each through the round trip
    const hard = {
      bailiwick: recordsA.filter((r) => r.bailiwick !== null).length,
      escapedOwner: recordsA.filter((r) => r.rrname.includes('\\')).length,
      escapedRdata: recordsA.filter((r) => r.rdata.includes('\\') && !r.rdata.startsWith('\\# ')).length,
      genericRdata: recordsA.filter((r) => r.rdata.startsWith('\\# ')).length,
      rootOwner: recordsA.filter((r) => r.rrname === '.').length,
    }
    t.diagnostic(`awkward records: ${JSON.stringify(hard)}`)
    for (const [what, n] of Object.entries(hard)) assert.ok(n > 0, `no record with ${what} in the corpus`)
    const numericTypes = new Set(recordsA.filter((r) => /^TYPE[0-9]+$/.test(r.rrtype)).map((r) => r.rrtype))
    t.diagnostic(
      `types without a mnemonic (written TYPEnnn): ${[...numericTypes].sort().join(', ') || 'none'}`,
    )
  })

  test('importing the same COF file into B again changes nothing', async (t) => {
    if (!requireCorpus(t, 'COF round trip')) return
    const before = dump(storeB)
    const again = await importOnce(storeB, cofFile)
    t.diagnostic(`second import: window ${JSON.stringify(again.stats)}`)
    assert.equal(again.result.badLines, 0)
    assert.equal(again.result.records, recordsA.length)
    assert.equal(again.stats.inserted, 0, 'nothing inserted by the second import')
    assert.equal(again.stats.updated, 0, 'nothing updated by the second import')
    assert.equal(again.stats.unchanged, recordsA.length)
    const afterDump = dump(storeB)
    assert.equal(afterDump.length, before.length, 'as many database entries after the second import')
    const firstDiff = before.findIndex((e, i) => e !== afterDump[i])
    assert.equal(firstDiff, -1, `first changed entry: ${before[firstDiff]} → ${afterDump[firstDiff]}`)
  })

  test('B keeps the index invariants, with as many index entries as A', (t) => {
    if (!requireCorpus(t, 'COF round trip')) return
    const b = checkIndexes(storeB)
    const a = checkIndexes(storeA)
    t.diagnostic(`indexes of B: ${JSON.stringify(b)}`)
    assert.deepEqual(b, a)
    assert.equal(b.rrsets, recordsA.length)
  })
})
