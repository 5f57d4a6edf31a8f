/** The mesh: feeds of signed entries, sync and query protocols over libp2p (docs/PROTOCOL.md). */
export { type StoreDigest, storeDigest } from './digest.ts'
export { Feeds } from './feeds.ts'
export { LocalFeed } from './local-feed.ts'
export { Mesh, type MeshAnswer, type MeshConfig, type MeshStatus, type ShareMode } from './mesh.ts'
export type { PeerInfo } from './peers.ts'
export type { MeshQuery } from './query-wire.ts'
