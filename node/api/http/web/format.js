// Small pure helpers: what a search text is, and how times read.

const IPV4 = /^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$/
const IPV6 = /^[0-9a-f:.]*:[0-9a-f:.]*$/i

function isAddress(text) {
  return IPV4.test(text) || IPV6.test(text)
}

/** 'ip' for an address, a CIDR (a/24 or a,24) or a range a-b; otherwise 'name'. */
export function kindOf(text) {
  const t = text.trim()
  const cidr = /^([^/,]+)[/,]([0-9]{1,3})$/.exec(t)
  if (cidr !== null && isAddress(cidr[1])) return 'ip'
  const range = /^([^-]+)-([^-]+)$/.exec(t)
  if (range !== null && isAddress(range[1]) && isAddress(range[2])) return 'ip'
  return isAddress(t) ? 'ip' : 'name'
}

/** A name with a wildcard (`*.example.com`, `+.example.com`, `www.example.*`) has no single history. */
export function isPattern(name) {
  return name.startsWith('*.') || name.startsWith('+.') || name.endsWith('.*')
}

/** `2026-01-31 12:00`, UTC. */
export function day(sec) {
  return new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ')
}

export function dateOnly(sec) {
  return new Date(sec * 1000).toISOString().slice(0, 10)
}
