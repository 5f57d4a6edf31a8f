/**
 * Children run as another user (nobody), for tests of what an unprivileged process meets. Such a
 * child reads this checkout — its modules, node_modules, the pinned runtime — which a clone in a
 * private directory (mode 0700, as `mktemp -d` makes) does not let it do. It then runs from a copy
 * in a temporary directory it can read: hard links where the file system allows (no bytes copied),
 * copies elsewhere. Where no such copy can be made (a private TMPDIR too), the test is skipped
 * saying why, and fails under CI=true.
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { TestContext } from 'node:test'
import { REPO } from './run-cli.ts'

/** setpriv options for nobody with nogroup (65534 on Debian) and no supplementary groups. */
export const NOBODY: readonly string[] = ['--reuid=65534', '--regid=65534', '--clear-groups']

/** Top-level entries of the checkout a child never needs. */
const NOT_COPIED = new Set(['.git', 'pdns-data'])

/** The setpriv binary (util-linux), or null when it is not installed. */
export function setpriv(): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (existsSync(`${dir}/setpriv`)) return `${dir}/setpriv`
  }
  return null
}

/** Whether `who` (setpriv options) may read `file` and execute `program`, as the kernel decides. */
function mayUse(who: readonly string[], file: string, program: string): boolean {
  const r = spawnSync(setpriv()!, [
    ...who,
    '/bin/sh',
    '-c',
    'test -r "$1" && test -x "$2"',
    'sh',
    file,
    program,
  ])
  return r.status === 0
}

/** Skipped with `why`, or under CI=true an error: a test that must hold anywhere never passes silently. */
export function skipOrFail(t: TestContext, why: string): null {
  if (process.env.CI === 'true') throw new Error(why)
  t.skip(why)
  return null
}

/** The checkout as an unprivileged child finds it. */
export interface ReadableCheckout {
  /** the checkout's root: REPO itself, or the copy */
  readonly root: string
  /** the Node binary to run the child with (this process's, or its copy) */
  readonly node: string
  /** `path` (a file of the checkout) as the child reaches it */
  at(path: string): string
}

/** Links (or copies, across file systems or to grant read access) `from` to `to`, recursively. */
function linkTree(from: string, to: string, top: boolean): void {
  const st = lstatSync(from)
  if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to)
  } else if (st.isDirectory()) {
    mkdirSync(to)
    chmodSync(to, 0o755)
    for (const name of readdirSync(from)) {
      if (!(top && NOT_COPIED.has(name))) linkTree(join(from, name), join(to, name), false)
    }
  } else if (st.isFile()) {
    // a hard link shares the file's mode: one others may not read is copied and opened to them
    if ((st.mode & 0o004) !== 0) {
      try {
        linkSync(from, to)
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
      }
    }
    copyFileSync(from, to)
    chmodSync(to, (st.mode & 0o777) | 0o444 | ((st.mode & 0o100) !== 0 ? 0o111 : 0))
  }
  // sockets and fifos (a node's data left in the checkout) are no child's business
}

let copied: ReadableCheckout | null = null

/**
 * This checkout as `who` can read it: REPO itself when it can, else a copy (made once per test
 * process, removed at its exit). Null, with the test skipped (failed under CI=true), when neither
 * works or setpriv is missing.
 */
export function readableCheckout(t: TestContext, who: readonly string[] = NOBODY): ReadableCheckout | null {
  if (setpriv() === null) return skipOrFail(t, 'setpriv is not installed: cannot run a child as another user')
  const inRepo = (p: string) => p.startsWith(REPO.endsWith(sep) ? REPO : REPO + sep)
  const moved = (root: string): ReadableCheckout => {
    const at = (p: string) => (inRepo(p) ? join(root, relative(REPO, p)) : p)
    return { root, node: at(process.execPath), at }
  }
  if (mayUse(who, join(REPO, 'package.json'), process.execPath)) return moved(REPO)
  if (copied === null) {
    const dir = mkdtempSync(join(tmpdir(), 'pdns-readable-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    chmodSync(dir, 0o755)
    linkTree(REPO, join(dir, 'checkout'), true)
    copied = moved(join(dir, 'checkout'))
  }
  if (!mayUse(who, join(copied.root, 'package.json'), copied.node)) {
    return skipOrFail(
      t,
      `a child running as ${who.join(' ')} can read neither the checkout (${REPO}) nor a copy in ${tmpdir()}: ` +
        'make one of them readable by other users (or set TMPDIR)',
    )
  }
  return copied
}
