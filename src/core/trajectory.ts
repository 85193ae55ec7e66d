// Agent trajectories (METRICS.md §11): the action key of a tool call, the tool calls of a run,
// the first position where the runs' actions part (`forkAction`) and what each run did there,
// and the rendering of a trajectory as a trace whose steps are the trajectory's own steps.
//
// - actionKey(step) = the tool's name followed by the canonical JSON of its arguments: object
//   keys sorted (recursively, by UTF-16 code units, as Array.prototype.sort does), no white
//   space, numbers as JSON.stringify writes them (1.0 → 1). Arguments given as a string are what
//   most logs hold (OpenAI's `function.arguments`): a string that parses as JSON is canonicalised
//   as its parsed value; one that does not is kept as the trimmed raw string. Absent arguments
//   (and a string of only white space) are the empty object: a call without arguments is
//   `name{}`, however the log wrote it.
// - forkAction: the first position k (0-based) in the runs' action sequences where their keys are
//   not all equal, a run that has ended counting as the key `<end>` there; null when every run
//   took the same actions (or there is only one run).
// - renderTrajectory: one Step per trajectory step that says something, the pieces joined by a
//   blank line into the run's trace (so `trace.slice(start, end) === text` holds as for
//   segmented text). A tool call's text is `name(canonical arguments)`, so the same call reads
//   the same wherever it sits and the alignment can key it by its action key.
import type { Step, TrajectoryStep } from "./types";

/** The key of a run that has no action left at a position (METRICS.md §11). */
export const END_KEY = "<end>";

/** Canonical JSON of a JSON value: object keys sorted recursively, no white space. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") {
    // undefined (not JSON) inside arrays reads as null, as JSON.stringify writes it
    const s = JSON.stringify(v);
    return s === undefined ? "null" : s;
  }
  if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(o[k])).join(",") + "}";
}

/**
 * A call's arguments as a JSON value: absent or blank is {}, a string that parses as JSON is its
 * value, one that does not is kept as it was; anything else is already the value.
 */
export function argumentsValue(raw: unknown): unknown {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "string") return raw;
  const t = raw.trim();
  if (t === "") return {};
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return raw;
  }
}

/** The parsed form of a call's arguments: a string that parses as JSON is its value; absent or blank is {}. */
function argumentValue(args: unknown): { value: unknown; raw: string | null } {
  if (args === undefined || args === null) return { value: {}, raw: null };
  if (typeof args !== "string") return { value: args, raw: null };
  const t = args.trim();
  if (t === "") return { value: {}, raw: null };
  try {
    return { value: JSON.parse(t) as unknown, raw: null };
  } catch {
    return { value: undefined, raw: t };
  }
}

/** The canonical text of a call's arguments (see the file comment). */
export function canonicalArguments(args: unknown): string {
  const a = argumentValue(args);
  return a.raw ?? canonicalJson(a.value);
}

/**
 * The parts of a call's arguments, for telling how alike two calls of one tool are: each
 * top-level entry `key=canonical value` of an object, else the whole canonical text.
 */
export function argumentParts(args: unknown): string[] {
  const a = argumentValue(args);
  if (a.raw !== null) return [a.raw];
  const v = a.value;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return [canonicalJson(v)];
  const o = v as Record<string, unknown>;
  return Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => JSON.stringify(k) + "=" + canonicalJson(o[k]));
}

/** The action key of a tool call: its name followed by the canonical JSON of its arguments. */
export function actionKey(step: Pick<TrajectoryStep, "name" | "arguments">): string {
  return (step.name ?? "") + canonicalArguments(step.arguments);
}

/** What a tool call reads as in the trace and the alignment: `name(canonical arguments)`. */
export function actionText(step: Pick<TrajectoryStep, "name" | "arguments">): string {
  return `${step.name ?? ""}(${canonicalArguments(step.arguments)})`;
}

/** The number of actions (tool calls) of a run. */
export function toolCalls(steps: readonly TrajectoryStep[]): number {
  let k = 0;
  for (const st of steps) if (st.kind === "tool_call") k++;
  return k;
}

