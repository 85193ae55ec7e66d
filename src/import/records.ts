// Small pieces the Inspect AI, Claude Code, OTel and promptfoo importers share: decoding bytes,
// reading JSON Lines with line numbers, ids made from prompt text, and the summary sentence.
import type { PromptRecord, TrajectoryStep } from "../core/types";
import type { ImportProblem } from "./types";

const decoder = new TextDecoder("utf-8");

/** The file's text (UTF-8, without a byte-order mark). */
export function textOf(bytes: Uint8Array): string {
  const s = decoder.decode(bytes);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** The first `n` bytes as text, for cheap detection (a cut multi-byte character becomes U+FFFD). */
export function headOf(bytes: Uint8Array, n = 4096): string {
  return textOf(bytes.subarray(0, Math.min(n, bytes.length)));
}

import { isObject, parseArguments } from "./common";
// one reading of JSON-text arguments for every importer (absent arguments are {}, as §11 keys them)
export { isObject, parseArguments };

export function str(x: unknown): string | undefined {
  return typeof x === "string" ? x : undefined;
}

/** A file name's last part, for ids and messages. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}


/** Each non-blank line of JSON Lines text, parsed, with its 1-based line number; bad lines go to `problems`. */
export function jsonLines(path: string, text: string, problems: ImportProblem[]): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (e) {
      problems.push({ where: `${path}:${i + 1}`, message: `not JSON (${(e as Error).message}); line skipped` });
    }
  }
  return out;
}

/**
 * An id for a prompt known only by its text: its first words in lower case joined by dashes
 * (at most 48 characters), made unique against `taken` with -2, -3, …
 */
export function slugId(text: string, taken: Set<string>, fallback = "prompt"): string {
  let base = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  if (base.length > 48) base = base.slice(0, 48).replace(/-[^-]*$/, "") || base.slice(0, 48);
  if (base === "") base = fallback;
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/** JSON with object keys sorted, so equal values give equal text (for grouping keys). */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  if (isObject(x)) {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(x[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(x) ?? "null";
}

/** The last visible text of a trajectory (its final answer, as far as it has one). */
export function lastText(steps: TrajectoryStep[]): string | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === "text" && s.text) return s.text;
  }
  return undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * "3 tasks × 2 runs, 14 tool calls; format Inspect AI" (runs as a range when prompts differ;
 * tool calls only when the samples are trajectories; skipped records counted when any).
 */
export function summarize(prompts: PromptRecord[], noun: string, label: string, problems: ImportProblem[]): string {
  const counts = prompts.map((p) => p.samples.length);
  const lo = counts.length ? Math.min(...counts) : 0;
  const hi = counts.length ? Math.max(...counts) : 0;
  const runs = lo === hi ? plural(lo, "run") : `${lo}–${hi} runs`;
  let calls = 0;
  let trajectories = false;
  for (const p of prompts) {
    for (const s of p.samples) {
      if (!s.steps) continue;
      trajectories = true;
      for (const st of s.steps) if (st.kind === "tool_call") calls++;
    }
  }
  let out = `${plural(prompts.length, noun)} × ${runs}`;
  if (trajectories) out += `, ${plural(calls, "tool call")}`;
  out += `; format ${label}`;
  if (problems.length) out += `; ${plural(problems.length, "problem")} (skipped parts named)`;
  return out;
}
