// File output that a crash cannot corrupt: write a temporary file beside the target, flush it
// to disk, then rename it over the target (atomic on POSIX file systems).
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` (one string, or pieces written one after the other: a large document need never
 * be one string in memory) to `file` atomically.
 */
export function writeFileAtomic(file: string, data: string | Iterable<string>): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    if (typeof data === "string") writeSync(fd, data);
    else for (const piece of data) writeSync(fd, piece);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/** Where each element of a document's list sits in its JSON text, in bytes of UTF-8. */
export interface JsonLayout {
  /** Bytes of the whole text. */
  bytes: number;
  /** [start, end) of each element of the list. */
  items: [number, number][];
}

/**
 * The JSON text of `doc` (exactly JSON.stringify(doc) + "\n"), in pieces: the list under `key`
 * element by element, so a document of hundreds of MB is never one string. `layout` is filled as
 * the pieces are taken: where each element of the list is, for a reader that wants one of them.
 */
export function* jsonPieces<T extends object>(doc: T, key: keyof T & string, layout?: JsonLayout): Generator<string> {
  const list = doc[key];
  if (!Array.isArray(list)) {
    yield JSON.stringify(doc) + "\n";
    return;
  }
  // the document with a mark where the list goes: its own key order, every other field as is
  const mark = "\u0000hotmess-list\u0000";
  const shell = JSON.stringify({ ...doc, [key]: mark });
  const at = shell.indexOf(`${JSON.stringify(key)}:${JSON.stringify(mark)}`);
  const head = shell.slice(0, at) + `${JSON.stringify(key)}:[`;
  const tail = "]" + shell.slice(at + `${JSON.stringify(key)}:${JSON.stringify(mark)}`.length) + "\n";
  let bytes = 0;
  const take = (piece: string): string => {
    bytes += Buffer.byteLength(piece);
    return piece;
  };
  yield take(head);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) yield take(",");
    const start = bytes;
    yield take(JSON.stringify(list[i]));
    layout?.items.push([start, bytes]);
  }
  yield take(tail);
  if (layout) layout.bytes = bytes;
}
