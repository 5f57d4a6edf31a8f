/** Origin labels, as the store registers them (ORIGIN / ORIGIN# keys). */

/** Origin labels: printable, at most 255 characters. */
export function isLabel(text: string): boolean {
  // a lone UTF-16 surrogate becomes U+FFFD in UTF-8: two labels would share one stored label
  if (!text.isWellFormed()) return false
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return text.length > 0 && text.length <= 255 && !/[\u0000-\u001f\u007f]/.test(text)
}

/**
 * Labels of mesh nodes' origins (`<peer id>` or `<peer id>/…`: an Ed25519 peer id), as against
 * the labels of imports (`cof:…`), which no peer can speak for.
 */
export function isMeshLabel(label: string): boolean {
  return /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}(\/|$)/.test(label)
}
