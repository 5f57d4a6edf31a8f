/**
 * TTLs for readers: the sample capture imported through the real recorder keeps each record's TTL
 * (min/max), LocalBackend.ttl gives it per record beside a query's answer, and records of a COF
 * import (no TTL on the wire format) read as unknown.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { LocalBackend } from '../../node/query/local.ts'
import { parseNamePattern } from '../../node/query/parse.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'
import { tempDir } from '../store/helpers.ts'

const { dir, cleanup } = tempDir('ttl-read')
after(cleanup)

test('a query answer gets the TTLs the capture carried, and null where none was observed', async () => {
  const r = await runCli(['import', '--data', dir, join(REPO, 'test/fixtures/sample.pcap')])
  assert.equal(r.code, 0, r.stderr)
  const be = await LocalBackend.open(dir)
  try {
    const page = await be.rrset({ name: parseNamePattern('*.example.com') })
    const ttls = be.ttl(page.records)
    const by = new Map(page.records.map((rec, i) => [`${rec.rrname} ${rec.rrtype} ${rec.rdata}`, ttls[i]]))
    assert.deepEqual(by.get('www.example.com CNAME web.example.net'), { min: 300, max: 300 })
    assert.deepEqual(by.get('example.com NS ns1.example.com'), { min: 86400, max: 86400 })
    // NXDOMAIN: the negative-caching TTL, min(SOA TTL, MINIMUM) = 300
    assert.deepEqual(by.get('nope.example.com A '), { min: 300, max: 300 })
    // a record of a vantage the store does not know reads as unknown, not as an error
    const foreign = {
      ...page.records[0]!,
      vantages: [{ ...page.records[0]!.vantages[0]!, origin: 'cof:nobody' }],
    }
    assert.deepEqual(be.ttl([foreign]), [null])
  } finally {
    await be.close()
  }
})
