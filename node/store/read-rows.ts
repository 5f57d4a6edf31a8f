/**
 * The rows of the native addon's range read (native/rocks-native.cc `read`): one buffer, a byte that
 * says whether the range ended (1) or more entries follow (0), then per entry its key length and
 * value length (u32 LE each), key and value. Each key and value becomes a view of that one buffer,
 * where the binding's iterator copies each into a Buffer of its own (a third of a short lookup's
 * CPU: docs/STORAGE.md).
 */
export function readRows(buf: Buffer): { rows: Buffer[]; finished: boolean } {
  const rows: Buffer[] = []
  let o = 1
  while (o < buf.length) {
    const kl = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24)
    const vl = buf[o + 4]! | (buf[o + 5]! << 8) | (buf[o + 6]! << 16) | (buf[o + 7]! << 24)
    o += 8
    rows.push(buf.subarray(o, o + kl), buf.subarray(o + kl, o + kl + vl))
    o += kl + vl
  }
  return { rows, finished: buf[0] === 1 }
}
