import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createLogger, flushLogger, LOG_LEVELS } from '../../node/log/index.ts'

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough()
  let text = ''
  stream.setEncoding('utf8').on('data', (d: string) => {
    text += d
  })
  return {
    stream,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

test('lines are NDJSON with the level name, an ISO time, the pid, the component and the message', async () => {
  const out = capture()
  const log = createLogger({ level: 'info', destination: out.stream })
  log.child({ component: 'dnstap' }).warn({ peer: 'unbound' }, 'connection closed')
  await flushLogger(log)
  const [line, ...rest] = out.lines()
  assert.equal(rest.length, 0)
  assert.equal(line!.level, 'warn')
  assert.equal(line!.component, 'dnstap')
  assert.equal(line!.peer, 'unbound')
  assert.equal(line!.msg, 'connection closed')
  assert.equal(line!.pid, process.pid)
  assert.match(String(line!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
})

test('lines below the level are not written; silent writes nothing at all', async () => {
  for (const level of LOG_LEVELS) {
    const out = capture()
    const log = createLogger({ level, destination: out.stream })
    log.trace('t')
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    log.fatal('f')
    await flushLogger(log)
    const want = ['t', 'd', 'i', 'w', 'e', 'f'].slice(LOG_LEVELS.indexOf(level))
    assert.deepEqual(
      out.lines().map((l) => l.msg),
      want,
      level,
    )
  }
})

test('errors are logged with their message and stack', async () => {
  const out = capture()
  const log = createLogger({ level: 'info', destination: out.stream })
  log.error({ err: new Error('disk full') }, 'flush failed')
  await flushLogger(log)
  const err = out.lines()[0]!.err as Record<string, unknown>
  assert.equal(err.message, 'disk full')
  assert.match(String(err.stack), /disk full\n\s+at /)
})

test('a file destination has each line on disk as soon as the call returns', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-log-'))
  try {
    const path = join(dir, 'node.log')
    const log = createLogger({ level: 'info', destination: path })
    log.info('first')
    // read synchronously: no turn of the event loop in which a buffered write could complete
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).msg, 'first')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('on stderr by default, and every line is out when the process exits right after logging it', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/log-and-exit.ts', import.meta.url))
  const child = spawn(process.execPath, [fixture, '3000'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 3)
  assert.equal(stdout, '')
  const lines = stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(lines.length, 3001)
  assert.deepEqual(
    lines.slice(0, 3000).map((l) => l.i),
    Array.from({ length: 3000 }, (_, i) => i),
  )
  assert.deepEqual(
    [lines[3000]!.level, lines[3000]!.msg, lines[3000]!.component],
    ['fatal', 'last words', 'fixture'],
  )
})
