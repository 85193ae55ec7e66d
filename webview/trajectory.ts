// Agent trajectories as the traces show them (pure: no DOM, so the tests can import it): a tool
// call's step text `name(arguments)` taken apart again, its arguments pretty-printed line by line
// with where each line sits in the JSON (so a call outside the consensus can mark the lines whose
// value differs from the consensus call's), a tool result's one-line summary, a run's outcome for
// its header, and how many lines a card takes (the virtualised table's row estimate).
import type { Run, Step } from "../src/core/types";

/** A tool call's step text taken apart: `name(args)`, args parsed when they are JSON. */
export interface ParsedCall {
  name: string;
  /** What was inside the parentheses (the canonical JSON, or the raw string when it did not parse). */
  args: string;
  /** The parsed arguments, when `json`. */
  value?: unknown;
  json: boolean;
}

/**
 * Takes a tool call's text (`name(arguments)`, see actionText in src/core/trajectory.ts) apart.
 * With the step's `name`, the text must start with `name(`; without one, the name is what comes
 * before the first `(`. Text that is not of that form is all arguments (raw), with the given name.
 */
export function parseCall(text: string, name?: string): ParsedCall {
  let n = name ?? "";
  let args = text;
  const open = name !== undefined && text.startsWith(`${name}(`) ? name.length : name === undefined ? text.indexOf("(") : -1;
  if (open >= 0 && text.endsWith(")")) {
    n = text.slice(0, open);
    args = text.slice(open + 1, -1);
  }
  const parsed = parseJson(args);
  return parsed.ok ? { name: n, args, value: parsed.value, json: true } : { name: n, args, json: false };
}

/** JSON.parse that says whether it worked (blank text is not JSON). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const t = text.trim();
  if (t === "") return { ok: false };
  // cheap refusal of prose: JSON starts with one of these
  if (!/^[[{"\-0-9tfn]/.test(t)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch {
    return { ok: false };
  }
}

/** One line of a value pretty-printed as JSON.stringify(v, null, 2) writes it. */
export interface JsonLine {
  /** Nesting depth (two spaces each). */
  depth: number;
  /** `"key": ` inside an object, "" otherwise. */
  key: string;
  /** The value's text on this line: a leaf (`"abc"`, `12`, `{}`), or `{` / `[` opening, `}` / `]` closing. */
  value: string;
  comma: boolean;
  kind: "leaf" | "open" | "close";
  /** Where the value is in the JSON (see pathKey). */
  path: string;
}

type Seg = string | number;

/** A path's key: unambiguous for any key. */
const pathKey = (segs: readonly Seg[]): string => JSON.stringify(segs);

/** A path as a reader would write it: `flights[0].date`, `["odd key"]`. */
export function pathLabel(key: string): string {
  const segs = JSON.parse(key) as Seg[];
  let out = "";
  for (const s of segs) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || "(the arguments)";
}

/** The entries JSON.stringify writes: an object's keys whose values are not undefined or functions. */
function entries(v: object): [Seg, unknown][] {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  const o = v as Record<string, unknown>;
  return Object.keys(o)
    .filter((k) => o[k] !== undefined && typeof o[k] !== "function")
    .map((k) => [k, o[k]]);
}

/** A value pretty-printed as JSON.stringify(v, null, 2), one entry per line, each with its path. */
export function jsonLines(v: unknown): JsonLine[] {
  const out: JsonLine[] = [];
  const emit = (x: unknown, segs: Seg[], key: string, comma: boolean) => {
    const depth = segs.length;
    const path = pathKey(segs);
    if (x !== null && typeof x === "object") {
      const es = entries(x);
      const [o, c] = Array.isArray(x) ? ["[", "]"] : ["{", "}"];
      if (es.length === 0) {
        out.push({ depth, key, value: o + c, comma, kind: "leaf", path });
        return;
      }
      out.push({ depth, key, value: o, comma: false, kind: "open", path });
      es.forEach(([k, y], i) => emit(y, [...segs, k], typeof k === "string" ? `${JSON.stringify(k)}: ` : "", i < es.length - 1));
      out.push({ depth, key: "", value: c, comma, kind: "close", path });
      return;
    }
    out.push({ depth, key, value: JSON.stringify(x) ?? "null", comma, kind: "leaf", path });
  };
  emit(v, [], "", false);
  return out;
}

/** A line's text, as JSON.stringify(v, null, 2) writes it. */
export const lineText = (l: JsonLine): string => "  ".repeat(l.depth) + l.key + l.value + (l.comma ? "," : "");

/** What each path of a value holds: a leaf's JSON, or `{` / `[` for a non-empty object or array. */
export function jsonPaths(v: unknown): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of jsonLines(v)) if (l.kind !== "close") m.set(l.path, l.value);
  return m;
}

/**
 * How a line compares with the consensus value's paths: "same"; "changed" (the path is there
 * with another value: its value part is what differs); "added" (the consensus has no such path:
 * key and value differ). Closing lines are always "same".
 */
export type LineMark = "same" | "changed" | "added";

export function markLines(lines: readonly JsonLine[], base: ReadonlyMap<string, string>): LineMark[] {
  return lines.map((l) => {
    if (l.kind === "close") return "same";
    const b = base.get(l.path);
    if (b === undefined) return "added";
    return b === l.value ? "same" : "changed";
  });
}

