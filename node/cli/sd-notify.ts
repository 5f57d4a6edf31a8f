/**
 * systemd's readiness protocol (sd_notify(3)): a service of `Type=notify` tells the manager it is
 * ready (READY=1), stopping (STOPPING=1) and how long stopping may take (EXTEND_TIMEOUT_USEC) by
 * datagrams to the unix socket named in $NOTIFY_SOCKET (a path, or an abstract name written with a
 * leading '@').
 *
 * Node cannot send a unix datagram: node:dgram speaks UDP only and node:net streams only. The
 * messages go through `systemd-notify` (installed wherever systemd is), spawned per message. Two
 * consequences, both handled in the unit (scripts/systemd/pdns-mesh.service):
 * - the sender is not the unit's main process (that is the launcher, bin/pdns-mesh.js, whose child
 *   runs this code, and systemd-notify is a child again): the unit needs `NotifyAccess=all`;
 * - systemd attributes a message to a unit by the sender's cgroup, looked up from its pid; a sender
 *   that has already exited cannot be attributed (the classic systemd-notify race). Since systemd
 *   246, systemd-notify waits until the manager has processed its message (a barrier) unless told
 *   `--no-block`, so it is alive while it is looked up: it is run without `--no-block`, and this
 *   waits for it.
 */
import { spawn } from 'node:child_process'

export const NOTIFY_SOCKET_ENV = 'NOTIFY_SOCKET'
/** Longest a message may take, barrier included; systemd-notify's own barrier wait is 5 s. */
export const NOTIFY_TIMEOUT_MS = 10_000

export interface ServiceNotifier {
  /** The socket messages go to, as $NOTIFY_SOCKET named it. */
  readonly socket: string
  /**
   * Sends one message of `KEY=value` fields; resolves with null once the manager has it, else with
   * why it could not be sent (never rejects: a service manager that is not told is the operator's
   * to fix, the node keeps running).
   */
  send(fields: Readonly<Record<string, string>>): Promise<string | null>
}

/**
 * The notifier for $NOTIFY_SOCKET, or null when the process does not run under a manager that
 * listens. The variable is removed from `env`, as sd_notify's `unset_environment` does, so that
 * nothing this process starts later speaks for the service.
 */
export function takeServiceNotifier(env: NodeJS.ProcessEnv): ServiceNotifier | null {
  const socket = env[NOTIFY_SOCKET_ENV]
  delete env[NOTIFY_SOCKET_ENV]
  if (socket === undefined || socket === '') return null
  const path = env.PATH
  return {
    socket,
    send: (fields) => sendNotify(socket, path, fields),
  }
}

function sendNotify(
  socket: string,
  path: string | undefined,
  fields: Readonly<Record<string, string>>,
): Promise<string | null> {
  // the protocol is newline-separated assignments: a value must not start another one
  const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, ' ')}`)
  return new Promise((resolve) => {
    let settled = false
    const done = (result: string | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const child = spawn('systemd-notify', args, {
      env: { [NOTIFY_SOCKET_ENV]: socket, ...(path === undefined ? {} : { PATH: path }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      done(`systemd-notify did not finish within ${NOTIFY_TIMEOUT_MS} ms`)
    }, NOTIFY_TIMEOUT_MS)
    child.on('error', (err) => {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
      done(
        missing
          ? 'systemd-notify is not installed (it comes with systemd), so the service manager cannot be told'
          : `systemd-notify could not run: ${err.message}`,
      )
    })
    child.on('close', (code, signal) => {
      done(code === 0 ? null : `systemd-notify exited ${code ?? signal}: ${stderr.trim()}`)
    })
  })
}
