// Reading trace sets (FORMATS.md): one prompt per JSON line. A malformed line is named by its
// number and skipped; a malformed sample inside a good line is named and dropped; unknown
// fields are ignored, never an error.
import { readAnswerSpec } from "./answerspec";
import { TRAJECTORY_STEP_KINDS, type OptimizerSpec, type PromptRecord, type Sample, type TrajectoryStep, type TrajectoryStepKind } from "./types";

export interface LineProblem {
  line: number;
  message: string;
}

export type ParsedLine = { record: PromptRecord; warnings: LineProblem[] } | { error: LineProblem } | null;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** A sample's known fields as read by `present`. */
interface Present {
  text?: unknown;
  thinking?: unknown;
  answer?: unknown;
  correct?: unknown;
  probs?: unknown;
  steps?: unknown;
  reward?: unknown;
  outcomes?: unknown;
}

/**
 * A sample's known fields, an optional field written as null (as many tools do for "not there")
 * being absent; `answer: null` stays (no answer given). Read field by field: this runs once per
 * sample, and copying every sample's entries was a tenth of parsing a large set.
 */
function present(s: object): Present {
  const r = s as Record<string, unknown>;
  const o: Present = {};
  if (Object.hasOwn(r, "text") && r.text !== null) o.text = r.text;
  if (Object.hasOwn(r, "thinking") && r.thinking !== null) o.thinking = r.thinking;
  if (Object.hasOwn(r, "answer")) o.answer = r.answer;
  if (Object.hasOwn(r, "correct") && r.correct !== null) o.correct = r.correct;
  if (Object.hasOwn(r, "probs") && r.probs !== null) o.probs = r.probs;
  if (Object.hasOwn(r, "steps") && r.steps !== null) o.steps = r.steps;
  if (Object.hasOwn(r, "reward") && r.reward !== null) o.reward = r.reward;
  if (Object.hasOwn(r, "outcomes") && r.outcomes !== null) o.outcomes = r.outcomes;
  return o;
}

const KINDS: ReadonlySet<string> = new Set(TRAJECTORY_STEP_KINDS);

/** What is wrong with step i of a trajectory (FORMATS.md "Trajectories"), or null. */
function stepProblem(v: unknown, i: number): string | null {
  const at = `"steps"[${i}]`;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return `${at} is ${describe(v)}, not an object`;
  const st = v as Record<string, unknown>;
  if (typeof st.kind !== "string" || !KINDS.has(st.kind))
    return `${at} has kind ${st.kind === undefined ? "missing" : JSON.stringify(st.kind)}, not one of ${TRAJECTORY_STEP_KINDS.join(", ")}`;
  if (st.text !== undefined && st.text !== null && typeof st.text !== "string") return `${at} (${st.kind}): "text" is ${describe(st.text)}, not a string`;
  if (st.kind === "tool_call" && (typeof st.name !== "string" || st.name.trim() === "")) return `${at} (tool_call) needs a "name" (a non-empty string)`;
  if (st.name !== undefined && st.name !== null && typeof st.name !== "string") return `${at} (${st.kind}): "name" is ${describe(st.name)}, not a string`;
  if (st.id !== undefined && st.id !== null && typeof st.id !== "string") return `${at} (${st.kind}): "id" is ${describe(st.id)}, not a string`;
  if (st.isError !== undefined && st.isError !== null && typeof st.isError !== "boolean") return `${at} (${st.kind}): "isError" is ${describe(st.isError)}, not true or false`;
  return null;
}

/** A validated step with only its known fields (nulls dropped, unknown fields ignored). */
function stepOf(v: Record<string, unknown>): TrajectoryStep {
  const step: TrajectoryStep = { kind: v.kind as TrajectoryStepKind };
  if (typeof v.text === "string") step.text = v.text;
  if (typeof v.name === "string") step.name = v.name;
  if (v.arguments !== undefined && v.arguments !== null) step.arguments = v.arguments;
  if (typeof v.id === "string") step.id = v.id;
  if (typeof v.isError === "boolean") step.isError = v.isError;
  // a reasoning step's thinking signature, so the thinking can be passed back (a rollout's, a rerun from a point)
  if (v.kind === "reasoning" && typeof v.signature === "string" && v.signature !== "") step.signature = v.signature;
  return step;
}

/**
 * Reads an array of trajectory steps as a trace set's sample holds them (FORMATS.md): the steps
 * with only their known fields, or the first problem ("step 3 (tool_call) needs a name").
 */
export function readSteps(v: unknown): { steps: TrajectoryStep[] } | { problem: string } {
  if (!Array.isArray(v)) return { problem: `"steps" is ${describe(v)}, not an array of steps` };
  for (let i = 0; i < v.length; i++) {
    const problem = stepProblem(v[i], i);
    if (problem) return { problem };
  }
  return { steps: v.map((st) => stepOf(st as Record<string, unknown>)) };
}

