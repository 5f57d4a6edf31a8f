/**
 * The dnstap protobuf schema, loaded from dnstap.proto (beside this file) by protobufjs: the wire
 * format is read by a real protobuf implementation from the official schema, never by hand. Field
 * names keep their .proto spelling (`response_time_sec`).
 *
 * Loaded once, when a dnstap input starts (DnstapIngest's constructor calls dnstapSchema(), so a
 * broken installation fails at startup, not at the first message), and not merely when this
 * module is imported: telling a dnstap file from a capture (`pdns-mesh import`) must not pay the
 * ~50 ms protobufjs takes to load.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Type } from 'protobufjs'

/** The Frame Streams content type of dnstap (what READY/ACCEPT/START name). */
export const DNSTAP_CONTENT_TYPE = 'protobuf:dnstap.Dnstap'

const PROTO_PATH = fileURLToPath(new URL('./dnstap.proto', import.meta.url))

export interface DnstapSchema {
  /** the top-level message type `dnstap.Dnstap` */
  Dnstap: Type
  /** `dnstap.Message.Type`: 1 → AUTH_QUERY … 14 → UPDATE_RESPONSE */
  messageTypes: ReadonlyMap<number, string>
  /** `dnstap.SocketProtocol`: 1 → UDP, 2 → TCP, 3 → DOT, 4 → DOH … */
  socketProtocols: ReadonlyMap<number, string>
  /** `dnstap.SocketFamily`: 1 → INET, 2 → INET6 */
  socketFamilies: ReadonlyMap<number, string>
}

let loaded: DnstapSchema | null = null

/** The schema, loaded on the first call. */
export function dnstapSchema(): DnstapSchema {
  if (loaded !== null) return loaded
  const protobuf = createRequire(import.meta.url)('protobufjs') as typeof import('protobufjs')
  const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true })
  const table = (name: string): ReadonlyMap<number, string> =>
    new Map(Object.entries(root.lookupEnum(name).values).map(([k, v]) => [v, k]))
  loaded = {
    Dnstap: root.lookupType('dnstap.Dnstap'),
    messageTypes: table('dnstap.Message.Type'),
    socketProtocols: table('dnstap.SocketProtocol'),
    socketFamilies: table('dnstap.SocketFamily'),
  }
  return loaded
}

/** The number of a `dnstap.Message.Type` name (`CLIENT_RESPONSE` → 6), or null when the schema has no such name. */
export function messageTypeNumber(name: string): number | null {
  for (const [n, k] of dnstapSchema().messageTypes) if (k === name) return n
  return null
}

/** Name of a `dnstap.Message.Type` number: the schema's, else `TYPE<n>`. */
export function messageTypeName(type: number): string {
  return dnstapSchema().messageTypes.get(type) ?? `TYPE${type}`
}

/** Every `dnstap.Message.Type` name, in number order. */
export function messageTypeNames(): string[] {
  return [...dnstapSchema().messageTypes.values()]
}
