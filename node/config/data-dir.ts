/**
 * Where the data directory comes from when nothing names it: shared by the node's config loader
 * and the CLI's dataDirOf, so `pdns-mesh start` and `pdns-mesh query` look in the same place.
 */

/** Environment variable naming the data directory when --data is not given. */
export const DATA_DIR_ENV = 'PDNS_MESH_DATA'

export const DEFAULT_DATA_DIR = './pdns-data'
