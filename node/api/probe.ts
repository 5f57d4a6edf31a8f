/**
 * Is a node behind a control socket? Decided at the connection level, without speaking HTTP: a node
 * busy with a long query still accepts connections (the kernel does, into its backlog), so it is
 * never mistaken for a dead one whose socket could be taken over.
 */
import { lstat } from 'node:fs/promises'
import { connect } from 'node:net'
import { PdnsError } from '../errors.ts'
import { PROBE_TIMEOUT_MS } from './limits.ts'

export type SocketState = 'none' | 'stale' | 'alive'

/**
 * 'none': no socket file at `path` (or a file that is not a socket); 'stale': a socket file nobody
 * accepts on (its node crashed or was killed); 'alive': something accepts connections there.
 * ERR_NODE_UNREACHABLE when the socket cannot be tried (permissions: another user's node).
 */
export async function probeControlSocket(
  path: string,
  opts: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
): Promise<SocketState> {
  const signal = opts.signal
  if (signal?.aborted) throw new PdnsError('ERR_ABORTED', 'cancelled', { cause: signal.reason })
  try {
    if (!(await lstat(path)).isSocket()) return 'none'
  } catch {
    return 'none'
  }
  return await new Promise<SocketState>((resolve, reject) => {
    const sock = connect({ path })
    const done = (state: SocketState | PdnsError) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      sock.destroy()
      if (state instanceof PdnsError) reject(state)
      else resolve(state)
    }
    const onAbort = () => done(new PdnsError('ERR_ABORTED', 'cancelled', { cause: signal?.reason }))
    // no answer either way: something holds the socket without accepting fast; never take it over
    const timer = setTimeout(() => done('alive'), opts.timeoutMs ?? PROBE_TIMEOUT_MS)
    signal?.addEventListener('abort', onAbort, { once: true })
    sock.on('connect', () => done('alive'))
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('stale')
      else if (err.code === 'ENOENT') done('none')
      // a full accept backlog: a node, busy
      else if (err.code === 'EAGAIN') done('alive')
      else
        done(
          new PdnsError('ERR_NODE_UNREACHABLE', `cannot connect to ${path}: ${err.message}`, {
            cause: err,
          }),
        )
    })
  })
}
