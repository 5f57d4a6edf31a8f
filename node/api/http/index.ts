/** Public surface of the HTTP API: the server, the key file, and the route tables. */
export { ApiThreads, type ApiThreadsStatus } from './api-threads.ts'
export type { HttpApiComponents } from './context.ts'
export { ApiKeys, createKey, KEY_FILE, keyFilePath, readKeyFile, revokeKey } from './keys.ts'
export * from './limits.ts'
export { NATIVE_ROUTES } from './native.ts'
export { HttpApi, type HttpApiOptions } from './server.ts'
