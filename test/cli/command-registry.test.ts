import assert from 'node:assert/strict'
import { test } from 'node:test'
import { COMMANDS } from '../../node/cli/commands/index.ts'

test('every command of the registry loads as the command it names, with its help, and no name is listed twice', async () => {
  const names = COMMANDS.map((c) => c.name)
  assert.equal(new Set(names).size, names.length)
  for (const entry of COMMANDS) {
    const cmd = await entry.load()
    assert.equal(cmd.name, entry.name)
    assert.ok(entry.summary.length > 0 && !entry.summary.includes('\n'), `${entry.name}: a one-line summary`)
    assert.match(
      cmd.help,
      new RegExp(`pdns-mesh ${entry.name}\\b`),
      `${entry.name}: its help shows its usage`,
    )
    assert.equal(typeof cmd.run, 'function')
  }
})
