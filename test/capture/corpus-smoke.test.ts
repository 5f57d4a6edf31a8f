/**
 * Smoke check over the shared corpus of real captures: every file goes through readCapture,
 * PacketDecoder and DnsParser; the only acceptable failures are PdnsErrors with capture-file codes,
 * and neither last-resort net (decoder.internal_error, parser.internal_error) may catch anything.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { PacketDecoder, readCapture } from '../../node/capture/index.ts'
import { DnsParser } from '../../node/dns/parser.ts'
import { isPdnsError } from '../../node/errors.ts'

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/pcaps')
const ALLOWED = new Set(['ERR_UNKNOWN_FORMAT', 'ERR_TRUNCATED_CAPTURE', 'ERR_CORRUPT_CAPTURE'])

function captures(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    // `.expected/` folders hold the source suites' outputs, `.tshark.jsonl` tshark's decoding.
    if (e.isDirectory()) {
      if (!e.name.endsWith('.expected')) out.push(...captures(p))
    } else if (!e.name.endsWith('.jsonl')) out.push(p)
  }
  return out.sort()
}

test('every corpus capture decodes without an unexpected exception', async (t) => {
  if (!existsSync(CORPUS)) {
    if (process.env.CI === 'true') assert.fail(`corpus missing at ${CORPUS} (required when CI=true)`)
    t.skip(`corpus not found at ${CORPUS}`)
    return
  }
  const files = captures(CORPUS)
  assert.ok(files.length > 0)
  const failures: string[] = []
  const internalErrors: string[] = []
  let frames = 0
  let dns = 0
  let ok = 0
  for (const f of files) {
    const parser = new DnsParser({ clientAddresses: true }, () => {})
    const dec = new PacketDecoder({ ports: new Set([53, 5353, 5355]) }, (buf, off, len, info) => {
      dns++
      parser.parse(buf, off, len, info)
    })
    try {
      await readCapture(f, dec.decode)
      ok++
    } catch (err) {
      if (!isPdnsError(err) || !ALLOWED.has(err.code)) throw err
      failures.push(`${relative(CORPUS, f)}: ${err.code}`)
    }
    dec.flush()
    frames += dec.frames
    for (const [name, n] of [
      ['decoder.internal_error', dec.anomalies.get('decoder.internal_error')],
      ['parser.internal_error', parser.anomalies.get('parser.internal_error')],
    ] as const) {
      if (n > 0) internalErrors.push(`${relative(CORPUS, f)}: ${name} ${n}`)
    }
  }
  t.diagnostic(`corpus: ${files.length} files, ${ok} clean, ${frames} frames, ${dns} DNS payloads`)
  for (const line of failures) t.diagnostic(line)
  console.log(
    `corpus smoke: ${files.length} files, ${ok} read cleanly, ${failures.length} PdnsErrors (${failures.join('; ') || 'none'}), ${frames} frames, ${dns} DNS payloads`,
  )
  assert.deepEqual(internalErrors, [], 'a last-resort net caught an exception: a decoder or parser bug')
})
