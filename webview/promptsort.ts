// The prompt list's order, columns and names (webview/promptlist.ts draws them). Pure: no DOM,
// so the tests import it. Nothing here recomputes a metric: every figure is read from the document.
import type { PromptAnalysis } from "../src/core/types";
import { truncate } from "./format";
import { headline } from "./model";

export type SortKey = "name" | "n" | "incoherence" | "accuracy" | "passk" | "fork";
export type SortDir = "asc" | "desc";
/** How the list is sorted; null (or absent) is file order. */
export interface PromptSort {
  key: SortKey;
  dir: SortDir;
}

export const SORT_KEYS: readonly SortKey[] = ["name", "n", "incoherence", "accuracy", "passk", "fork"];

/**
 * The direction of a first click on a column: the end worth reading first (the most incoherent,
 * the least accurate or reliable, the earliest fork, the most runs; names A to Z).
 */
export const FIRST_DIR: Record<SortKey, SortDir> = { name: "asc", n: "desc", incoherence: "desc", accuracy: "asc", passk: "asc", fork: "asc" };

/** A sort read back from a saved view state (anything: it may come from an older version). */
export function parseSort(x: unknown): PromptSort | null {
  if (!x || typeof x !== "object") return null;
  const { key, dir } = x as Record<string, unknown>;
  if (!SORT_KEYS.includes(key as SortKey) || (dir !== "asc" && dir !== "desc")) return null;
  return { key: key as SortKey, dir };
}

/** A click on a column's head: sort by it (its first direction), again to reverse, a third time back to file order. */
export function nextSort(cur: PromptSort | null | undefined, key: SortKey): PromptSort | null {
  if (!cur || cur.key !== key) return { key, dir: FIRST_DIR[key] };
  if (cur.dir === FIRST_DIR[key]) return { key, dir: cur.dir === "asc" ? "desc" : "asc" };
  return null;
}

/** The k of the list's pass^k column: the smallest n among the prompts with pass^k (a target); null when none has it. */
export function listK(prompts: readonly PromptAnalysis[]): number | null {
  let k: number | null = null;
  for (const p of prompts) {
    const len = p.passHatK?.length ?? 0;
    if (len > 0 && (k === null || len < k)) k = len;
  }
  return k;
}

/** The share of correct runs: pass^1 (c / n over every run, even those a report left out), else from the runs held; null without a target. */
export function accuracy(p: PromptAnalysis): number | null {
  const first = p.passHatK?.[0];
  if (typeof first === "number") return first;
  let judged = 0;
  let right = 0;
  for (const r of p.runs ?? []) {
    if (r.correct === null || r.correct === undefined) continue;
    judged++;
    if (r.correct) right++;
  }
  return judged ? right / judged : null;
}

/** pass^k at the list's k; null without a target (or when the prompt has fewer than k runs). */
export function passAt(p: PromptAnalysis, k: number | null): number | null {
  if (k === null) return null;
  return p.passHatK?.[k - 1] ?? null;
}

/** Where the runs part: an agent prompt's fork action (from 1), else the aligned fork column; null when they never do. */
export function forkPosition(p: PromptAnalysis): number | null {
  if (p.agent) return p.agent.forkAction === null ? null : p.agent.forkAction + 1;
  return p.forkColumn ?? null;
}

/** Which columns the list shows: what the document has. */
export interface ListColumns {
  /** Some prompt is an agent trajectory: pass^k and the fork action, the incoherence as a bar. */
  agent: boolean;
  /** The prompts do not all have the same n. */
  n: boolean;
  /** The k of the pass^k column (agent documents), null when no prompt has pass^k. */
  k: number | null;
  /** Some prompt has a target (plain documents: the accuracy column). */
  accuracy: boolean;
  /** Some prompt's runs part somewhere. */
  fork: boolean;
}

export function listColumns(prompts: readonly PromptAnalysis[]): ListColumns {
  const agent = prompts.some((p) => !!p.agent);
  return {
    agent,
    n: new Set(prompts.map((p) => p.n)).size > 1,
    k: agent ? listK(prompts) : null,
    accuracy: !agent && prompts.some((p) => accuracy(p) !== null),
    fork: prompts.some((p) => forkPosition(p) !== null),
  };
}

