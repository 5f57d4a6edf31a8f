/**
 * Checks of the values particular to this node's keys (schema.ts): dnstap socket access, libp2p
 * addresses and peer ids, interface names and ports. The generic checks they build on are in
 * checks.ts.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { parseSocketMode } from '../dnstap/socket-access.ts'
import { type Check, integer, show, text } from './checks.ts'

export const port = integer(1, 65535, 'a port number')

/** dnstap.socket_mode: octal permission bits as a string ("0660"); a TOML integer would be read as decimal. */
export const socketMode: Check<number> = {
  type: 'string',
  allowed: 'an octal mode, "0000" to "0777"',
  parse: (raw) => {
    if (typeof raw !== 'string') {
      return { problem: `expected an octal mode as a string such as "0660", got ${show(raw)}` }
    }
    const mode = parseSocketMode(raw)
    return typeof mode === 'number' ? { value: mode } : { problem: mode }
  },
}

/**
 * dnstap.socket_group: a group name or a numeric gid, as a string or an integer; '' is none. The
 * name is only checked for shape here: the loader looks it up (node/dnstap/socket-access.ts).
 */
export const socketGroup: Check<string> = {
  type: 'string or integer',
  allowed: "a group name or a numeric gid; empty: the node's group",
  parse: (raw) => {
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 0xfffffffe) {
      return { value: String(raw) }
    }
    if (typeof raw === 'string' && /^[^\s:\0]{0,256}$/.test(raw)) return { value: raw }
    return { problem: `expected a group name or a numeric gid, got ${show(raw)}` }
  },
}
/** A libp2p multiaddr (checked by @multiformats/multiaddr); with `p2p`, it must end in /p2p/<peer id>. */
export function multiaddrText(p2p: boolean): Check<string> {
  return {
    type: 'string',
    allowed: p2p ? 'a multiaddr ending in /p2p/<peer id>' : 'a multiaddr such as /ip4/0.0.0.0/tcp/4001',
    parse: (raw) => {
      if (typeof raw !== 'string' || raw.length > 1024)
        return { problem: `expected a multiaddr, got ${show(raw)}` }
      try {
        const comps = multiaddr(raw).getComponents()
        const last = comps.at(-1)
        if (p2p && (last?.name !== 'p2p' || last.value === undefined)) {
          return { problem: `${show(raw)} does not end in /p2p/<peer id>` }
        }
        if (!p2p && comps.some((c) => c.name === 'p2p')) {
          return { problem: `${show(raw)}: a listen address names no peer id` }
        }
        if (!comps.some((c) => c.name === 'tcp'))
          return { problem: `${show(raw)}: only TCP addresses are supported` }
      } catch (err) {
        return { problem: `${show(raw)} is not a multiaddr: ${(err as Error).message}` }
      }
      return { value: raw }
    },
  }
}

/** A libp2p peer id of an Ed25519 key (12D3KooW…), the only kind that can sign feed entries. */
export const peerIdText: Check<string> = {
  type: 'string',
  allowed: 'an Ed25519 libp2p peer id (12D3KooW…, as pdns-mesh id prints it)',
  parse: (raw) => {
    if (typeof raw !== 'string') return { problem: `expected a peer id, got ${show(raw)}` }
    try {
      const id = peerIdFromString(raw)
      if (id.type !== 'Ed25519' || id.toString() !== raw)
        return { problem: `${show(raw)} is not an Ed25519 peer id` }
    } catch {
      return { problem: `${show(raw)} is not a peer id` }
    }
    return { value: raw }
  },
}

export const interfaceName = text({
  empty: false,
  pattern: { re: /^[\x21-\x7e]+$/, what: 'an interface name (printable ASCII, no spaces)' },
})
