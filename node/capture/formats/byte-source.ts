/**
 * Where capture bytes come from: a plain file read with positioned reads straight into the
 * reader's buffer, or a gzip file inflated by a streaming node:zlib Gunzip. Both throw PdnsError
 * (the reader defers them until every complete record before the failure has been delivered).
 */
import { type FileHandle, open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { PdnsError } from '../../errors.ts'
import { GZIP_INFLATE_QUEUE_BYTES } from '../limits.ts'

/** Opens an input file for reading; ERR_FILE_UNREADABLE naming it when that fails. */
export async function openInput(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r')
  } catch (err) {
    throw new PdnsError('ERR_FILE_UNREADABLE', `${path}: cannot open: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

export interface ByteSource {
  /** Reads up to `len` bytes into `buf` at `off`; resolves 0 at end of input. */
  read(buf: Uint8Array, off: number, len: number): Promise<number>
  /** Bytes of the file itself consumed so far (compressed bytes for gzip), for progress reports. */
  readonly fileBytesRead: number
  close(): void
}

/** Uncompressed file: positioned reads, no intermediate copies. */
export class FileSource implements ByteSource {
  readonly #fh: FileHandle
  readonly #path: string
  #pos: number

  constructor(fh: FileHandle, path: string, start = 0) {
    this.#fh = fh
    this.#path = path
    this.#pos = start
  }

  get fileBytesRead(): number {
    return this.#pos
  }

  async read(buf: Uint8Array, off: number, len: number): Promise<number> {
    let n: number
    try {
      n = (await this.#fh.read(buf, off, len, this.#pos)).bytesRead
    } catch (err) {
      throw new PdnsError('ERR_FILE_UNREADABLE', `${this.#path}: read failed: ${(err as Error).message}`, {
        cause: err,
      })
    }
    this.#pos += n
    return n
  }

  close(): void {}
}

/** Compressed bytes handed to zlib at a time: small enough that a corrupt spot loses little before it. */
const GZIP_INPUT_BYTES = 64 * 1024
/** Chunk size zlib inflates into. */
const GUNZIP_CHUNK_BYTES = 256 * 1024

/**
 * gzip file (any number of members) inflated by node:zlib in flowing mode. Output is queued as it
 * is produced, so when the stream turns out corrupt or cut, every byte inflated before that point
 * still reaches the reader before the error does (an async iterator would drop it).
 */
export class GunzipSource implements ByteSource {
  readonly #path: string
  readonly #file: Readable & { bytesRead: number }
  readonly #gunzip: ReturnType<typeof createGunzip>
  readonly #queue: Buffer[] = []
  #queued = 0
  #headOff = 0
  #ended = false
  #error: unknown = null
  #wake: (() => void) | null = null

  constructor(fh: FileHandle, path: string) {
    this.#path = path
    this.#file = fh.createReadStream({ start: 0, autoClose: false, highWaterMark: GZIP_INPUT_BYTES })
    this.#gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES })
    const fail = (err: unknown) => {
      this.#error ??= err
      this.#notify()
    }
    this.#file.on('error', fail)
    this.#gunzip.on('error', fail)
    this.#gunzip.on('data', (chunk: Buffer) => {
      this.#queue.push(chunk)
      this.#queued += chunk.length
      if (this.#queued >= GZIP_INFLATE_QUEUE_BYTES) this.#gunzip.pause()
      this.#notify()
    })
    this.#gunzip.on('end', () => {
      this.#ended = true
      this.#notify()
    })
    this.#file.pipe(this.#gunzip)
  }

  get fileBytesRead(): number {
    return this.#file.bytesRead
  }

  #notify(): void {
    const w = this.#wake
    this.#wake = null
    w?.()
  }

  async read(buf: Uint8Array, off: number, len: number): Promise<number> {
    while (this.#queue.length === 0) {
      if (this.#error !== null) throw this.#translate(this.#error)
      if (this.#ended) return 0
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
    let n = 0
    while (n < len && this.#queue.length > 0) {
      const head = this.#queue[0]!
      const take = Math.min(len - n, head.length - this.#headOff)
      buf.set(head.subarray(this.#headOff, this.#headOff + take), off + n)
      n += take
      this.#headOff += take
      if (this.#headOff === head.length) {
        this.#queue.shift()
        this.#headOff = 0
      }
    }
    this.#queued -= n
    if (this.#queued < GZIP_INFLATE_QUEUE_BYTES / 2 && this.#gunzip.isPaused()) this.#gunzip.resume()
    return n
  }

  #translate(err: unknown): PdnsError {
    if (err instanceof PdnsError) return err
    const code = (err as { code?: unknown }).code
    const msg = (err as Error).message
    // zlib says Z_BUF_ERROR ("unexpected end of file") when the compressed stream just stops.
    if (code === 'Z_BUF_ERROR') {
      return new PdnsError('ERR_TRUNCATED_CAPTURE', `gzip stream ends early (${msg})`, { cause: err })
    }
    if (typeof code === 'string' && code.startsWith('Z_')) {
      return new PdnsError('ERR_CORRUPT_CAPTURE', `gzip stream is corrupt (${msg})`, { cause: err })
    }
    return new PdnsError('ERR_FILE_UNREADABLE', `${this.#path}: read failed: ${msg}`, { cause: err })
  }

  close(): void {
    this.#gunzip.destroy()
    this.#file.destroy()
  }
}
