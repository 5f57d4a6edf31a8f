/**
 * Kademlia for the scale simulation: 64-bit ids (two u32 words, hi then lo), XOR distance, k-buckets
 * by common-prefix length, iterative lookups with parallelism alpha, the r closest online nodes to a
 * key, and the shard key (sha256 of the registered domain). @libp2p/kad-dht uses sha256 keys in a
 * 256-bit space; for up to 10^4 nodes only the top ~20 bits decide buckets and closeness, so 64 bits
 * give the same routing while keeping the simulation in plain 32-bit integer arithmetic.
 */
import { createHash } from 'node:crypto'

export const ID_BITS = 64

/** Node ids as parallel arrays, sorted by (hi, lo): index i is node i. */
export interface IdSpace {
  hi: Uint32Array
  lo: Uint32Array
}

export interface Key {
  hi: number
  lo: number
}

/** Bit b (0 = most significant) of a 64-bit id. */
export function bit(hi: number, lo: number, b: number): number {
  return b < 32 ? (hi >>> (31 - b)) & 1 : (lo >>> (63 - b)) & 1
}

/** Length of the common prefix of two ids (64 when equal): the k-bucket index of one in the other's table. */
export function commonPrefix(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const x = (aHi ^ bHi) >>> 0
  if (x !== 0) return Math.clz32(x)
  const y = (aLo ^ bLo) >>> 0
  return y === 0 ? 64 : 32 + Math.clz32(y)
}

/** Compares XOR distances of ids a and b to target t: negative when a is closer. */
export function compareDistance(t: Key, aHi: number, aLo: number, bHi: number, bLo: number): number {
  const da = (aHi ^ t.hi) >>> 0
  const db = (bHi ^ t.hi) >>> 0
  if (da !== db) return da - db
  return ((aLo ^ t.lo) >>> 0) - ((bLo ^ t.lo) >>> 0)
}

