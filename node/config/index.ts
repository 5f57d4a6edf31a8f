/** Public surface of the node configuration: the key table, the loader and the resolved config. */
export { DNSTAP_MESSAGE_TYPES, type DnstapMessageType } from './dnstap-types.ts'
export { formatDuration, parseDuration } from './duration.ts'
export { formatListenAddress, type ListenAddress, parseListenAddress } from './listen.ts'
export { defaultValue, loadConfig } from './load.ts'
export { DATA_DIR_ENV, DEFAULT_DATA_DIR, KEY_LIST, KEYS, type KeySpec, SECTIONS } from './schema.ts'
export { tomlValue } from './toml-text.ts'
export type { ConfigFlags, LoadConfigOptions, NodeConfig } from './types.ts'
