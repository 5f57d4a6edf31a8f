/** Reads a request's JSON body, bounded: a body over the limit is never buffered whole. */
import type { IncomingMessage } from 'node:http'
import { PdnsError } from '../errors.ts'

export type BodyResult = { value: unknown } | { tooLarge: true }

export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (declared > maxBytes) {
      resolve({ tooLarge: true })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      // stop reading: the answer says so and closes the connection, the rest is never looked at
      cleanup()
      req.pause()
      resolve({ tooLarge: true })
    }
    const onEnd = () => {
      cleanup()
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve({ value: JSON.parse(text) })
      } catch (cause) {
        reject(new PdnsError('ERR_BAD_QUERY', 'the request body is not JSON', { cause }))
      }
    }
    // the client went away (or was cut off for being slow): nobody is left to answer, and it is no
    // fault of the node's (ERR_ABORTED is not logged as an internal error)
    const gone = (cause?: unknown) => {
      cleanup()
      reject(new PdnsError('ERR_ABORTED', 'the client went away before its request was read', { cause }))
    }
    const onError = (err: Error) => gone(err)
    const onClose = () => gone()
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
