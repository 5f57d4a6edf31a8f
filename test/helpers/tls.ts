/** Certificates for tests that need HTTPS: made by the openssl CLI (node cannot make certificates). */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Whether the openssl CLI runs here. */
export async function hasOpenssl(): Promise<boolean> {
  try {
    await run('openssl', ['version'])
    return true
  } catch {
    return false
  }
}

/** A self-signed P-256 certificate for 127.0.0.1 and localhost at `cert`, its private key at `key` (PEM). */
export async function selfSigned(cert: string, key: string, name = 'localhost'): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ])
}
