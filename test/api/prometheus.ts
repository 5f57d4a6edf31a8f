/** The Prometheus text format, read strictly, for the /metrics tests. */
import assert from 'node:assert/strict'

/** A strict reader of the Prometheus text format (0.0.4): every line a comment, a sample, or empty. */
export function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>()
  const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*'
  const sample = new RegExp(
    `^(${name})(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?$`,
  )
  for (const l of text.split('\n')) {
    if (l === '') continue
    if (l.startsWith('# HELP ')) continue
    if (l.startsWith('# TYPE ')) {
      const [, , , t] = l.split(' ')
      assert.ok(types.has(t!), `bad TYPE line: ${l}`)
      continue
    }
    const m = sample.exec(l)
    assert.ok(m !== null, `not a sample line: ${l}`)
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return out
}

/** The buckets of histogram `name` (labels other than le: `labels`) rise to +Inf, which is its _count. */
export function assertHistogram(m: Map<string, number>, name: string, labels = ''): number {
  const sep = labels === '' ? '' : `${labels},`
  const buckets = [...m]
    .filter(([k]) => k.startsWith(`${name}_bucket{${sep}le="`))
    .map(([k, v]): [number, number] => {
      const le = /le="([^"]+)"/.exec(k)![1]!
      return [le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), v]
    })
    .sort((a, b) => a[0] - b[0])
  assert.ok(buckets.length > 1, `${name}: no buckets`)
  for (let i = 1; i < buckets.length; i++)
    assert.ok(buckets[i]![1] >= buckets[i - 1]![1], `${name}: buckets fall`)
  const count = m.get(`${name}_count${labels === '' ? '' : `{${labels}}`}`)
  assert.equal(buckets.at(-1)![0], Number.POSITIVE_INFINITY)
  assert.equal(buckets.at(-1)![1], count, `${name}: +Inf is not _count`)
  return count!
}
