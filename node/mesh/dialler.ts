/**
 * The peers this node dials (mesh.peers, changed by `pdns-mesh reload`): each dialled when the mesh
 * starts and redialled while it is not connected, with a delay that doubles from REDIAL_MIN_MS up to
 * REDIAL_MAX_MS after each failure and starts again small once the peer connects. A peer no longer
 * allowed is not dialled, only retried later (the allowlist may come back). Mesh (mesh.ts) tells it
 * what happens to connections; it knows nothing of libp2p beyond `dial`.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { PdnsError } from '../errors.ts'
import { REDIAL_MAX_MS, REDIAL_MIN_MS } from './limits.ts'

export interface DiallerComponents {
  /** dials the address; null when the network is not running */
  dial(addr: string): Promise<unknown> | null
  allowed(peerId: string): boolean
  connected(peerId: string): boolean
  /** a dial failed (the peer's status shows it) */
  onDialError(peerId: string, addr: string, err: Error): void
}

interface Dialled {
  addr: string
  peerId: string
  delay: number
  timer: NodeJS.Timeout | null
  /** no longer listed: a dial still in flight must not schedule it again when it fails */
  removed: boolean
}

/** The peer id a configured address ends with (`…/p2p/<peer id>`); ERR_CONFIG without one. */
export function peerIdOfAddress(addr: string): string {
  let id: string | undefined
  try {
    id = multiaddr(addr)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
  } catch (cause) {
    throw new PdnsError('ERR_CONFIG', `mesh.peers: ${addr} is not a multiaddr`, { cause })
  }
  if (id === undefined) throw new PdnsError('ERR_CONFIG', `mesh.peers: ${addr} has no /p2p/<peer id>`)
  return id
}

export class Dialler {
  readonly #c: DiallerComponents
  readonly #dialled: Dialled[] = []
  #running = false

  /** `peers`: multiaddrs ending in /p2p/<peer id> (ERR_CONFIG otherwise) */
  constructor(components: DiallerComponents, peers: readonly string[]) {
    this.#c = components
    for (const addr of peers) this.#dialled.push(dialled(addr, peerIdOfAddress(addr)))
  }

  start(): void {
    this.#running = true
    for (const d of this.#dialled) this.#dial(d)
  }

  stop(): void {
    this.#running = false
    for (const d of this.#dialled) {
      if (d.timer !== null) clearTimeout(d.timer)
      d.timer = null
    }
  }

  /** Replaces the addresses dialled: one no longer listed is no longer redialled, a new one is dialled now. */
  setPeers(peers: readonly string[]): void {
    const wanted = new Map(peers.map((a) => [a, peerIdOfAddress(a)]))
    for (let i = this.#dialled.length - 1; i >= 0; i--) {
      const d = this.#dialled[i]!
      if (wanted.has(d.addr)) continue
      if (d.timer !== null) clearTimeout(d.timer)
      d.timer = null
      d.removed = true
      this.#dialled.splice(i, 1)
    }
    for (const [addr, peerId] of wanted) {
      if (this.#dialled.some((d) => d.addr === addr)) continue
      const d = dialled(addr, peerId)
      this.#dialled.push(d)
      this.#dial(d)
    }
  }

  /** The peer connected: its next redial, if it goes away, starts again at the shortest delay. */
  connected(peerId: string): void {
    const d = this.#dialled.find((x) => x.peerId === peerId)
    if (d !== undefined) d.delay = REDIAL_MIN_MS
  }

  /** The peer's last connection closed: redial it (if it is one of ours, and the mesh is not stopping). */
  disconnected(peerId: string): void {
    const d = this.#dialled.find((x) => x.peerId === peerId)
    if (d !== undefined) this.#redial(d)
  }

  #dial(d: Dialled): void {
    if (!this.#running || d.removed) return
    if (!this.#c.allowed(d.peerId)) {
      this.#redial(d)
      return
    }
    this.#c.dial(d.addr)?.then(
      () => {},
      (err: unknown) => {
        this.#c.onDialError(d.peerId, d.addr, err as Error)
        this.#redial(d)
      },
    )
  }

  #redial(d: Dialled): void {
    if (!this.#running || d.removed || d.timer !== null) return
    const delay = d.delay
    d.delay = Math.min(REDIAL_MAX_MS, d.delay * 2)
    d.timer = setTimeout(() => {
      d.timer = null
      if (!this.#c.connected(d.peerId)) this.#dial(d)
    }, delay)
    d.timer.unref()
  }
}

function dialled(addr: string, peerId: string): Dialled {
  return { addr, peerId, delay: REDIAL_MIN_MS, timer: null, removed: false }
}
