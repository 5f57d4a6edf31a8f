/** dnstap listen addresses: `unix:PATH` (a Frame Streams unix socket) or `tcp:HOST:PORT`. */
import { isIPv4, isIPv6 } from 'node:net'

export type ListenAddress =
  | { transport: 'unix'; path: string }
  | { transport: 'tcp'; host: string; port: number }

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

/**
 * Parses `unix:PATH` or `tcp:HOST:PORT` (HOST an IPv4 address, a bracketed IPv6 address or a host
 * name; PORT 0 to 65535, 0 meaning any free port). The unix path is returned as written: a relative
 * one is resolved against the data directory by the loader. Returns a problem text on failure.
 */
export function parseListenAddress(text: string): ListenAddress | string {
  if (text.startsWith('unix:')) {
    const path = text.slice(5)
    if (path.length === 0) return 'a unix: address needs a path (unix:/run/pdns-mesh/dnstap.sock)'
    if (path.includes('\0')) return 'a unix socket path cannot hold a NUL byte'
    return { transport: 'unix', path }
  }
  if (text.startsWith('tcp:')) {
    const m = /^(\[[^\]]*\]|[^:[\]]*):([0-9]{1,5})$/.exec(text.slice(4))
    if (m === null)
      return `expected tcp:HOST:PORT (an IPv6 host in brackets: tcp:[::1]:6000), got ${JSON.stringify(text)}`
    const bracketed = m[1]!.startsWith('[')
    const host = bracketed ? m[1]!.slice(1, -1) : m[1]!
    const port = Number(m[2])
    if (bracketed ? !isIPv6(host) : !(isIPv4(host) || (HOST_NAME.test(host) && !/^[0-9.]+$/.test(host)))) {
      return `${JSON.stringify(host)} is not an IPv4 address, a bracketed IPv6 address or a host name`
    }
    if (port > 65535) return `port ${port} is above 65535`
    return { transport: 'tcp', host, port }
  }
  return `expected unix:PATH or tcp:HOST:PORT, got ${JSON.stringify(text)}`
}

export function formatListenAddress(a: ListenAddress): string {
  if (a.transport === 'unix') return `unix:${a.path}`
  return `tcp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`
}
