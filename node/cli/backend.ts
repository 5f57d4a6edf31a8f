/**
 * Where the CLI's queries go. A running node owns the database's RocksDB lock, so a CLI started
 * beside it cannot open the database: it must ask the node. openBackend is the one place that decides;
 * every command that reads the store (query, export, stats) goes through it.
 */
import { resolve } from 'node:path'
import { RemoteBackend } from '../api/client.ts'
import { probeControlSocket } from '../api/probe.ts'
import { controlSocketPath } from '../api/socket-path.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR } from '../config/data-dir.ts'
import type { QueryBackend } from '../query/types.ts'

export { DATA_DIR_ENV, DEFAULT_DATA_DIR }

/** The data directory: --data, else $PDNS_MESH_DATA, else ./pdns-data (absolute). */
export function dataDirOf(option: string | undefined): string {
  const env = process.env[DATA_DIR_ENV]
  return resolve(option ?? (env !== undefined && env !== '' ? env : DEFAULT_DATA_DIR))
}

/**
 * The backend for `dataDir`: its running node when one answers on `<dataDir>/control.sock` (the node
 * holds the database's lock, so it must be asked), else the database opened here. A socket that
 * accepts connections but does not answer as a pdns-mesh node should, or not within PING_TIMEOUT_MS,
 * is ERR_NODE_UNREACHABLE: opening the database beside a stuck node would only fail on its lock.
 */
export async function openBackend(
  dataDir: string,
  opts: { signal?: AbortSignal } = {},
): Promise<QueryBackend> {
  const socketPath = controlSocketPath(dataDir)
  if ((await probeControlSocket(socketPath, opts)) === 'alive') {
    const remote = new RemoteBackend(socketPath)
    await remote.ping(opts)
    return remote
  }
  // no node, or a stale socket left by one that crashed: read the database here.
  // loaded on demand: the store and the identity (libp2p) are not needed by every command
  const { LocalBackend } = await import('../query/local.ts')
  return await LocalBackend.open(dataDir, opts)
}
