/**
 * Reads dnstap-ldns's YAML dump (`dnstap-ldns -y -r FILE`), an independent dnstap decoder, into what a
 * passive DNS store should hold for it: per (rrname, rrtype, rdata) the number of response
 * messages' RRs carrying it, over the answer, authority and additional sections of the response
 * types taken.
 */

export interface LdnsSummary {
  /** messages by dnstap type */
  types: Map<string, number>
  /** `rrname rrtype rdata` (no trailing dots, lower-case names) → occurrences */
  records: Map<string, number>
  identities: Set<string>
}

/** `a.test.` → `a.test`; the root stays `.`. */
function undot(token: string): string {
  return token.length > 1 && token.endsWith('.') ? token.slice(0, -1) : token
}

export function summarizeLdnsYaml(yaml: string, taken: ReadonlySet<string>): LdnsSummary {
  const types = new Map<string, number>()
  const records = new Map<string, number>()
  const identities = new Set<string>()
  for (const doc of yaml.split(/^---$/m)) {
    const type = /^ {2}type: (\S+)$/m.exec(doc)?.[1]
    if (type === undefined) continue
    types.set(type, (types.get(type) ?? 0) + 1)
    const id = /^identity: "(.*)"$/m.exec(doc)?.[1]
    if (id !== undefined) identities.add(id)
    if (!taken.has(type)) continue
    const body = /^ {2}response_message: \|\n((?: {4}.*\n?|\n)*)/m.exec(doc)?.[1]
    if (body === undefined) continue
    let inSection = false
    for (const raw of body.split('\n')) {
      const line = raw.replace(/^ {4}/, '')
      if (/^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.test(line)) {
        inSection = true
        continue
      }
      if (line.startsWith(';;') || line === '') {
        if (line.startsWith(';; EDNS') || line.startsWith(';; Data')) inSection = false
        continue
      }
      if (!inSection) continue
      const f = line.split(/\t/)
      if (f.length < 5 || f[2] !== 'IN') continue
      const rdata = f.slice(4).join('\t').split(' ').map(undot).join(' ')
      const key = `${undot(f[0]!.toLowerCase())} ${f[3]} ${rdata}`
      records.set(key, (records.get(key) ?? 0) + 1)
    }
  }
  return { types, records, identities }
}
