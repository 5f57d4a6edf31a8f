/**
 * /pdns-mesh/query/1.0.0, both sides: one QueryRequest, then QueryAnswer frames of at most
 * QUERY_RECORDS_PER_FRAME records; the last has done = true and the cursor, or an error. The
 * answering node runs the query on its merged store, exactly as its own CLI would.
 */
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import {
  decodeQueryAnswer,
  decodeQueryRequest,
  encodeQueryAnswer,
  encodeQueryRequest,
  MAX_QUERY_FRAME_BYTES,
  QUERY_RECORDS_PER_FRAME,
  type QueryRequest,
} from '../../protocol/index.ts'
import { isPdnsError, PdnsError } from '../errors.ts'
import type { NameSummary, QueryBackend, ResultRecord } from '../query/types.ts'
import {
  fromWireRecord,
  fromWireRequest,
  fromWireSummary,
  toWireRecord,
  toWireSummary,
} from './query-wire.ts'

export async function answerQuery(
  backend: QueryBackend,
  stream: Stream,
  opts: { signal?: AbortSignal } = {},
): Promise<{ records: number }> {
  const lp = lpStream(stream, {
    maxDataLength: MAX_QUERY_FRAME_BYTES,
    maxBufferSize: MAX_QUERY_FRAME_BYTES + 16,
  })
  // a frame that does not decode is a protocol violation (thrown); a query that does not validate
  // is the asker's mistake and is answered with an error
  const req = decodeQueryRequest((await lp.read(opts)).subarray())
  let records: ResultRecord[] = []
  let cursor: string | null = null
  let summary: NameSummary | null = null
  let names: string[] = []
  let error = ''
  try {
    const q = fromWireRequest(req)
    if (q.lookup === 'new') {
      // the names only: the asker settles first sightings across the mesh with rrset lookups
      const page = await backend.newNames(q.query, opts)
      names = page.names.map((n) => n.name)
    } else if (q.lookup === 'summary') {
      summary = await backend.summary(q.name, {
        ...opts,
        ...(q.origin === undefined ? {} : { origin: q.origin }),
      })
    } else {
      const page =
        q.lookup === 'rrset' ? await backend.rrset(q.query, opts) : await backend.rdata(q.query, opts)
      records = page.records
      cursor = page.cursor
    }
  } catch (err) {
    if (!isPdnsError(err)) throw err
    error = `${err.code}: ${err.message}`
  }
  for (let i = 0; i < records.length; i += QUERY_RECORDS_PER_FRAME) {
    const part = records.slice(i, i + QUERY_RECORDS_PER_FRAME).map(toWireRecord)
    await lp.write(
      encodeQueryAnswer({ records: part, done: false, cursor: '', error: '', summary: null, names: [] }),
      opts,
    )
  }
  await lp.write(
    encodeQueryAnswer({
      records: [],
      done: true,
      cursor: cursor ?? '',
      error,
      summary: summary === null ? null : toWireSummary(summary),
      names,
    }),
    opts,
  )
  await stream.close(opts).catch(() => {})
  return { records: records.length }
}

export interface PeerAnswer {
  records: ResultRecord[]
  cursor: string | null
  summary: NameSummary | null
  /** new lookups: the peer's new names */
  names: string[]
}

/** Asks one peer on an open query stream. A refused query is ERR_BAD_QUERY with the peer's message. */
export async function askPeer(
  stream: Stream,
  request: QueryRequest,
  opts: { signal?: AbortSignal; maxRecords: number },
): Promise<PeerAnswer> {
  const lp = lpStream(stream, {
    maxDataLength: MAX_QUERY_FRAME_BYTES,
    maxBufferSize: MAX_QUERY_FRAME_BYTES + 16,
  })
  await lp.write(encodeQueryRequest(request), opts)
  const records: ResultRecord[] = []
  for (;;) {
    const a = decodeQueryAnswer((await lp.read(opts)).subarray())
    for (const r of a.records) records.push(fromWireRecord(r))
    if (records.length > opts.maxRecords) {
      throw new PdnsError(
        'ERR_PEER_UNREACHABLE',
        `the peer sent more than the ${opts.maxRecords} records asked`,
      )
    }
    if (a.done) {
      await stream.close(opts).catch(() => {})
      if (a.error !== '') throw new PdnsError('ERR_BAD_QUERY', `the peer refused the query: ${a.error}`)
      return {
        records,
        cursor: a.cursor === '' ? null : a.cursor,
        summary: a.summary === null ? null : fromWireSummary(a.summary),
        names: a.names,
      }
    }
  }
}
