/**
 * Where the dnstap server listens: `unix:/path/to.sock` or `tcp:HOST:PORT` (HOST an IPv4 address,
 * a name, or a bracketed IPv6 address: `tcp:[::1]:6000`). One parser for configuration and flags,
 * and the unix-socket housekeeping: a stale socket file left by a crashed node is replaced, a live
 * one (something accepts connections there) is never taken over, and a path that is not a socket
 * is never deleted.
 */
import { lstat, unlink } from 'node:fs/promises'
import { connect, isIPv6 } from 'node:net'
import { PdnsError } from '../errors.ts'

/** A listen address; the same shape as the configuration's (node/config/listen.ts), so its values pass as they are. */
export type DnstapEndpoint =
  | { transport: 'unix'; path: string }
  | { transport: 'tcp'; host: string; port: number }

/** sun_path holds 108 bytes on Linux, the terminating NUL included. */
const MAX_UNIX_PATH_BYTES = 107

/**
 * Parses `unix:PATH` or `tcp:HOST:PORT` (port 0: any free port). Throws ERR_BAD_ARGUMENT with
 * the reason; a caller reading a configuration file rewraps it as ERR_CONFIG.
 */
export function parseDnstapEndpoint(text: string): DnstapEndpoint {
  const bad = (why: string) =>
    new PdnsError(
      'ERR_BAD_ARGUMENT',
      `dnstap endpoint '${text}': ${why} (unix:/path/to.sock or tcp:HOST:PORT)`,
    )
  if (text.startsWith('unix:')) {
    const path = text.slice(5)
    if (path === '') throw bad('no socket path')
    if (path.includes('\0')) throw bad('the path holds a NUL byte')
    if (Buffer.byteLength(path) > MAX_UNIX_PATH_BYTES) {
      throw bad(`a unix socket path is at most ${MAX_UNIX_PATH_BYTES} bytes`)
    }
    return { transport: 'unix', path }
  }
  if (text.startsWith('tcp:')) {
    const rest = text.slice(4)
    const colon = rest.lastIndexOf(':')
    if (colon < 0) throw bad('no port')
    let host = rest.slice(0, colon)
    const portText = rest.slice(colon + 1)
    if (host.startsWith('[') && host.endsWith(']')) {
      host = host.slice(1, -1)
      if (!isIPv6(host)) throw bad(`'${host}' is not an IPv6 address`)
    } else if (host.includes(':')) {
      throw bad('an IPv6 address goes in brackets: tcp:[::1]:PORT')
    }
    if (host === '') throw bad('no host')
    if (!/^[A-Za-z0-9.\-_:%]+$/.test(host)) throw bad(`'${host}' is not a host name or address`)
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
      throw bad(`'${portText}' is not a port (0-65535)`)
    return { transport: 'tcp', host, port: Number(portText) }
  }
  throw bad('unknown kind')
}

/** The text form parseDnstapEndpoint reads. */
export function formatDnstapEndpoint(e: DnstapEndpoint): string {
  if (e.transport === 'unix') return `unix:${e.path}`
  return `tcp:${isIPv6(e.host) ? `[${e.host}]` : e.host}:${e.port}`
}

/**
 * Makes `path` free for a unix listener: nothing there, or a socket nobody accepts on (stale,
 * removed). Throws ERR_DNSTAP_LISTEN when a live listener holds it or the path is not a socket.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = (await lstat(path)).isSocket()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new PdnsError('ERR_DNSTAP_LISTEN', `unix:${path}: cannot inspect: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (!isSocket) {
    throw new PdnsError(
      'ERR_DNSTAP_LISTEN',
      `unix:${path}: the path exists and is not a socket (not removed)`,
    )
  }
  const probe = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const s = connect({ path })
    s.once('connect', () => {
      s.destroy()
      resolve(null)
    })
    s.once('error', (err) => resolve(err as NodeJS.ErrnoException))
  })
  if (probe === null) {
    throw new PdnsError('ERR_DNSTAP_LISTEN', `unix:${path}: another process is listening on this socket`)
  }
  // ECONNREFUSED: a socket file without a listener, left by a process that is gone
  if (probe.code !== 'ECONNREFUSED') {
    throw new PdnsError(
      'ERR_DNSTAP_LISTEN',
      `unix:${path}: cannot probe the existing socket: ${probe.message}`,
      {
        cause: probe,
      },
    )
  }
  try {
    await unlink(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PdnsError(
        'ERR_DNSTAP_LISTEN',
        `unix:${path}: cannot remove the stale socket: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
  }
}
