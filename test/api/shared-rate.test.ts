/**
 * The rate table the API's threads share (shared-rate.ts): it decides as the thread-local limiter
 * does for the same requests at the same times, a full table forgets entries (never limits a
 * client wrongly), and threads taking from one id at once get one budget between them.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { RateLimiter } from '../../node/api/http/rate-limit.ts'
import { SharedRateLimiter } from '../../node/api/http/shared-rate.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO } from '../helpers/run-cli.ts'

test('the shared table decides as the thread-local limiter for the same requests at the same times', () => {
  let t = 1_000_000
  const local = new RateLimiter(() => t)
  const shared = new SharedRateLimiter(SharedRateLimiter.memory(), () => t)
  const rand = prng(11)
  const ids = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `key:k${i}` : `addr:192.0.2.${i}`))
  let limited = 0
  for (let i = 0; i < 20_000; i++) {
    t += randInt(rand, 400)
    const id = ids[randInt(rand, ids.length)]!
    const rate = [1, 5, 30, 600][randInt(rand, 4)]!
    const op = randInt(rand, 3)
    if (op === 0) {
      const a = local.take(id, rate)
      assert.equal(shared.take(id, rate), a, `take #${i}`)
      if (a > 0) limited++
    } else if (op === 1) assert.equal(shared.peek(id, rate), local.peek(id, rate), `peek #${i}`)
    else assert.equal(shared.remaining(id, rate), local.remaining(id, rate), `remaining #${i}`)
  }
  // the sequence did exercise limiting, not only free tokens
  assert.ok(limited > 200, `${limited} limited`)
})

test('a full table forgets entries: a new client is never limited by another', () => {
  const shared = new SharedRateLimiter(SharedRateLimiter.memory())
  for (let i = 0; i < 50_000; i++) assert.equal(shared.take(`addr:${i}`, 1), 0, `client ${i}`)
  // the most recent one is still held: its one token a minute is spent
  assert.ok(shared.take('addr:49999', 1) > 0)
})

test('threads taking from one id at once share its budget', async () => {
  const memory = SharedRateLimiter.memory()
  const url = pathToFileURL(`${REPO}/node/api/http/shared-rate.ts`).href
  const code = `
    const { workerData, parentPort } = require('node:worker_threads')
    import(workerData.url).then(({ SharedRateLimiter }) => {
      const limiter = new SharedRateLimiter(workerData.memory)
      let ok = 0
      for (let i = 0; i < 20000; i++) if (limiter.take('key:shared', 600) === 0) ok++
      parentPort.postMessage(ok)
    })
  `
  const started = performance.now()
  const counts = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { url, memory } })
          w.once('message', (n: number) => {
            resolve(n)
            void w.terminate()
          })
          w.once('error', reject)
        }),
    ),
  )
  // 600 at once, then 10 a second for as long as this took
  const refilled = Math.ceil(((performance.now() - started) / 1000) * 10)
  const total = counts.reduce((a, b) => a + b, 0)
  assert.ok(total >= 600 && total <= 600 + refilled, `${total} taken (${counts}), at most 600 + ${refilled}`)
})
