/** dnstap Message.Type names (dnstap.proto), as the config file and flags name them. */
export const DNSTAP_MESSAGE_TYPES = [
  'AUTH_QUERY',
  'AUTH_RESPONSE',
  'RESOLVER_QUERY',
  'RESOLVER_RESPONSE',
  'CLIENT_QUERY',
  'CLIENT_RESPONSE',
  'FORWARDER_QUERY',
  'FORWARDER_RESPONSE',
  'STUB_QUERY',
  'STUB_RESPONSE',
  'TOOL_QUERY',
  'TOOL_RESPONSE',
  'UPDATE_QUERY',
  'UPDATE_RESPONSE',
] as const

export type DnstapMessageType = (typeof DNSTAP_MESSAGE_TYPES)[number]
