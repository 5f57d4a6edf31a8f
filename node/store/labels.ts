/** Origin labels, as the store registers them (ORIGIN / ORIGIN# keys). */

/** Origin labels: printable, at most 255 characters. */
export function isLabel(text: string): boolean {
  // a lone UTF-16 surrogate becomes U+FFFD in UTF-8: two labels would share one stored label
  if (!text.isWellFormed()) return false
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return text.length > 0 && text.length <= 255 && !/[\u0000-\u001f\u007f]/.test(text)
}
