/** A positive integer option of a benchmark (`1_000_000` allowed); a bad one stops the run naming it. */
export function count(text: string, what: string): number {
  const n = Number(text.replace(/_/g, ''))
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${what}: not a positive integer: ${text}`)
  return n
}