function sampleProblem(s: unknown): string | null {
  if (s === null || typeof s !== "object" || Array.isArray(s)) return `is ${describe(s)}, not an object`;
  const o = present(s);
  if (o.text !== undefined && typeof o.text !== "string") return `"text" is ${describe(o.text)}, not a string`;
  if (o.thinking !== undefined && typeof o.thinking !== "string") return `"thinking" is ${describe(o.thinking)}, not a string`;
  if (o.steps !== undefined) {
    if (!Array.isArray(o.steps)) return `"steps" is ${describe(o.steps)}, not an array of steps`;
    for (let i = 0; i < o.steps.length; i++) {
      const problem = stepProblem(o.steps[i], i);
      if (problem) return problem;
    }
  }
  if (typeof o.text !== "string" && typeof o.thinking !== "string") {
    if (o.steps === undefined) return `has neither "text" nor "thinking"`;
    if ((o.steps as unknown[]).length === 0) return `has neither "text" nor "thinking", and its "steps" is empty`;
  }
  if (o.answer !== undefined && o.answer !== null && typeof o.answer !== "string" && !(typeof o.answer === "number" && Number.isFinite(o.answer)))
    return `"answer" is ${describe(o.answer)}, not a string or a number`;
  if (o.correct !== undefined && o.correct !== null && typeof o.correct !== "boolean") return `"correct" is ${describe(o.correct)}, not true or false`;
  if (o.probs !== undefined) {
    if (o.probs === null || typeof o.probs !== "object" || Array.isArray(o.probs)) return `"probs" is ${describe(o.probs)}, not an object of probabilities`;
    for (const [k, v] of Object.entries(o.probs as Record<string, unknown>))
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) return `"probs"."${k}" is ${JSON.stringify(v)}, not a probability in [0, 1]`;
  }
  if (o.reward !== undefined && (typeof o.reward !== "number" || !Number.isFinite(o.reward) || o.reward < 0 || o.reward > 1))
    return `"reward" is ${typeof o.reward === "number" ? String(o.reward) : describe(o.reward)}, not a number in [0, 1]`;
  if (o.outcomes !== undefined) {
    if (typeof o.outcomes !== "object" || Array.isArray(o.outcomes)) return `"outcomes" is ${describe(o.outcomes)}, not an object of checks (name → 0 or 1)`;
    for (const [k, v] of Object.entries(o.outcomes as Record<string, unknown>))
      if (v !== 0 && v !== 1) return `"outcomes"."${k}" is ${JSON.stringify(v) ?? describe(v)}, not 0 or 1`;
  }
  return null;
}

/** What is wrong with an optimizer benchmark spec, or null (a prompt's optional `benchmark`). */
function benchmarkProblem(v: unknown): string | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `is ${describe(v)}, not an object`;
  const b = v as Record<string, unknown>;
  if (b.kind !== "optimizer") return `has kind ${JSON.stringify(b.kind)}; only "optimizer" is known`;
  const d = b.d;
  if (typeof d !== "number" || !Number.isInteger(d) || d < 1) return `needs an integer dimension "d"`;
  const vec = (x: unknown) => Array.isArray(x) && x.length === d && x.every((y) => typeof y === "number" && Number.isFinite(y));
  if (!Array.isArray(b.A) || b.A.length !== d || !b.A.every(vec)) return `needs "A", a ${d}×${d} matrix of numbers`;
  if (!vec(b.b) || !vec(b.x0)) return `needs vectors "b" and "x0" of ${d} numbers`;
  if (b.rule !== "gd" && b.rule !== "steepest") return `needs "rule": "gd" or "steepest"`;
  if (b.rule === "gd" && typeof b.eta !== "number") return `needs "eta" for gradient descent`;
  if (b.rule === "steepest" && typeof b.stepNorm !== "number") return `needs "stepNorm" for steepest descent`;
  if (typeof b.K !== "number" || !Number.isInteger(b.K) || b.K < 1 || b.K > 1000) return `needs an integer "K" (steps) from 1 to 1000`;
  if (typeof b.decimals !== "number") return `needs "decimals"`;
  return null;
}

