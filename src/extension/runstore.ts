// The run store as the pickers list it (Open Run…, Retry Run…): each run file with its header
// and what became of its run, newest first. A complete run costs one read and one JSON.parse
// of its last line; only a run that did not complete (or has failure lines) is parsed whole.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseRunFile, runState, type RunHeader, type RunState } from "../core";

export interface StoredRun {
  file: string;
  mtime: number;
  /** The header (null: the first line is not a run header, e.g. a trace set). */
  header: Partial<RunHeader> | null;
  /** What became of the run (null: not a run file, or unreadable). */
  state: RunState | null;
}

/** The `.jsonl` files of a directory, newest first (none when it does not exist yet). */
export function listRunFiles(dir: string, max = 200): { file: string; mtime: number }[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => ({ file: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)
      .slice(0, max);
  } catch {
    return [];
  }
}

function lastLine(text: string): string {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return text.slice(text.lastIndexOf("\n", end - 1) + 1, end);
}

/** A run file's header and state (messages redacted with `secrets`); never throws (an unreadable file has neither). */
export function readStoredRun(file: string, mtime: number, secrets: readonly string[] = []): StoredRun {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { file, mtime, header: null, state: null };
  }
  let header: Partial<RunHeader> | null = null;
  try {
    const h = JSON.parse(text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length)) as Partial<RunHeader> & { type?: unknown };
    header = h && h.type === "header" ? h : null;
  } catch {
    header = null;
  }
  if (!header) return { file, mtime, header: null, state: null };
  // the common case: a complete run without failures needs no full parse
  try {
    const end = JSON.parse(lastLine(text)) as { type?: unknown; status?: unknown };
    if (end.type === "end" && end.status === "complete" && !/"type"\s*:\s*"failure"/.test(text)) return { file, mtime, header, state: null };
  } catch {
    // a torn last line: parse it all
  }
  try {
    const state = runState(parseRunFile(text), secrets);
    return { file, mtime, header, state: state.status === "complete" ? null : state };
  } catch {
    return { file, mtime, header, state: null };
  }
}

/**
 * What a picker row says of a run that did not complete, with a codicon and the state's counts:
 * "$(error) failed: 401 invalid x-api-key", "$(warning) partial: 5 of 8 finished, 1 failed, 2 not started (429 …)".
 */
export function stateBadge(state: RunState | null): string | null {
  if (!state) return null;
  switch (state.status) {
    case "failed":
      return `$(error) failed${state.reason ? `: ${state.reason}` : ""}`;
    case "partial":
      return `$(warning) partial: ${state.brief}${state.reason ? ` (${state.reason})` : ""}`;
    case "cancelled":
      return `$(circle-slash) cancelled: ${state.brief}`;
    case "unfinished":
      return `$(clock) unfinished: ${state.brief}`;
    case "complete":
      return null;
  }
}
