// How the extension writes ids, counts, lists, times and errors in messages, dialogs and tree
// items: one definition of each. Pure (no vscode, no I/O), so the pure modules of documents/ and
// explorer/ use it as well as the glue.

/** At most this many items named in a one-line message; the rest are counted. */
export const MAX_MESSAGE_ITEMS = 5;
/** At most this many lines in a dialog's detail; the rest are counted. */
export const MAX_DETAIL_LINES = 15;

/** A long id shortened for labels and messages: its first 8 characters and "…". */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** "1 request", "3 requests". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "a; b; c (and 4 more)" */
export function listItems(items: readonly string[], max = MAX_MESSAGE_ITEMS): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown} (and ${items.length - max} more)` : shown;
}

/** Lines for a dialog's detail, capped: "… and 4 more" ends a longer list. */
export function detailLines(lines: readonly string[], max = MAX_DETAIL_LINES): string {
  const shown = lines.slice(0, max);
  if (lines.length > max) {
    shown.push(`… and ${lines.length - max} more`);
  }
  return shown.join('\n');
}

/** A time in UTC to the second: "2026-01-30 14:05:09Z"; undefined stays undefined. */
export function formatTime(date: Date | undefined): string | undefined {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : undefined;
}

/** The text of anything thrown, for a message shown to the user. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
