import { type ParseArgsConfig, parseArgs } from 'node:util'
import { PdnsError } from '../errors.ts'

/** node:util parseArgs with its errors turned into ERR_BAD_ARGUMENT. */
export function parseCliArgs<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new PdnsError('ERR_BAD_ARGUMENT', (err as Error).message, { cause: err })
  }
}

/** A TCP/UDP port number given on the command line. */
export function parsePort(text: string, option: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 65535 || !/^\d+$/.test(text)) {
    throw new PdnsError('ERR_BAD_ARGUMENT', `${option}: '${text}' is not a port number (1-65535)`)
  }
  return n
}
