import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PdnsError } from '../../node/errors.ts'
import { parseTime } from '../../node/query/time.ts'

/** 2026-01-31T12:00:00Z */
const NOW = 1_769_860_800

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseTime(text, NOW),
    (err: unknown) => err instanceof PdnsError && err.code === 'ERR_BAD_QUERY' && pattern.test(err.message),
    text,
  )
}

test('epoch seconds are taken as they are', () => {
  assert.equal(parseTime('0', NOW), 0)
  assert.equal(parseTime('1767225601', NOW), 1_767_225_601)
  assert.equal(parseTime(' 1767225601 ', NOW), 1_767_225_601)
})

test('a bare negative number is that many seconds before now, as in DNSDB', () => {
  assert.equal(parseTime('-3600', NOW), NOW - 3600)
  assert.equal(parseTime('-0', NOW), NOW)
})

test('relative spans count back from now in seconds, minutes, hours, days and weeks', () => {
  assert.equal(parseTime('-45s', NOW), NOW - 45)
  assert.equal(parseTime('-30m', NOW), NOW - 1800)
  assert.equal(parseTime('-12h', NOW), NOW - 43_200)
  assert.equal(parseTime('-7d', NOW), NOW - 604_800)
  assert.equal(parseTime('-2w', NOW), NOW - 1_209_600)
  assert.equal(parseTime('-1d12h', NOW), NOW - 129_600)
})

test('a fractional now is cut to whole seconds before subtracting', () => {
  assert.equal(parseTime('-1s', NOW + 0.75), NOW - 1)
})

test('ISO 8601 dates are midnight UTC and datetimes without a zone are UTC', () => {
  assert.equal(parseTime('2026-01-01', NOW), 1_767_225_600)
  assert.equal(parseTime('2026-01-01T00:00:01', NOW), 1_767_225_601)
  assert.equal(parseTime('2026-01-01 00:00:01', NOW), 1_767_225_601)
  assert.equal(parseTime('2026-01-01T00:01', NOW), 1_767_225_660)
  assert.equal(parseTime('2026-01-01T00:00:01Z', NOW), 1_767_225_601)
  assert.equal(parseTime('2026-01-01t00:00:01z', NOW), 1_767_225_601)
})

test('ISO 8601 offsets move the time to UTC, fractions of a second are cut', () => {
  assert.equal(parseTime('2026-01-01T01:00:01+01:00', NOW), 1_767_225_601)
  assert.equal(parseTime('2026-01-01T01:00:01+0100', NOW), 1_767_225_601)
  assert.equal(parseTime('2025-12-31T19:00:01-05', NOW), 1_767_225_601)
  assert.equal(parseTime('2026-01-01T00:00:01.999Z', NOW), 1_767_225_601)
  assert.equal(parseTime('2025-12-31T24:00:00Z', NOW), 1_767_225_600)
})

test('leap days exist only in leap years', () => {
  assert.equal(parseTime('2024-02-29', NOW), 1_709_164_800)
  rejects('2025-02-29', /'2025-02-29' is not a time/)
})

test('text that is no time is refused with a message naming it', () => {
  for (const bad of [
    '',
    'yesterday',
    '-7x',
    '7d',
    '--7d',
    '-d',
    '2026-13-01',
    '2026-01-32',
    '2026-1-1',
    '1e9',
  ]) {
    rejects(bad, new RegExp(`'${bad}' is not a time`))
  }
  rejects('2026-01-01T25:00', /is not a time/)
  rejects('2026-01-01T12:60', /is not a time/)
  rejects('2026-01-01T00:00+24:00', /is not a time/)
})

test('times outside what the store keeps (1970 to 2106) are refused', () => {
  rejects('1969-12-31', /out of range/)
  rejects('0050-01-01', /out of range/)
  rejects('4294967296', /out of range/)
  rejects(`-${NOW + 1}`, /out of range/)
  rejects('-100000w', /out of range/)
  assert.equal(parseTime('4294967295', NOW), 4_294_967_295)
})