/** Parses one line of a trace set. Blank lines give null. `seen` maps ids to their first line. */
export function parseTraceLine(text: string, line: number, seen?: Map<string, number>): ParsedLine {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  let v: unknown;
  try {
    v = JSON.parse(trimmed);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^JSON\.parse: /, "") : String(e);
    return { error: { line, message: `not valid JSON (${why})` } };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { error: { line, message: `expected a JSON object, found ${describe(v)}` } };
  const o = v as Record<string, unknown>;
  let id = o.id;
  if (typeof id === "number" && Number.isFinite(id)) id = String(id);
  if (typeof id !== "string" || id === "") return { error: { line, message: id === undefined ? `missing "id"` : `"id" is ${describe(o.id)}, not a non-empty string` } };
  if (seen) {
    const first = seen.get(id);
    if (first !== undefined) return { error: { line, message: `duplicate id "${id}" (first on line ${first})` } };
  }
  if (!Array.isArray(o.samples)) return { error: { line, message: o.samples === undefined ? `prompt "${id}": missing "samples"` : `prompt "${id}": "samples" is ${describe(o.samples)}, not an array` } };
  if (o.samples.length === 0) return { error: { line, message: `prompt "${id}": "samples" is empty` } };
  if (o.prompt !== undefined && o.prompt !== null && typeof o.prompt !== "string") return { error: { line, message: `prompt "${id}": "prompt" is ${describe(o.prompt)}, not a string` } };
  if (o.system !== undefined && o.system !== null && typeof o.system !== "string") return { error: { line, message: `prompt "${id}": "system" is ${describe(o.system)}, not a string` } };
  if (o.reference !== undefined && o.reference !== null && typeof o.reference !== "string" && typeof o.reference !== "number")
    return { error: { line, message: `prompt "${id}": "reference" is ${describe(o.reference)}, not a string or a number` } };
  const warnings: LineProblem[] = [];
  const samples: Sample[] = [];
  o.samples.forEach((s, i) => {
    const problem = sampleProblem(s);
    if (problem) warnings.push({ line, message: `prompt "${id}": sample ${i} ${problem}; sample skipped` });
    else {
      const so = present(s as object);
      const sample: Sample = {};
      if (typeof so.text === "string") sample.text = so.text;
      if (typeof so.thinking === "string") sample.thinking = so.thinking;
      if ("answer" in so && so.answer !== undefined) sample.answer = so.answer as string | number | null;
      if (typeof so.correct === "boolean") sample.correct = so.correct;
      if (so.probs !== undefined) sample.probs = so.probs as Record<string, number>;
      if (Array.isArray(so.steps)) sample.steps = so.steps.map((st) => stepOf(st as Record<string, unknown>));
      if (typeof so.reward === "number") sample.reward = so.reward;
      if (so.outcomes !== undefined) sample.outcomes = so.outcomes as Record<string, number>;
      samples.push(sample);
    }
  });
  if (samples.length === 0) {
    const first = warnings[0]!.message.replace(/^prompt "[^"]*": /, "").replace(/; sample skipped$/, "");
    const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more like it)` : "";
    return { error: { line, message: `prompt "${id}": no usable sample: ${first}${more}` } };
  }
  seen?.set(id, line);
  const record: PromptRecord = { id, samples };
  if (typeof o.prompt === "string") record.prompt = o.prompt;
  if (typeof o.system === "string") record.system = o.system;
  if (typeof o.reference === "string" || typeof o.reference === "number") record.reference = o.reference;
  if (typeof o.model === "string") record.model = o.model;
  if (o.benchmark !== undefined && o.benchmark !== null) {
    const problem = benchmarkProblem(o.benchmark);
    if (problem) return { error: { line, message: `prompt "${id}": "benchmark" ${problem}` } };
    record.benchmark = o.benchmark as OptimizerSpec;
  }
  if (o.answerSpec !== undefined && o.answerSpec !== null) {
    // a spec that cannot be read is refused by name: other classes would be other figures
    const read = readAnswerSpec(o.answerSpec);
    if ("problem" in read) return { error: { line, message: `prompt "${id}": "answerSpec" ${read.problem}` } };
    if (read.spec.extract || read.spec.compare) record.answerSpec = read.spec;
  }
  return { record, warnings };
}

/**
 * The prompt `id` of a trace set's text, read line by line until it is found (a malformed line
 * before it is passed over, as the analysis skips it), or why not: no such prompt (naming a few
 * that are there), or a text that holds no prompt at all.
 */
export function findTraceRecord(text: string, id: string, name = "the trace set"): PromptRecord | { error: string } {
  const seen = new Map<string, number>();
  const ids: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseTraceLine(lines[i]!, i + 1, seen);
    if (!parsed || !("record" in parsed)) continue;
    if (parsed.record.id === id) return parsed.record;
    ids.push(parsed.record.id);
  }
  return { error: `${name} has no prompt "${id}"${ids.length ? ` (it has ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""})` : ": is it a trace set?"}` };
}

/**
 * Every tool call of a trace set's trajectories, in file order: what the tools of an agent that
 * declared none (τ-bench's results) are inferred from, so that a rerun from one of its runs may
 * call any tool the agent was seen to have.
 */
export function traceSetCalls(text: string): TrajectoryStep[] {
  const out: TrajectoryStep[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseTraceLine(lines[i]!, i + 1);
    if (!parsed || !("record" in parsed)) continue;
    for (const s of parsed.record.samples) for (const st of s.steps ?? []) if (st.kind === "tool_call") out.push(st);
  }
  return out;
}
