/** A child process's CPU time and memory as Linux counts them (/proc), for the benchmarks that measure another process. */
import { readFileSync } from 'node:fs'

/** USER_HZ: the unit of /proc/<pid>/stat's utime and stime (100 on every Linux architecture Node runs on) */
const USER_HZ = 100

/** CPU seconds a process used so far, all its threads: in its own code, and in the kernel for it. */
export function processCpu(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // the fields after the command name (which may hold spaces and parentheses): utime is the 14th field, stime the 15th
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(f[11]) / USER_HZ, system: Number(f[12]) / USER_HZ }
}

/** The same, in all: user + system seconds. */
export function processCpuSeconds(pid: number): number {
  const t = processCpu(pid)
  return t.user + t.system
}

/** A /proc/<pid>/status memory field (VmHWM: peak resident set, VmRSS…) in bytes; 0 when absent. */
export function processMemory(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? 0 : Number(m[1]) * 1024
}