/** The keys the list can sort by (its columns' heads; the name and the incoherence always). */
export function sortKeys(c: ListColumns): SortKey[] {
  const keys: SortKey[] = ["name"];
  if (c.n) keys.push("n");
  keys.push("incoherence");
  if (c.accuracy) keys.push("accuracy");
  if (c.k !== null) keys.push("passk");
  if (c.fork) keys.push("fork");
  return keys;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** The figure a prompt sorts by (null: it has none, and goes last). */
export function sortValue(p: PromptAnalysis, key: Exclude<SortKey, "name">, k: number | null): number | null {
  const v = key === "n" ? p.n : key === "incoherence" ? headline(p) : key === "accuracy" ? accuracy(p) : key === "passk" ? passAt(p, k) : forkPosition(p);
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The displayed order: the prompts' indices (into `prompts`, the file order), sorted. Ties keep
 * the file order and prompts without the figure go last, whichever the direction; names compare
 * naturally (task-2 before task-10) and without regard to case.
 */
export function sortPrompts(prompts: readonly PromptAnalysis[], sort: PromptSort | null | undefined, k: number | null = listK(prompts)): number[] {
  const idx = prompts.map((_, i) => i);
  if (!sort) return idx;
  const sign = sort.dir === "asc" ? 1 : -1;
  if (sort.key === "name") {
    const names = prompts.map(promptName);
    return idx.sort((a, b) => sign * collator.compare(names[a]!, names[b]!) || a - b);
  }
  const key = sort.key;
  const vals = prompts.map((p) => sortValue(p, key, k));
  return idx.sort((a, b) => {
    const x = vals[a]!;
    const y = vals[b]!;
    if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a - b;
    return sign * (x - y) || a - b;
  });
}

// ---------------------------------------------------------------------------------------------
// Names

/** Ids that say nothing of the prompt: a number, or a word importers and tools fall back on with an optional number ("prompt-3", "session"). */
const GENERIC = /^(?:(?:prompt|session|run|sample|record|item|example|conversation|chat|trace|untitled|unnamed|p)[\s_.#:-]*)?\d*$/i;
/** A UUID (with or without dashes). */
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * The id is a hash, a UUID or generic: the prompt is better named by what it asks. A hash is a
 * run of 8 or more hex digits with a digit and a letter in it, leading the id or standing alone between
 * separators (a run file's "3fa2b9c1-lx8k2p", "trace 0af76519…").
 */
export function idIsOpaque(id: string): boolean {
  const t = id.trim();
  if (t === "" || GENERIC.test(t)) return true;
  const parts = t.split(/[\s_.:/-]+/).filter(Boolean);
  if (parts.some((x) => UUID.test(x)) || UUID.test(t)) return true;
  // a digit and a letter: not a date or a number (a number alone is generic)
  const hashy = (x: string) => /^[0-9a-f]{8,}$/i.test(x) && /\d/.test(x) && /[a-f]/i.test(x);
  return hashy(parts[0] ?? "") || parts.some((x) => x.length >= 12 && hashy(x));
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * What the prompt asks, in one line: an agent prompt's first user turn (the first `user` step of
 * its first run), else the first non-blank line of its prompt; null when there is none.
 */
export function firstUserMessage(p: PromptAnalysis): string | null {
  if (p.agent) {
    // the first run's: in other runs a simulated user may have said something else
    const u = p.runs?.[0]?.steps?.find((s) => s.kind === "user" && oneLine(s.text ?? "") !== "");
    if (u) return oneLine(u.text);
  }
  const line = (p.prompt ?? "").split("\n").find((l) => l.trim() !== "");
  return line === undefined ? null : oneLine(line);
}

/** The prompt's name in the list: its id, or what it asks (shortened) when the id is a hash or generic. */
export function promptName(p: PromptAnalysis): string {
  const id = String(p.id ?? "");
  if (!idIsOpaque(id)) return id;
  const ask = firstUserMessage(p);
  return ask ? truncate(ask, 80) : id;
}

/** The muted second line of an agent prompt's row: its first user turn (shortened), when the name is not already that; null otherwise. */
export function promptSubtitle(p: PromptAnalysis): string | null {
  if (!p.agent || promptName(p) !== String(p.id ?? "")) return null;
  const ask = firstUserMessage(p);
  return ask ? truncate(ask, 160) : null;
}

/** Whether the filter box's text (already lower-cased and trimmed) matches a prompt: its id, name, first user turn or model. */
export function matchesFilter(p: PromptAnalysis, q: string): boolean {
  if (q === "") return true;
  const hay = [String(p.id ?? ""), promptName(p), p.agent ? (firstUserMessage(p) ?? "") : "", p.model ?? ""];
  return hay.some((s) => s.toLowerCase().includes(q));
}
