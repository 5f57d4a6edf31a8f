/** True when name equals zone or lies below it (a real label boundary, not an escaped `\.`). */
export function isAtOrBelow(name: string, zone: string): boolean {
  if (zone === '.') return true
  const nl = name.length
  const zl = zone.length
  if (nl === zl) return name === zone
  if (nl <= zl + 1 || !name.endsWith(zone)) return false
  const dot = nl - zl - 1
  if (name.charCodeAt(dot) !== 0x2e) return false
  let bs = 0
  for (let i = dot - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) bs++
  return (bs & 1) === 0
}
