/**
 * The API's certificate and key, read and paired when the configuration is loaded: a path that
 * cannot be read, a file that is not PEM, or a key that is not the certificate's is a configuration
 * error (ERR_CONFIG, exit 2) naming the key, before the node opens or binds anything, rather than a
 * node that starts and then cannot serve HTTPS.
 */
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'

/** What is wrong with the pair, one message per problem; empty when they make a TLS context. */
export async function tlsFileProblems(
  cert: { path: string; where: string },
  key: { path: string; where: string },
): Promise<string[]> {
  const problems: string[] = []
  const read = async (f: { path: string; where: string }) => {
    try {
      return await readFile(f.path)
    } catch (err) {
      problems.push(`${f.where}: cannot read ${f.path}: ${(err as NodeJS.ErrnoException).code ?? err}`)
      return null
    }
  }
  const certPem = await read(cert)
  const keyPem = await read(key)
  if (certPem === null || keyPem === null) return problems
  try {
    createSecureContext({ cert: certPem })
  } catch (err) {
    return [`${cert.where}: ${cert.path} is not a PEM certificate (${opensslReason(err)})`]
  }
  try {
    createSecureContext({ cert: certPem, key: keyPem })
  } catch (err) {
    const reason = opensslReason(err)
    return [
      /mismatch/i.test(reason)
        ? `${key.where}: ${key.path} is not the private key of ${cert.path}`
        : `${key.where}: ${key.path} is not a PEM private key (${reason})`,
    ]
  }
  return problems
}

/** OpenSSL's reason without its error-code prefix: "error:05800074:x509 certificate routines::key values mismatch". */
function opensslReason(err: unknown): string {
  const m = (err as Error).message ?? String(err)
  return m.replace(/^error:[0-9A-F]+:[^:]*::?/i, '')
}
