// Reading trace sets (FORMATS.md): one prompt per JSON line. A malformed line is named by its
// number and skipped; a malformed sample inside a good line is named and dropped; unknown
// fields are ignored, never an error.
import type { OptimizerSpec, PromptRecord, Sample } from "./types";

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

/**
 * A sample's known fields, an optional field written as null (as many tools do for "not there")
 * being absent; `answer: null` stays (no answer given). Read field by field: this runs once per
 * sample, and copying every sample's entries was a tenth of parsing a large set.
 */
function present(s: object): { text?: unknown; thinking?: unknown; answer?: unknown; correct?: unknown; probs?: unknown } {
  const r = s as Record<string, unknown>;
  const o: { text?: unknown; thinking?: unknown; answer?: unknown; correct?: unknown; probs?: unknown } = {};
  if (Object.hasOwn(r, "text") && r.text !== null) o.text = r.text;
  if (Object.hasOwn(r, "thinking") && r.thinking !== null) o.thinking = r.thinking;
  if (Object.hasOwn(r, "answer")) o.answer = r.answer;
  if (Object.hasOwn(r, "correct") && r.correct !== null) o.correct = r.correct;
  if (Object.hasOwn(r, "probs") && r.probs !== null) o.probs = r.probs;
  return o;
}

function sampleProblem(s: unknown): string | null {
  if (s === null || typeof s !== "object" || Array.isArray(s)) return `is ${describe(s)}, not an object`;
  const o = present(s);
  if (o.text !== undefined && typeof o.text !== "string") return `"text" is ${describe(o.text)}, not a string`;
  if (o.thinking !== undefined && typeof o.thinking !== "string") return `"thinking" is ${describe(o.thinking)}, not a string`;
  if (typeof o.text !== "string" && typeof o.thinking !== "string") return `has neither "text" nor "thinking"`;
  if (o.answer !== undefined && o.answer !== null && typeof o.answer !== "string" && !(typeof o.answer === "number" && Number.isFinite(o.answer)))
    return `"answer" is ${describe(o.answer)}, not a string or a number`;
  if (o.correct !== undefined && o.correct !== null && typeof o.correct !== "boolean") return `"correct" is ${describe(o.correct)}, not true or false`;
  if (o.probs !== undefined) {
    if (o.probs === null || typeof o.probs !== "object" || Array.isArray(o.probs)) return `"probs" is ${describe(o.probs)}, not an object of probabilities`;
    for (const [k, v] of Object.entries(o.probs as Record<string, unknown>))
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) return `"probs"."${k}" is ${JSON.stringify(v)}, not a probability in [0, 1]`;
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
  if (typeof o.reference === "string" || typeof o.reference === "number") record.reference = o.reference;
  if (typeof o.model === "string") record.model = o.model;
  if (o.benchmark !== undefined && o.benchmark !== null) {
    const problem = benchmarkProblem(o.benchmark);
    if (problem) return { error: { line, message: `prompt "${id}": "benchmark" ${problem}` } };
    record.benchmark = o.benchmark as OptimizerSpec;
  }
  return { record, warnings };
}
