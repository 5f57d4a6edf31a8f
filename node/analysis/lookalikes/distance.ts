/**
 * Damerau–Levenshtein distance (the optimal-string-alignment form: insertions, deletions,
 * substitutions and transpositions of adjacent characters, each 1; no substring edited twice),
 * bounded: the scan only asks whether two labels are within k edits, so it returns early when the
 * lengths alone differ by more than k, and rows stop once every cell is above k. Strings are
 * compared by code point, so an IDN label counts each letter once. The scan calls this for every
 * registered domain held: the three rows are reused, not allocated per call.
 */

const SURROGATE = /[\uD800-\uDFFF]/
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)]

/** The distance of a and b when it is at most k, else k + 1. */
export function boundedDamerau(a: string, b: string, k: number): number {
  // code points only where a string has surrogate pairs: the common ASCII label indexes directly
  const x = SURROGATE.test(a) ? [...a] : null
  const y = SURROGATE.test(b) ? [...b] : null
  const n = x === null ? a.length : x.length
  const m = y === null ? b.length : y.length
  if (Math.abs(n - m) > k) return k + 1
  if (rows[0]!.length <= m) rows = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)]
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array]
  const at = (i: number) => (x === null ? a.charCodeAt(i) : x[i]!.codePointAt(0)!)
  const bt = (j: number) => (y === null ? b.charCodeAt(j) : y[j]!.codePointAt(0)!)
  for (let j = 0; j <= m; j++) prev[j] = j
  for (let i = 1; i <= n; i++) {
    cur[0] = i
    let rowMin = i
    const ai = at(i - 1)
    for (let j = 1; j <= m; j++) {
      const bj = bt(j - 1)
      const cost = ai === bj ? 0 : 1
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && ai === bt(j - 2) && at(i - 2) === bj) v = Math.min(v, prev2[j - 2]! + 1)
      cur[j] = v
      if (v < rowMin) rowMin = v
    }
    if (rowMin > k) return k + 1
    const t = prev2
    prev2 = prev
    prev = cur
    cur = t
  }
  return Math.min(prev[m]!, k + 1)
}
