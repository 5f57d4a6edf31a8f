/**
 * Who can connect to the dnstap unix socket, checked with real processes of other users: the
 * writer runs under setpriv (another uid, gid and group list), as a resolver running as its own
 * user would, and is either fstrm_replay (libfstrm's writer: handshake and frames) or a one-line
 * connect probe that reports the errno.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Observation } from '../../node/dns/observation.ts'
import {
  DnstapServer,
  type DnstapServerOptions,
  listenOwnerOnly,
  resolveGroupId,
} from '../../node/dnstap/index.ts'
import { readableCheckout } from '../helpers/unprivileged.ts'
import { DNSTAP_CT, fstrmStream, requireTool, responseFrame, runTool, until } from './helpers.ts'

/** The writer's identities: nobody with nogroup as its primary group, as a supplementary group, or not at all. */
const IN_GROUP_PRIMARY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups']
const IN_GROUP_SUPPLEMENTARY = ['--reuid=nobody', '--regid=daemon', '--groups=nogroup']
const OUTSIDE_GROUP = ['--reuid=nobody', '--regid=daemon', '--clear-groups']

/** nogroup's gid as the system's resolver (getent, through NSS) reports it, independent of our /etc/group reader. */
function getentGid(group: string): number {
  return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2])
}

/** Running writers as other users needs root (setpriv changes uid and gid). */
function requireRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true
  const msg = 'not root: running a writer as another user (setpriv) needs root; socket access test not run'
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}

/** A temp dir other users can traverse (the socket and the replayed files live in it). */
async function sharedDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-access-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o755)
  return dir
}

async function startServer(t: TestContext, sock: string, extra: Partial<DnstapServerOptions>) {
  const seen: [string | null, Observation][] = []
  const server = new DnstapServer(
    { sinkFor: (id) => (o) => seen.push([id, o]) },
    { listen: [`unix:${sock}`], ...extra },
  )
  await server.start()
  t.after(() => server.stop())
  return { server, seen }
}

/** A dnstap file of `n` responses from `identity`, readable by every user. */
async function feedFile(dir: string, identity: string, n: number): Promise<string> {
  const file = join(dir, `${identity}.dnstap`)
  await writeFile(file, fstrmStream(Array.from({ length: n }, (_, i) => responseFrame(identity, i))))
  await chmod(file, 0o644)
  return file
}

/** fstrm_replay (bidirectional handshake, then the file's frames) run as another user. */
function replayAs(who: readonly string[], sock: string, file: string) {
  return runTool('setpriv', [...who, 'fstrm_replay', '-t', DNSTAP_CT, '-u', sock, '-r', file])
}

/** The Node binary a writer runs as another user: this one, or its copy where that user cannot reach it. */
function nodeFor(t: TestContext): string | null {
  return readableCheckout(t, IN_GROUP_PRIMARY)?.node ?? null
}

/** Connects as another user and reports 'connected' or the errno code (EACCES…). */
function connectAs(node: string, who: readonly string[], sock: string): string {
  const probe =
    "const s = require('node:net').connect(process.argv[1]);" +
    "s.on('connect', () => { process.stdout.write('connected'); s.destroy() });" +
    "s.on('error', (e) => process.stdout.write(e.code))"
  return execFileSync('setpriv', [...who, node, '-e', probe, sock], { encoding: 'utf8' })
}

const count = (seen: [string | null, Observation][], id: string) => seen.filter(([i]) => i === id).length

test('a socket given to a group lets writers of that group connect and feed records; others cannot', async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'setpriv') || !requireTool(t, 'fstrm_replay')) return
  const node = nodeFor(t)
  if (node === null) return
  const dir = await sharedDir(t)
  const sock = join(dir, 'dnstap.sock')
  const gid = await resolveGroupId('nogroup')
  assert.equal(gid, getentGid('nogroup'))
  const { server, seen } = await startServer(t, sock, { socketGroup: gid })
  const st = await stat(sock)
  assert.equal(st.gid, gid)
  assert.equal(st.mode & 0o777, 0o660)

  // nogroup as the primary group, then as a supplementary one: both complete the handshake and feed
  const primary = await replayAs(IN_GROUP_PRIMARY, sock, await feedFile(dir, 'primary', 200))
  assert.equal(primary.code, 0, primary.stderr)
  const supplementary = await replayAs(
    IN_GROUP_SUPPLEMENTARY,
    sock,
    await feedFile(dir, 'supplementary', 200),
  )
  assert.equal(supplementary.code, 0, supplementary.stderr)
  assert.equal(count(seen, 'primary'), 200)
  assert.equal(count(seen, 'supplementary'), 200)

  // the same user outside the group is refused by the kernel, before the node sees anything
  const outsider = await replayAs(OUTSIDE_GROUP, sock, await feedFile(dir, 'outsider', 200))
  assert.notEqual(outsider.code, 0)
  assert.equal(connectAs(node, OUTSIDE_GROUP, sock), 'EACCES')
  assert.equal(connectAs(node, IN_GROUP_SUPPLEMENTARY, sock), 'connected')
  await until(() => server.stats().connections.total === 3, 'the probe accepted')
  await until(() => server.stats().connections.current === 0, 'connections closed')
  const s = server.stats()
  assert.equal(count(seen, 'outsider'), 0)
  assert.equal(s.connections.total, 3, 'two replays and one probe got in')
  assert.equal(s.connections.finished, 2)
})

