/**
 * Shared by the dnstap tests: the corpus files, independent oracles (fstrm_dump's frame listing,
 * dnstap-ldns's YAML dump), Frame Streams bytes written by hand (not by the codec under test),
 * dnstap protobufs encoded by protobufjs from the schema, and running the real fstrm tools.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { TestContext } from 'node:test'
import { promisify } from 'node:util'
import dnsPacket from 'dns-packet'
import { dnstapSchema } from '../../node/dnstap/index.ts'
import { CORPUS_DIR } from '../helpers/shared.ts'

export const DNSTAP_DIR = resolve(CORPUS_DIR, 'dnstap')
export const DNSTAP_CT = 'protobuf:dnstap.Dnstap'

const run = promisify(execFile)

/** Every Frame Streams file of the corpus (paths relative to DNSTAP_DIR), the dumps excluded. */
export function corpusDnstapFiles(): string[] {
  const out: string[] = []
  for (const source of readdirSync(DNSTAP_DIR, { withFileTypes: true })) {
    if (!source.isDirectory()) continue
    for (const f of readdirSync(resolve(DNSTAP_DIR, source.name), { withFileTypes: true })) {
      if (f.isFile() && !f.name.endsWith('.txt')) out.push(`${source.name}/${f.name}`)
    }
  }
  return out.sort()
}

/**
 * True when the command exists on PATH. Under CI its absence fails the test; elsewhere the test is
 * skipped with a plain message.
 */
export function requireTool(t: TestContext, tool: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir !== '' && existsSync(resolve(dir, tool))) return true
  const msg = `${tool} not installed: this test needs it (apt-get install ${tool.startsWith('fstrm') ? 'fstrm-bin' : tool})`
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}

// ---------------------------------------------------------------- fstrm_dump

export interface FstrmDump {
  contentTypes: string[]
  /** sizes of the data frames, in order */
  dataFrames: number[]
  controls: string[]
}

/** The frame listing fstrm_dump (libfstrm's own reader) prints for a file. */
export async function fstrmDump(path: string): Promise<FstrmDump> {
  // the listing goes to stderr, the frames' escaped content to stdout
  const { stderr } = await run('fstrm_dump', [path], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' })
  const out: FstrmDump = { contentTypes: [], dataFrames: [], controls: [] }
  const lines = stderr.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    let m = /^Data frame \((\d+)\) bytes\.$/.exec(line)
    if (m !== null) out.dataFrames.push(Number(m[1]))
    m = /^FSTRM_CONTROL_(\w+)\.$/.exec(line)
    if (m !== null) out.controls.push(m[1]!)
    if (line.startsWith('FSTRM_CONTROL_FIELD_CONTENT_TYPE'))
      out.contentTypes.push(JSON.parse(lines[i + 1]!.trim()))
  }
  return out
}

// ---------------------------------------------------------------- dnstap-ldns YAML dumps

export interface DumpRr {
  section: 'answer' | 'authority' | 'additional'
  name: string
  ttl: number
  class: string
  type: string
  rdata: string
}

export interface DumpDns {
  rcode: string
  question: { name: string; type: string } | null
  rrs: DumpRr[]
}

export interface DumpMessage {
  /** top-level fields (type, identity, version) and the message's, as dnstap-ldns printed them */
  fields: Record<string, string>
  responseMessage: DumpDns | null
  /** the dump reached the `---` that closes this message (not cut by a decoder error) */
  complete: boolean
}

export interface LdnsDump {
  messages: DumpMessage[]
  /** the `#` lines: dnstap-ldns's stderr and exit status */
  comments: string[]
}

function unquote(v: string): string {
  return v.startsWith('"') ? (JSON.parse(v) as string) : v
}

function parseDnsText(lines: string[]): DumpDns {
  const out: DumpDns = { rcode: '', question: null, rrs: [] }
  let section: DumpRr['section'] | 'question' | null = null
  for (const raw of lines) {
    const line = raw.trim()
    const header = /rcode: (\w+)/.exec(line)
    if (line.startsWith(';; ->>HEADER<<-') && header !== null) out.rcode = header[1]!
    else if (line === ';; QUESTION SECTION:') section = 'question'
    else if (line === ';; ANSWER SECTION:') section = 'answer'
    else if (line === ';; AUTHORITY SECTION:') section = 'authority'
    else if (line === ';; ADDITIONAL SECTION:') section = 'additional'
    else if (line.startsWith(';; ')) section = null
    else if (section === 'question' && line.startsWith(';')) {
      const [name, , type] = line.slice(1).split('\t')
      out.question = { name: name!, type: type! }
    } else if (section !== null && section !== 'question' && line !== '') {
      const [name, ttl, cls, type, ...rdata] = line.split('\t')
      out.rrs.push({
        section,
        name: name!,
        ttl: Number(ttl),
        class: cls!,
        type: type!,
        rdata: rdata.join('\t'),
      })
    }
  }
  return out
}

