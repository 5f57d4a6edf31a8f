/**
 * Smoke check over the shared corpus of real captures: every file goes through readCapture,
 * PacketDecoder and DnsParser; the only acceptable failures are PdnsErrors with capture-file codes,
 * and neither last-resort net (decoder.internal_error, parser.internal_error) may catch anything.
 */
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { isPdnsError } from '../../node/errors.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'

const ALLOWED = new Set(['ERR_UNKNOWN_FORMAT', 'ERR_TRUNCATED_CAPTURE', 'ERR_CORRUPT_CAPTURE'])
const NETS = ['decoder.internal_error', 'parser.internal_error']

test('every corpus capture decodes without an unexpected exception', async (t) => {
  if (!requireCorpus(t, 'corpus smoke check')) return
  const files = corpusCaptures()
  assert.ok(files.length > 0)
  const failures: string[] = []
  const internalErrors: string[] = []
  let frames = 0
  let dns = 0
  let ok = 0
  for (const f of files) {
    const sensor = new Sensor({ ports: new Set([53, 5353, 5355]), clientAddresses: true }, () => {})
    try {
      await sensor.ingestFile(resolve(CORPUS_DIR, f))
      ok++
    } catch (err) {
      if (!isPdnsError(err) || !ALLOWED.has(err.code)) throw err
      failures.push(`${f}: ${err.code}`)
    }
    sensor.flush()
    const s = sensor.stats()
    frames += s.frames
    dns += s.dnsMessages
    for (const name of NETS) {
      const n = s.anomalies[name] ?? 0
      if (n > 0) internalErrors.push(`${f}: ${name} ${n}`)
    }
  }
  t.diagnostic(`corpus: ${files.length} files, ${ok} clean, ${frames} frames, ${dns} DNS payloads`)
  for (const line of failures) t.diagnostic(line)
  console.log(
    `corpus smoke: ${files.length} files, ${ok} read cleanly, ${failures.length} PdnsErrors (${failures.join('; ') || 'none'}), ${frames} frames, ${dns} DNS payloads`,
  )
  assert.deepEqual(internalErrors, [], 'a last-resort net caught an exception: a decoder or parser bug')
})
