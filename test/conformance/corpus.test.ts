/**
 * Conformance: the sensor's observations against tshark's independent decoding of every capture
 * in the shared corpus. Per file and section, the set of (rrname, rrtype, rdata) must agree.
 * A difference that stays must be listed in known-differences.tsv with its reason; the test
 * fails on any unlisted difference, on a listed one that no longer happens, and on any crash.
 */
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { isPdnsError } from '../../node/errors.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { allowed, comparable, readAllowances, readGold, tupleKey } from './corpus.ts'

/** tshark dissects these as DNS (dns, mdns, llmnr); the sensor is told the same ports. */
const PORTS = new Set([53, 5353, 5355])

test('observations agree with tshark on every capture of the shared corpus', async (t) => {
  if (!requireCorpus(t, 'tshark conformance')) return
  const allowances = readAllowances()
  const captures = corpusCaptures()
  assert.ok(captures.length > 200, `expected the corpus's captures, found ${captures.length}`)

  let goldTotal = 0
  let matched = 0
  let extraTotal = 0
  const unlisted: string[] = []
  for (const capture of captures) {
    const ours = new Set<string>()
    const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, (o) => {
      if (o.kind === 'rr' && o.rdata !== null) ours.add(tupleKey(o.section!, o.rrname, o.rrtype, o.rdata))
    })
    try {
      await sensor.ingestFile(resolve(CORPUS_DIR, capture))
    } catch (err) {
      if (!isPdnsError(err)) throw new Error(`${capture}: crashed: ${(err as Error).stack}`)
      if (!allowed(allowances, capture, 'error', `*\t*\t*\t${err.code}`)) {
        unlisted.push(`${capture}\terror\t*\t*\t*\t${err.code}\t(${err.message})`)
      }
    }
    sensor.flush()

    const gold = new Set(
      readGold(capture)
        .filter(comparable)
        .map((g) => tupleKey(g.section, g.rrname, g.rrtype, g.rdata!)),
    )
    goldTotal += gold.size
    for (const k of gold) {
      if (ours.has(k)) matched++
      else if (!allowed(allowances, capture, 'missing', k)) unlisted.push(`${capture}\tmissing\t${k}`)
    }
    for (const k of ours) {
      if (gold.has(k)) continue
      extraTotal++
      if (!allowed(allowances, capture, 'extra', k)) unlisted.push(`${capture}\textra\t${k}`)
    }
  }

  const pct = goldTotal === 0 ? 0 : (100 * matched) / goldTotal
  t.diagnostic(
    `agreement with tshark: ${matched}/${goldTotal} comparable records (${pct.toFixed(2)} %), ` +
      `${extraTotal} records only we report, ${captures.length} captures`,
  )
  process.stdout.write(
    `# conformance: ${matched}/${goldTotal} tshark records matched (${pct.toFixed(2)} %), ${extraTotal} extra\n`,
  )
  const stale = allowances.filter((a) => a.used === 0)
  assert.deepEqual(
    unlisted.slice(0, 50),
    [],
    `${unlisted.length} differences with tshark not listed in test/conformance/known-differences.tsv`,
  )
  assert.deepEqual(
    stale.map((a) => `${a.capture}\t${a.direction}\t${a.pattern.join('\t')}`),
    [],
    'entries of known-differences.tsv that no longer match anything (remove them)',
  )
})