test("without socket_group the socket keeps the node's group: a resolver running as its own user cannot connect", async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'setpriv') || !requireTool(t, 'fstrm_replay')) return
  const node = nodeFor(t)
  if (node === null) return
  const dir = await sharedDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, sock, {})
  const st = await stat(sock)
  assert.equal(st.gid, process.getgid!())
  assert.equal(st.mode & 0o777, 0o660)
  const r = await replayAs(IN_GROUP_PRIMARY, sock, await feedFile(dir, 'resolver', 10))
  assert.notEqual(r.code, 0)
  assert.equal(connectAs(node, IN_GROUP_PRIMARY, sock), 'EACCES')
  assert.equal(seen.length, 0)
  assert.equal(server.stats().connections.total, 0)
})

test('socket_mode applies with the group: 0600 shuts the group out, 0666 lets everyone in', async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'setpriv')) return
  const node = nodeFor(t)
  if (node === null) return
  const dir = await sharedDir(t)
  const gid = await resolveGroupId('nogroup')
  const owner = join(dir, 'owner.sock')
  await startServer(t, owner, { socketGroup: gid, socketMode: 0o600 })
  assert.equal((await stat(owner)).mode & 0o777, 0o600)
  assert.equal(connectAs(node, IN_GROUP_PRIMARY, owner), 'EACCES')
  const open = join(dir, 'open.sock')
  await startServer(t, open, { socketMode: 0o666 })
  assert.equal((await stat(open)).mode & 0o777, 0o666)
  assert.equal(connectAs(node, OUTSIDE_GROUP, open), 'connected')
})

test('a node that may not give the socket to the group fails to start with ERR_DNSTAP_LISTEN, saying why', async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'setpriv')) return
  const checkout = readableCheckout(t, IN_GROUP_PRIMARY)
  if (checkout === null) return
  const dir = await sharedDir(t)
  // a directory the unprivileged node may create its socket in
  const own = join(dir, 'nobody')
  await mkdir(own)
  await chown(own, 65534, 65534)
  const script =
    `import { DnstapServer } from ${JSON.stringify(checkout.at(fileURLToPath(new URL('../../node/dnstap/index.ts', import.meta.url))))}\n` +
    "const s = new DnstapServer({ sinkFor: () => () => {} }, { listen: ['unix:' + process.argv[1]], socketGroup: 0 })\n" +
    'try { await s.start(); console.log("started") } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }\n'
  const out = execFileSync(
    'setpriv',
    [...IN_GROUP_PRIMARY, checkout.node, '--input-type=module', '-e', script, join(own, 'dnstap.sock')],
    { encoding: 'utf8', cwd: checkout.root },
  )
  const err = JSON.parse(out) as { code: string; message: string }
  assert.equal(err.code, 'ERR_DNSTAP_LISTEN')
  assert.match(
    err.message,
    /cannot give the socket to group 0: EPERM.*must run as root, or be a member of that group/,
  )
  await assert.rejects(stat(join(own, 'dnstap.sock')), { code: 'ENOENT' }, 'the half-made socket is removed')
})

test('the socket is created owner-only: its group and mode are opened only after the bind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-access-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const sock = join(dir, 'born.sock')
  const server = createServer()
  const umaskBefore = process.umask(0o022)
  t.after(() => {
    process.umask(umaskBefore)
    server.close()
  })
  let modeAtBind = -1
  listenOwnerOnly(() => {
    server.listen({ path: sock })
    // still inside the call: the socket exists (the bind is synchronous) with the mask applied
    modeAtBind = statSync(sock).mode & 0o777
  })
  assert.equal(modeAtBind, 0o600)
  assert.equal(process.umask(0o022), 0o022, 'the process umask is restored')
})

test('group names are read from the group file; numbers are gids; an unknown name or unreadable file says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-groups-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'group')
  await writeFile(
    file,
    [
      'root:x:0:',
      '+nisgroup',
      '# a comment: no group',
      'unbound:x:107:',
      'dnstap-readers:x:1234:unbound,knot',
      'broken:x:notanumber:',
      '',
    ].join('\n'),
  )
  assert.equal(await resolveGroupId('unbound', { groupFile: file }), 107)
  assert.equal(await resolveGroupId('dnstap-readers', { groupFile: file }), 1234)
  assert.equal(await resolveGroupId('root', { groupFile: file }), 0)
  assert.equal(await resolveGroupId('4242', { groupFile: file }), 4242, 'a gid need not have a name')
  await assert.rejects(resolveGroupId('nisgroup', { groupFile: file }), {
    code: 'ERR_BAD_ARGUMENT',
    message: `no group "nisgroup" in ${file} (a group known only to a directory service is given by its numeric gid)`,
  })
  await assert.rejects(resolveGroupId('broken', { groupFile: file }), {
    code: 'ERR_BAD_ARGUMENT',
    message: /group "broken" .* has no valid gid \("notanumber"\)/,
  })
  await assert.rejects(resolveGroupId('4294967295'), { code: 'ERR_BAD_ARGUMENT', message: /above/ })
  await assert.rejects(resolveGroupId('unbound', { groupFile: join(dir, 'missing') }), {
    code: 'ERR_BAD_ARGUMENT',
    message: /cannot read .*missing to look up group "unbound": ENOENT/,
  })
  // the real one: the system's own answer (getent) is the oracle
  assert.equal(await resolveGroupId('nogroup'), getentGid('nogroup'))
})
