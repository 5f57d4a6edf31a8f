/** Reads and parses a TOML config file; every failure is ERR_CONFIG naming the file (and line). */
import { readFile, stat } from 'node:fs/promises'
import { parse, TomlError } from 'smol-toml'
import { PdnsError } from '../errors.ts'
import { MAX_CONFIG_FILE_BYTES } from './limits.ts'

/** The parsed top-level table (null-prototype objects, as smol-toml builds them). */
export type TomlTree = Record<string, unknown>

/** `shown` is the path as the operator wrote it (messages use it); `path` is where to read. */
export async function readTomlFile(shown: string, path: string): Promise<TomlTree> {
  const fail = (what: string, cause?: unknown) =>
    new PdnsError('ERR_CONFIG', `config ${shown}: ${what}`, { cause })
  let bytes: Buffer
  try {
    const st = await stat(path)
    if (!st.isFile()) throw fail('not a regular file')
    // checked before reading, so a huge file (or /dev/zero behind a symlink) is never loaded
    if (st.size > MAX_CONFIG_FILE_BYTES) {
      throw fail(`${st.size} bytes, over the ${MAX_CONFIG_FILE_BYTES} a config file may have`)
    }
    bytes = await readFile(path)
  } catch (err) {
    if (err instanceof PdnsError) throw err
    throw fail(`cannot read it: ${(err as Error).message}`, err)
  }
  if (bytes.length > MAX_CONFIG_FILE_BYTES) {
    throw fail(`over the ${MAX_CONFIG_FILE_BYTES} bytes a config file may have`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch (err) {
    throw fail('not UTF-8 text (TOML files are UTF-8)', err)
  }
  try {
    // 'keep': a __proto__ or constructor key stays an ordinary (unknown) key, reported as such
    return parse(text, { unsafeKeyBehaviour: 'keep' }) as TomlTree
  } catch (err) {
    if (err instanceof TomlError) {
      const what = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '')
      throw fail(
        `line ${err.line}, column ${err.column}: invalid TOML: ${what}\n${err.codeblock.trimEnd()}`,
        err,
      )
    }
    throw fail(`invalid TOML: ${(err as Error).message}`, err)
  }
}
