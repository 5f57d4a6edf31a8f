/** Rows are rendered in blocks of this many so column widths adapt without holding everything. */
export const TABLE_BLOCK_ROWS = 500
/** A cell wider than this is cut with an ellipsis so one long TXT record cannot wreck the layout. */
export const TABLE_MAX_CELL = 80

/** Aligned plain-text columns, computed over a block of rows. */
export function renderTable(header: readonly string[] | null, rows: readonly string[][]): string {
  const all = header === null ? rows : [header as string[], ...rows]
  const widths: number[] = []
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, Math.min(cell.length, TABLE_MAX_CELL))
    })
  }
  return all
    .map((row) =>
      row
        .map((cell, i) => {
          const c = cell.length > TABLE_MAX_CELL ? `${cell.slice(0, TABLE_MAX_CELL - 1)}…` : cell
          return i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)
        })
        .join('  '),
    )
    .join('\n')
}
