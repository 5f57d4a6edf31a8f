/** Where a node's control socket lives: one per data directory, so the CLI finds it from --data alone. */
import { join } from 'node:path'
import { MAX_UNIX_SOCKET_PATH_BYTES } from './limits.ts'

export const CONTROL_SOCKET_FILE = 'control.sock'

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE)
}

/** Why `path` cannot name a unix socket, or null when it can. */
export function unixPathProblem(path: string): string | null {
  const n = Buffer.byteLength(path)
  if (n > MAX_UNIX_SOCKET_PATH_BYTES) {
    return `the unix socket path ${path} is ${n} bytes, over the ${MAX_UNIX_SOCKET_PATH_BYTES} a unix socket allows`
  }
  if (path.includes('\0')) return `the unix socket path ${JSON.stringify(path)} holds a NUL byte`
  return null
}
