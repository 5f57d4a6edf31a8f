/**
 * The CLI ends with whatever launched it. `bin/pdns-mesh.js` re-executes the CLI under the pinned
 * runtime as a child, and `npm start` runs it as npm's child: to a shell or a service manager the
 * launcher is the process, so killing the launcher — by any signal, SIGKILL included, which it
 * cannot forward — must end the CLI too, or a node would run on as an orphan holding the store's
 * lock. Launchers name themselves in LAUNCHER_PID_ENV; the CLI stops as if sent SIGTERM (a node
 * flushes and releases its store) once one of them is gone.
 *
 * Linux's PR_SET_PDEATHSIG would need a native addon, and a pipe from the launcher covers only the
 * launcher's own child (npm's shell may stand between): a poll of the parent pid and of the
 * launcher's existence covers both, costs a getppid, a kill(pid, 0) and a read of /proc per
 * launcher and interval, and runs on an unref'd timer that keeps no command alive.
 */
import { readFileSync } from 'node:fs'

/**
 * Environment variable by which launchers name themselves to the CLI they start: a comma-separated
 * list of pids, each launcher appending its own (`npm start` names npm, the launcher it runs
 * appends itself when it re-executes the CLI).
 */
export const LAUNCHER_PID_ENV = 'PDNS_MESH_LAUNCHER_PID'

/** How often the CLI looks for its launchers, ms: the longest it outlives a killed launcher. */
export const LAUNCHER_POLL_MS = 200

/**
 * True while a process with this pid runs (EPERM: it runs, as another user's). A zombie — ended,
 * not yet reaped by its parent — has ended: signal 0 still reaches it, so Linux's /proc says.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch {
    return true // no /proc here: signal 0 is all there is
  }
  // "pid (comm) state …", where comm may itself hold parentheses
  return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z'
}

/**
 * The launchers named in `env` (the variable is removed, so nothing this process starts inherits
 * it); entries that are not pids are ignored.
 */
export function takeLauncherPids(env: NodeJS.ProcessEnv): number[] {
  const value = env[LAUNCHER_PID_ENV]
  delete env[LAUNCHER_PID_ENV]
  if (value === undefined) return []
  return value
    .split(',')
    .filter((p) => /^[1-9][0-9]{0,9}$/.test(p.trim()))
    .map(Number)
}

/**
 * Calls `onGone` once, when one of the launchers has ended: the one that was this process's parent
 * at the start no longer is (a new parent is definitive, whatever reuses the pid later), or no
 * process has a launcher's pid (an ancestor further up: npm's shell may stand between). Returns a
 * function that stops watching.
 */
export function watchLaunchers(pids: readonly number[], onGone: () => void): () => void {
  const parent = process.ppid
  const gone = () => pids.some((pid) => (pid === parent && process.ppid !== pid) || !processExists(pid))
  if (gone()) {
    // a launcher died before this process could look: as final as dying later
    queueMicrotask(onGone)
    return () => {}
  }
  const timer = setInterval(() => {
    if (!gone()) return
    clearInterval(timer)
    onGone()
  }, LAUNCHER_POLL_MS)
  timer.unref()
  return () => clearInterval(timer)
}
