/**
 * The registered domain of an owner name, from the Public Suffix List (tldts, private suffixes
 * included: `login.paypal-secure.github.io` is registered as `paypal-secure.github.io`, which is
 * what a look-alike hunt wants). Only plain host-name labels are considered (letters, digits,
 * hyphen, underscore: `_dmarc.example.com` → `example.com`); reverse-mapping names (`.arpa`),
 * names with escaped octets and names that are a public suffix themselves have none.
 */
import { getDomain } from 'tldts'

const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/
const OPTIONS = { allowPrivateDomains: true, validateHostname: false } as const

export function registeredDomain(rrname: string): string | null {
  if (!HOSTNAME.test(rrname) || rrname.endsWith('.arpa')) return null
  const d = getDomain(rrname, OPTIONS)
  // tldts keeps an underscore label as registrable; a registered domain never starts with one
  return d === null || d.startsWith('_') ? null : d
}