/**
 * The paths the consensus value has and this one lacks, outermost only (a missing object's
 * inner paths are not listed again), as labels.
 */
export function missingPaths(lines: readonly JsonLine[], base: ReadonlyMap<string, string>): string[] {
  const have = new Set(lines.map((l) => l.path));
  const out: string[] = [];
  const reported: string[] = [];
  for (const p of base.keys()) {
    if (have.has(p)) continue;
    // inner paths of a missing one start with the same segments
    const inner = reported.some((r) => p.startsWith(r.slice(0, -1) + ","));
    if (inner) continue;
    reported.push(p);
    out.push(pathLabel(p));
  }
  return out;
}

/** A tool result folded to one line: its first `max` characters (white space collapsed) and its length. */
export function resultSummary(text: string, max = 80): { head: string; chars: number } {
  const flat = text.replace(/\s+/g, " ").trim();
  return { head: flat.length > max ? flat.slice(0, max - 1) + "…" : flat, chars: text.length };
}

/** A count of characters for a label: "1,234 chars". */
export function charsLabel(n: number): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "char" : "chars"}`;
}

/** A tool result's text unfolded: JSON (an object or array) pretty-printed, anything else as it is. */
export function resultBody(text: string): { json: true; value: unknown } | { json: false; text: string } {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    const p = parseJson(t);
    if (p.ok && p.value !== null && typeof p.value === "object") return { json: true, value: p.value };
  }
  return { json: false, text };
}

/** "reward 1", "reward 0.5", "reward 0.33". */
export function rewardLabel(r: number): string {
  return `reward ${Number(r.toFixed(2))}`;
}

/** A run's outcome for its header (agent prompts): its reward, its checks, its tool calls. */
export interface RunOutcome {
  reward: string | null;
  /** The named checks, when the run has them: the failed ones by name. */
  checks: { failed: string[]; total: number } | null;
  calls: number | null;
}

export function runOutcome(run: Pick<Run, "reward" | "outcomes" | "toolCalls">): RunOutcome {
  const names = run.outcomes ? Object.keys(run.outcomes) : [];
  return {
    reward: typeof run.reward === "number" ? rewardLabel(run.reward) : null,
    checks: names.length ? { failed: names.filter((k) => run.outcomes![k] !== 1), total: names.length } : null,
    calls: typeof run.toolCalls === "number" ? run.toolCalls : null,
  };
}

/** "✗ 2 of 5 checks" / "✓ 5 checks". */
export function checksLabel(c: { failed: string[]; total: number }): string {
  return c.failed.length ? `✗ ${c.failed.length} of ${c.total} ${c.total === 1 ? "check" : "checks"}` : `✓ ${c.total} ${c.total === 1 ? "check" : "checks"}`;
}

/** "failed checks: a, b" / "all 5 checks passed". */
export function checksTitle(c: { failed: string[]; total: number }): string {
  return c.failed.length ? `failed ${c.failed.length} of ${c.total} checks: ${c.failed.join(", ")}` : `all ${c.total} checks passed`;
}

// Card geometry relative to a cell's text (see style.css, "agent trajectories: cards"): the
// arguments and a result's body are monospace at 0.92 of the cell's size, a little wider per
// character than the cell's proportional text; a card's padding and border add a fraction of a line.
const MONO_CPL = 0.94;
const CARD_PAD = 0.7;
const BUBBLE_CPL = 0.85;

function wrapped(text: string, cpl: number): number {
  let l = 0;
  for (const para of text.split("\n")) l += Math.max(1, Math.ceil(para.length / cpl));
  return l;
}

/**
 * About how many lines of the cell's text a step's card takes in a cell `cpl` characters wide:
 * a call's head and its pretty-printed arguments; a result folded (one line); a user turn in its
 * bubble; thinking and text as text. Only an estimate: rows are measured once shown.
 */
export function cardLines(step: Pick<Step, "kind" | "text" | "name">, cpl: number): number {
  switch (step.kind) {
    case "tool_call": {
      const call = parseCall(step.text, step.name);
      const mono = Math.max(8, Math.floor(cpl * MONO_CPL));
      const body = call.json ? jsonLines(call.value).reduce((s, l) => s + Math.max(1, Math.ceil(lineText(l).length / mono)), 0) : wrapped(call.args, mono);
      return 1 + body + CARD_PAD;
    }
    case "tool_result":
      return 1 + CARD_PAD * 0.5;
    case "user":
      return wrapped(`user ${step.text}`, Math.max(8, Math.floor(cpl * BUBBLE_CPL))) + CARD_PAD;
    default:
      // "thinking": a label before the text; "text" as plain text
      return wrapped((step.kind === "reasoning" ? "thinking " : "") + step.text, cpl);
  }
}

/** The agent's steps a rerun can start from: its calls, and the first step of each of its turns (text or thinking after a user turn or a tool result). */
export function rerunnable(steps: readonly Step[], k: number): boolean {
  const s = steps[k];
  if (!s || s.source === undefined) return false;
  if (s.kind === "tool_call") return true;
  if (s.kind !== "text" && s.kind !== "reasoning") return false;
  for (let i = k - 1; i >= 0; i--) {
    const prev = steps[i]!.kind;
    if (prev === undefined) continue;
    return prev === "user" || prev === "tool_result";
  }
  // the run's first step: a run of a next action starts with the agent's turn
  return true;
}