/** The action keys of a run, in order. */
export function actionKeys(steps: readonly TrajectoryStep[]): string[] {
  const keys: string[] = [];
  for (const st of steps) if (st.kind === "tool_call") keys.push(actionKey(st));
  return keys;
}

/** Run r's key at position k: its k-th action's key, or `<end>` when it has ended. */
function keyAt(keys: readonly string[], k: number): string {
  return k < keys.length ? keys[k]! : END_KEY;
}

/**
 * The first position k where the runs' action keys are not all equal (a run that has ended
 * counts as `<end>`); null when every run took the same actions, or with fewer than two runs.
 */
export function forkAction(runs: readonly (readonly string[])[]): number | null {
  if (runs.length < 2) return null;
  let longest = 0;
  for (const keys of runs) if (keys.length > longest) longest = keys.length;
  for (let k = 0; k < longest; k++) {
    const first = keyAt(runs[0]!, k);
    for (let r = 1; r < runs.length; r++) if (keyAt(runs[r]!, k) !== first) return k;
  }
  return null;
}

/** One choice at the fork action: an action key (or `<end>`), how many runs took it and which (by position). */
export interface ActionGroup {
  key: string;
  count: number;
  runs: number[];
}

/** What the runs did at position k: the keys there, most runs first (ties by the first run to take it). */
export function actionGroups(runs: readonly (readonly string[])[], k: number): ActionGroup[] {
  const groups = new Map<string, ActionGroup>();
  runs.forEach((keys, r) => {
    const key = keyAt(keys, k);
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.runs.push(r);
    } else groups.set(key, { key, count: 1, runs: [r] });
  });
  return [...groups.values()].sort((a, b) => b.count - a.count || a.runs[0]! - b.runs[0]!);
}

/** A trajectory step as a step of the analysis: its text with offsets into the rendered trace. */
export interface RenderedStep extends Step {
  /** The index of the trajectory step it renders. */
  source: number;
}

/** Between two rendered steps in a trajectory's trace. */
const SEPARATOR = "\n\n";

/** Whether a UTF-16 code unit is white space as String.prototype.trim reads it (the common ones). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

/**
 * A trajectory as a trace: one Step per trajectory step with something to say (a tool call
 * always; other kinds when their text is not blank), each its text trimmed, the pieces joined
 * by a blank line. Steps carry their kind, and a tool call its name.
 */
export function renderTrajectory(steps: readonly TrajectoryStep[]): { trace: string; steps: RenderedStep[] } {
  const out: RenderedStep[] = [];
  let trace = "";
  steps.forEach((st, source) => {
    const raw = st.kind === "tool_call" ? actionText(st) : (st.text ?? "");
    let s = 0;
    let e = raw.length;
    while (s < e && isSpace(raw.charCodeAt(s))) s++;
    while (e > s && isSpace(raw.charCodeAt(e - 1))) e--;
    if (s === e) return;
    const text = s === 0 && e === raw.length ? raw : raw.slice(s, e);
    if (trace !== "") trace += SEPARATOR;
    const start = trace.length;
    trace += text;
    const step: RenderedStep = { text, start, end: trace.length, kind: st.kind, source };
    if (st.kind === "tool_call" && st.name !== undefined) step.name = st.name;
    if (st.kind === "tool_result" && st.isError === true) step.error = true;
    out.push(step);
  });
  return { trace, steps: out };
}

/**
 * Groups of actions by tool name alone (an action key is the name, then its arguments), most runs
 * first: the fork action's groups when calls of one tool differ only by their arguments. A group
 * whose key is not a call (`<end>`, a reply without a call) stays as it is.
 */
export function toolTally(groups: readonly { key: string; count: number }[]): [string, number][] {
  const by = new Map<string, number>();
  for (const g of groups) {
    const at = g.key.indexOf("{");
    const name = at < 0 ? g.key : g.key.slice(0, at);
    by.set(name, (by.get(name) ?? 0) + g.count);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]);
}