/** n distinct random ids, sorted. */
export function makeIds(n: number, rand: () => number): IdSpace {
  const pairs: [number, number][] = []
  const seen = new Set<string>()
  while (pairs.length < n) {
    const hi = Math.floor(rand() * 2 ** 32) >>> 0
    const lo = Math.floor(rand() * 2 ** 32) >>> 0
    const k = `${hi}:${lo}`
    if (seen.has(k)) continue
    seen.add(k)
    pairs.push([hi, lo])
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  return { hi: Uint32Array.from(pairs, (p) => p[0]), lo: Uint32Array.from(pairs, (p) => p[1]) }
}

/** First index in [from, to) whose bit b is 1, given all ids there share bits 0..b-1 (sorted order). */
function splitAt(ids: IdSpace, from: number, to: number, b: number): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (bit(ids.hi[mid]!, ids.lo[mid]!, b) === 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The index range of ids whose first `bits` bits equal those of `key` (a subtree of the id trie):
 * contiguous in sorted order.
 */
export function prefixRange(ids: IdSpace, key: Key, bits: number): [number, number] {
  let from = 0
  let to = ids.hi.length
  for (let b = 0; b < bits && from < to; b++) {
    const s = splitAt(ids, from, to, b)
    if (bit(key.hi, key.lo, b) === 0) to = s
    else from = s
  }
  return [from, to]
}

/**
 * The `r` ids closest to `key` by XOR that pass `accept`, closest first. A depth-first walk of the
 * id trie that always takes the child on the key's side first meets ids in increasing XOR distance.
 */
export function closest(
  ids: IdSpace,
  key: Key,
  r: number,
  accept: (i: number) => boolean = () => true,
): number[] {
  const out: number[] = []
  const walk = (from: number, to: number, b: number): void => {
    if (from >= to || out.length >= r) return
    if (b === ID_BITS || to - from === 1) {
      for (let i = from; i < to && out.length < r; i++) if (accept(i)) out.push(i)
      if (to - from > 1)
        out.sort((x, y) => compareDistance(key, ids.hi[x]!, ids.lo[x]!, ids.hi[y]!, ids.lo[y]!))
      return
    }
    const s = splitAt(ids, from, to, b)
    if (bit(key.hi, key.lo, b) === 0) {
      walk(from, s, b + 1)
      walk(s, to, b + 1)
    } else {
      walk(s, to, b + 1)
      walk(from, s, b + 1)
    }
  }
  walk(0, ids.hi.length, 0)
  return out
}

/**
 * Each node's routing table: bucket i holds up to k nodes sharing exactly i leading bits with it
 * (the subtree with bit i flipped), chosen at random from all such nodes, as a table that has
 * been refreshed for a while holds them. Flattened: table[node] is the list of its contacts.
 */
export function routingTables(ids: IdSpace, k: number, rand: () => number): Int32Array[] {
  const n = ids.hi.length
  const tables: Int32Array[] = []
  for (let i = 0; i < n; i++) {
    const self: Key = { hi: ids.hi[i]!, lo: ids.lo[i]! }
    const contacts: number[] = []
    let from = 0
    let to = n
    for (let b = 0; b < ID_BITS && to - from > 1; b++) {
      const s = splitAt(ids, from, to, b)
      const mine = bit(self.hi, self.lo, b)
      // the other side at depth b is bucket b
      const [oFrom, oTo] = mine === 0 ? [s, to] : [from, s]
      const size = oTo - oFrom
      if (size <= k) for (let j = oFrom; j < oTo; j++) contacts.push(j)
      else {
        const picked = new Set<number>()
        while (picked.size < k) picked.add(oFrom + Math.floor(rand() * size))
        for (const j of picked) contacts.push(j)
      }
      if (mine === 0) to = s
      else from = s
    }
    tables.push(Int32Array.from(contacts))
  }
  return tables
}

export interface LookupResult {
  /** sequential rounds of RPCs (hops) until the k closest known had all answered */
  rounds: number
  /** RPCs sent, and those to offline nodes (timeouts) */
  rpcs: number
  failed: number
  /** the closest online nodes found, closest first */
  found: number[]
}

/**
 * Iterative FIND_NODE from `origin` for `key` (Kademlia §2.3, as libp2p kad-dht runs it): keep a
 * shortlist by distance; each round ask the alpha closest not yet asked; an online node answers with
 * its k closest contacts to the key, an offline one times out and is dropped; stop when the `beta`
 * closest of the shortlist have all answered (go-libp2p-kad-dht's resiliency parameter, 3 by
 * default; with beta = k this is the paper's rule). For a shard, beta = r: the holders answered.
 */
export function lookup(
  ids: IdSpace,
  tables: readonly Int32Array[],
  origin: number,
  key: Key,
  k: number,
  alpha: number,
  online: (i: number) => boolean,
  beta = k,
): LookupResult {
  const cmp = (a: number, b: number) => compareDistance(key, ids.hi[a]!, ids.lo[a]!, ids.hi[b]!, ids.lo[b]!)
  const kClosest = (from: Iterable<number>) => [...from].sort(cmp).slice(0, k)
  const known = new Set<number>(tables[origin])
  const asked = new Set<number>([origin])
  const answered = new Set<number>()
  const dead = new Set<number>()
  let shortlist = kClosest(known)
  if (online(origin)) {
    // the origin is a candidate too (it may itself be a holder)
    shortlist = kClosest([...shortlist, origin])
    answered.add(origin)
  }
  let rounds = 0
  let rpcs = 0
  let failed = 0
  for (;;) {
    if (shortlist.slice(0, beta).every((i) => answered.has(i))) break
    const next = shortlist.filter((i) => !asked.has(i)).slice(0, alpha)
    if (next.length === 0) break
    rounds++
    for (const i of next) {
      asked.add(i)
      rpcs++
      if (!online(i)) {
        failed++
        dead.add(i)
        continue
      }
      answered.add(i)
      const table = tables[i]!
      for (const j of kClosest(table)) if (!dead.has(j)) known.add(j)
    }
    for (const i of answered) known.add(i)
    for (const i of dead) known.delete(i)
    shortlist = kClosest(known)
  }
  return { rounds, rpcs, failed, found: shortlist.filter((i) => answered.has(i)) }
}

/**
 * Registered domain (eTLD+1) with a small public-suffix approximation: the two-label suffixes
 * below plus any single label. Not the Public Suffix List (https://publicsuffix.org/): good enough
 * to place shards in a simulation; the node would use the real list (e.g. the `tldts` package).
 */
const TWO_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'ne.jp',
  'or.jp',
  'com.br',
  'com.cn',
  'net.cn',
  'co.in',
  'co.nz',
  'co.za',
  'com.mx',
  'com.tr',
  'co.kr',
  'com.tw',
  'github.io',
  'herokuapp.com',
  'blogspot.com',
  'azurewebsites.net',
  'cloudfront.net',
  'amazonaws.com',
])

export function registeredDomain(name: string): string {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.')
  if (labels.length <= 2) return labels.join('.')
  const last2 = labels.slice(-2).join('.')
  const keep = TWO_LABEL_SUFFIXES.has(last2) ? 3 : 2
  return labels.slice(-keep).join('.')
}

/** The shard key of a name: sha256 of its registered domain (and a sub-shard number for split domains), top 64 bits. */
export function shardKey(name: string, subShard = 0): Key {
  const domain = registeredDomain(name)
  const h = createHash('sha256')
    .update(subShard === 0 ? domain : `${domain}#${subShard}`)
    .digest()
  return { hi: h.readUInt32BE(0), lo: h.readUInt32BE(4) }
}
