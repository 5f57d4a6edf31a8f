/**
 * A number → string lookup whose strings are made on first use and kept, so the hot path indexes an
 * array instead of formatting numbers. The mnemonic tables (types, classes, RCODEs), the per-type
 * anomaly names and the IPv6 hex words all share it.
 */
export function lazyTable(
  size: number,
  make: (i: number) => string,
  known: Iterable<readonly [number, string]> = [],
): (i: number) => string {
  // '' marks "not made yet": no real entry is empty, and one element kind keeps the array packed
  const table: string[] = new Array<string>(size).fill('')
  for (const [i, s] of known) table[i] = s
  return (i) => {
    const s = table[i]!
    if (s !== '') return s
    const made = make(i)
    table[i] = made
    return made
  }
}
