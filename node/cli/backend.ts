/**
 * Where the CLI's queries go. A running node owns the database's RocksDB lock, so a CLI started
 * beside it cannot open the database: it must ask the node. openBackend is the one place that decides;
 * every command that reads the store (query, export, stats) goes through it.
 */
import { resolve } from 'node:path'
import type { QueryBackend } from '../query/types.ts'

/** Environment variable naming the data directory when --data is not given. */
export const DATA_DIR_ENV = 'PDNS_MESH_DATA'
export const DEFAULT_DATA_DIR = './pdns-data'

/** The data directory: --data, else $PDNS_MESH_DATA, else ./pdns-data (absolute). */
export function dataDirOf(option: string | undefined): string {
  const env = process.env[DATA_DIR_ENV]
  return resolve(option ?? (env !== undefined && env !== '' ? env : DEFAULT_DATA_DIR))
}

export async function openBackend(
  dataDir: string,
  opts: { signal?: AbortSignal } = {},
): Promise<QueryBackend> {
  // The live-node issue adds the node's control socket here, tried first: when
  // `<data>/control.sock` accepts a connection, return a backend that forwards queries to the node
  // (which holds the lock); only when no node answers does the CLI open the database itself.
  // loaded on demand: the store and the identity (libp2p) are not needed by every command
  const { LocalBackend } = await import('../query/local.ts')
  return await LocalBackend.open(dataDir, opts)
}