/** Reads the YAML text dnstap-ldns -y prints (one document per frame, `---` between them). */
export function parseLdnsDump(text: string): LdnsDump {
  const dump: LdnsDump = { messages: [], comments: [] }
  let cur: DumpMessage | null = null
  let block: string[] | null = null
  let blockKey = ''
  const closeBlock = () => {
    if (cur !== null && block !== null && blockKey === 'response_message')
      cur.responseMessage = parseDnsText(block)
    block = null
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      dump.comments.push(line)
      continue
    }
    // a block scalar runs over blank lines until a line of lesser indent
    if (block !== null && (line.startsWith('    ') || line.trim() === '')) {
      ;(block as string[]).push(line)
      continue
    }
    closeBlock()
    if (line === '---') {
      if (cur !== null) cur.complete = true
      cur = null
      continue
    }
    if (line.trim() === '') continue
    if (cur === null) {
      cur = { fields: {}, responseMessage: null, complete: false }
      dump.messages.push(cur)
    }
    const m = /^(\s*)(\w+):\s?(.*)$/.exec(line)
    if (m === null) continue
    const key = m[1] === '' ? m[2]! : `message.${m[2]!}`
    if (m[3] === '|') {
      block = []
      blockKey = m[2]!
    } else if (m[3] !== '') cur.fields[key] = unquote(m[3]!)
  }
  closeBlock()
  return dump
}

/** `!!timestamp 2022-01-27 11:33:41.912013` (UTC) → µs since the epoch. */
export function dumpTimeUs(v: string): number {
  const m = /^!!timestamp (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})$/.exec(v)
  if (m === null) throw new Error(`not a dnstap-ldns timestamp: ${v}`)
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000 + Number(m[3])
}

// ---------------------------------------------------------------- bytes written by hand

/** A control frame: escape, length, type, CONTENT_TYPE fields (written without the codec under test). */
export function controlFrame(type: number, contentTypes: readonly string[] = []): Buffer {
  const fields = contentTypes.map((c) => {
    const b = Buffer.from(c, 'latin1')
    const h = Buffer.alloc(8)
    h.writeUInt32BE(1, 0)
    h.writeUInt32BE(b.length, 4)
    return Buffer.concat([h, b])
  })
  const body = Buffer.concat([Buffer.alloc(4), ...fields])
  body.writeUInt32BE(type, 0)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(body.length, 4)
  return Buffer.concat([head, body])
}

export const READY = 4
export const ACCEPT = 1
export const START = 2
export const STOP = 3
export const FINISH = 5

export function dataFrame(payload: Uint8Array): Buffer {
  const h = Buffer.alloc(4)
  h.writeUInt32BE(payload.length, 0)
  return Buffer.concat([h, payload])
}

/** A whole unidirectional stream (a file): START(content type), the frames, STOP. */
export function fstrmStream(payloads: readonly Uint8Array[], contentType: string = DNSTAP_CT): Buffer {
  return Buffer.concat([controlFrame(START, [contentType]), ...payloads.map(dataFrame), controlFrame(STOP)])
}

/** A dnstap protobuf encoded by protobufjs from the schema; fields in .proto spelling. */
export function encodeDnstap(fields: Record<string, unknown>): Uint8Array {
  const T = dnstapSchema().Dnstap
  return T.encode(T.fromObject(fields)).finish()
}

/**
 * A CLIENT_RESPONSE dnstap message from `identity` answering `n<i>.example.com A 10.0.x.y`;
 * `extra` fills the dnstap `extra` field (to make a frame of a given size).
 */
export function responseFrame(identity: string, i: number, extra?: Uint8Array): Uint8Array {
  const dns = dnsPacket.encode({
    type: 'response',
    id: i & 0xffff,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: `n${i}.example.com`, class: 'IN' }],
    answers: [
      {
        type: 'A',
        name: `n${i}.example.com`,
        ttl: 60,
        class: 'IN',
        data: `10.0.${(i >> 8) & 255}.${i & 255}`,
      },
    ],
  })
  return encodeDnstap({
    type: 'MESSAGE',
    identity: Buffer.from(identity),
    ...(extra === undefined ? {} : { extra }),
    message: {
      type: 'CLIENT_RESPONSE',
      socket_family: 'INET',
      socket_protocol: 'UDP',
      query_address: Uint8Array.from([192, 0, 2, 1]),
      response_address: Uint8Array.from([192, 0, 2, 53]),
      query_port: 1024 + (i % 60000),
      response_port: 53,
      response_time_sec: 1_700_000_000 + i,
      response_time_nsec: 0,
      response_message: dns,
    },
  })
}

// ---------------------------------------------------------------- processes

export interface ToolResult {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

/** Runs a tool to its end; killed (and reported) if it runs past `timeoutMs`, so a test never hangs. */
export function runTool(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, stderr })
    })
  })
}

/** Polls `cond` until it holds (event-driven states with no event to await, such as a socket's close). */
export async function until(cond: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
