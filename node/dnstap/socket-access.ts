/**
 * Who may connect to the dnstap unix sockets. Connecting to a unix socket needs write permission
 * on the socket file, so its mode and group decide which local processes can feed records in: a
 * resolver running as its own user (Debian's unbound runs as `unbound`) connects through the group,
 * e.g. `socket_group = "unbound"` with the default mode 0660, while the node itself may run as root
 * for capture.
 *
 * The socket is born owner-only (the listen runs under umask 0177, and Node binds synchronously
 * inside listen()), then given its group and mode: no other user can slip in a connection between
 * the bind and the chmod. Node has no getgrnam, so group names are read from /etc/group; a group
 * that lives only in a directory service (LDAP, sssd) is given by its numeric gid.
 */
import { chmod, chown, readFile } from 'node:fs/promises'
import { PdnsError } from '../errors.ts'

/** Mode of the unix sockets created when none is configured: owner and group may connect. */
export const DEFAULT_SOCKET_MODE = 0o660

/** Where group names are looked up. */
export const GROUP_FILE = '/etc/group'

/** Largest gid: 2^32 - 1 is (gid_t)-1, which chown(2) reads as "leave the group unchanged". */
const MAX_GID = 0xfffffffe

/** Mask the listen runs under: the socket file is created rw for its owner only. */
const OWNER_ONLY_UMASK = 0o177

/**
 * The gid of `group`: a decimal number is taken as a gid as it is (a gid need not have a name), a
 * name is looked up in the group file. Throws ERR_BAD_ARGUMENT when the name is not there or the
 * file cannot be read (a configuration loader rewraps it as ERR_CONFIG).
 */
export async function resolveGroupId(group: string, opts: { groupFile?: string } = {}): Promise<number> {
  if (/^\d+$/.test(group)) {
    const gid = Number(group)
    if (gid > MAX_GID) throw new PdnsError('ERR_BAD_ARGUMENT', `gid ${group} is above ${MAX_GID}`)
    return gid
  }
  const file = opts.groupFile ?? GROUP_FILE
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `cannot read ${file} to look up group "${group}": ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  for (const line of text.split('\n')) {
    // name:password:gid:members; NIS compat lines (+name, -name) and comments name no local group
    const fields = line.split(':')
    if (fields.length < 3 || fields[0] !== group) continue
    const gidText = fields[2]!.trim()
    if (/^\d+$/.test(gidText) && Number(gidText) <= MAX_GID) return Number(gidText)
    throw new PdnsError('ERR_BAD_ARGUMENT', `group "${group}" in ${file} has no valid gid ("${gidText}")`)
  }
  throw new PdnsError(
    'ERR_BAD_ARGUMENT',
    `no group "${group}" in ${file} (a group known only to a directory service is given by its numeric gid)`,
  )
}

/**
 * Runs `listen` (which must bind synchronously, as net.Server.listen on a path does) with the
 * process umask set so the socket file is created owner-only. Where the umask cannot be changed
 * (a worker thread), `listen` runs as it is and applySocketAccess alone sets the mode.
 */
export function listenOwnerOnly(listen: () => void): void {
  let old: number | null = null
  try {
    old = process.umask(OWNER_ONLY_UMASK)
  } catch {}
  try {
    listen()
  } finally {
    if (old !== null) process.umask(old)
  }
}

/**
 * Gives the socket file its group (gid null: left as created, the node's group), then its mode.
 * The group goes first: the mode opens the socket to the group only once the group is the right
 * one. Throws ERR_DNSTAP_LISTEN naming what failed.
 */
export async function applySocketAccess(
  path: string,
  access: { mode: number; gid: number | null },
): Promise<void> {
  if (access.gid !== null) {
    try {
      await chown(path, -1, access.gid)
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const hint = e.code === 'EPERM' ? ' (the node must run as root, or be a member of that group)' : ''
      throw new PdnsError(
        'ERR_DNSTAP_LISTEN',
        `unix:${path}: cannot give the socket to group ${access.gid}: ${e.message}${hint}`,
        { cause: err },
      )
    }
  }
  try {
    await chmod(path, access.mode)
  } catch (err) {
    throw new PdnsError(
      'ERR_DNSTAP_LISTEN',
      `unix:${path}: cannot set the socket mode ${formatMode(access.mode)}: ${(err as Error).message}`,
      { cause: err },
    )
  }
}

/** A mode as configuration writes it: "0660". */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`
}

/**
 * Reads a socket mode written in octal, "0660" or "660": permission bits only (no setuid, setgid or
 * sticky bit, which mean nothing on a socket). Returns the mode, or the reason it is refused.
 */
export function parseSocketMode(text: string): number | string {
  if (!/^0?[0-7]{3}$/.test(text)) return `expected an octal mode such as "0660", got ${JSON.stringify(text)}`
  return Number.parseInt(text, 8)
}
