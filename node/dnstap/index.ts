/**
 * The dnstap input's public surface: dnstap files (readDnstapFile) and the live Frame Streams
 * server (DnstapServer) both hand data frames to a DnstapIngest, which parses the DNS responses
 * with the packet path's DnsParser, one parser and one observation sink per dnstap identity.
 */
export { ByteBudget } from './budget.ts'
export type { ConnectionEnd, CutReason } from './connection.ts'
export {
  clearStaleSocket,
  type DnstapEndpoint,
  formatDnstapEndpoint,
  parseDnstapEndpoint,
} from './endpoint.ts'
export {
  contentTypeError,
  type DnstapFileInfo,
  type FrameStreamsHead,
  type ReadDnstapOptions,
  readDnstapFile,
  sniffFrameStreams,
} from './file.ts'
export {
  type ControlFrame,
  type ControlName,
  decodeControlFrame,
  encodeControlFrame,
  encodeDataFrame,
  FRAME_BUFFER_STEP,
  type FrameBufferBudget,
  FrameDecoder,
  type FrameHandler,
  FrameStreamError,
  type FrameStreamFault,
} from './frame-stream.ts'
export {
  DEFAULT_MESSAGE_TYPES,
  type DnstapIdentityStats,
  DnstapIngest,
  type DnstapIngestComponents,
  type DnstapIngestOptions,
  type DnstapIngestStats,
  type DnstapParserStats,
  messageTypeSet,
} from './ingest.ts'
export * from './limits.ts'
export { type DnstapMessage, decodeDnstap, labelFromBytes } from './message.ts'
export {
  DNSTAP_CONTENT_TYPE,
  type DnstapSchema,
  dnstapSchema,
  messageTypeName,
  messageTypeNames,
  messageTypeNumber,
} from './schema.ts'
export {
  type DnstapLog,
  DnstapServer,
  type DnstapServerComponents,
  type DnstapServerOptions,
  type DnstapServerStats,
} from './server.ts'
export {
  applySocketAccess,
  DEFAULT_SOCKET_MODE,
  formatMode,
  GROUP_FILE,
  listenOwnerOnly,
  parseSocketMode,
  resolveGroupId,
} from './socket-access.ts'
