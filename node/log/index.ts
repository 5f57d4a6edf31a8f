/** Public surface of the node's logging: a pino logger writing NDJSON to stderr. */
export { isLogLevel, LOG_LEVELS, type LogLevel } from './levels.ts'
export { createLogger, flushLogger, type Logger, type LoggerOptions, setLogLevel } from './logger.ts'
