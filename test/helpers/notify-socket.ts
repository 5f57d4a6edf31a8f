/**
 * A stand-in for systemd's notification socket, for tests of readiness reporting: a unix datagram
 * socket (a path, or an abstract name given with a leading '@' as $NOTIFY_SOCKET writes it) that
 * collects the messages sent to it. Node cannot bind a unix datagram socket, so python3 does. It
 * closes the file descriptors a message carries, as the manager does: systemd-notify's barrier
 * (BARRIER=1 with a pipe) waits for exactly that.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import type { TestContext } from 'node:test'

const MANAGER = String.raw`
import json, os, socket, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + addr[1:] if addr.startswith('@') else addr)
print(json.dumps({"listening": True}), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(0, len(payload) - len(payload) % 4, 4):
                os.close(int.from_bytes(payload[i:i + 4], sys.byteorder))
    print(json.dumps({"message": data.decode('utf-8', 'replace')}), flush=True)
`

export interface NotifyMessage {
  /** the message's fields, in the order sent */
  fields: Record<string, string>
  /** performance.now() when the test saw it */
  at: number
}

export interface NotifySocket {
  /** the value for $NOTIFY_SOCKET */
  readonly address: string
  readonly messages: NotifyMessage[]
  /** resolves with the first message (past or future) that has this field */
  next(field: string, timeoutMs?: number): Promise<NotifyMessage>
}

/** True when python3 and systemd-notify are there; else skips the test, or fails it under CI=true. */
export function requireNotifyTools(t: TestContext): boolean {
  const missing = ['python3', 'systemd-notify'].filter(
    (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error !== undefined,
  )
  if (missing.length === 0) return true
  const msg = `${missing.join(' and ')} not installed (apt-get install python3 systemd): not run`
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}

export async function listenNotifySocket(t: TestContext, address: string): Promise<NotifySocket> {
  const child: ChildProcess = spawn('python3', ['-c', MANAGER, address], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => child.kill('SIGKILL'))
  const messages: NotifyMessage[] = []
  const waiters: (() => void)[] = []
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  let pending = ''
  const listening = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake notify socket exited ${code}: ${stderr}`)))
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      pending += d
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = JSON.parse(pending.slice(0, nl)) as { listening?: true; message?: string }
        pending = pending.slice(nl + 1)
        if (line.listening) resolve()
        if (line.message === undefined) continue
        const fields: Record<string, string> = {}
        for (const assignment of line.message.split('\n')) {
          const eq = assignment.indexOf('=')
          if (eq > 0) fields[assignment.slice(0, eq)] = assignment.slice(eq + 1)
        }
        messages.push({ fields, at: performance.now() })
        for (const w of waiters.splice(0)) w()
      }
    })
  })
  await listening
  return {
    address,
    messages,
    next(field, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${field} within ${timeoutMs} ms; got ${JSON.stringify(messages)}`)),
          timeoutMs,
        )
        const look = () => {
          const m = messages.find((x) => field in x.fields)
          if (m === undefined) {
            waiters.push(look)
            return
          }
          clearTimeout(timer)
          resolve(m)
        }
        look()
      })
    },
  }
}
