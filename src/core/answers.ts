// Answers: normalisation to a class key (METRICS.md §2), extraction from text when a sample
// has no `answer`, and answer classes with the reference class (METRICS.md §3).
import type { AnswerClass, Sample } from "./types";
import { renderTrajectory } from "./trajectory";
import { classKeys, effectiveCompare, effectiveExtract, extractAnswer as extractBySpec, type AnswerSpec } from "./answerspec";

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/;

/** The canonical key of a number: 18 and 18.0 are both "18"; -0 is "0". */
export function numberKey(x: number): string {
  return Object.is(x, -0) ? "0" : String(x);
}

/** If the whole string is `\boxed{X}` (braces balanced), X; otherwise null. */
function unboxWhole(s: string): string | null {
  if (!s.startsWith("\\boxed{") || !s.endsWith("}")) return null;
  let depth = 0;
  for (let i = 6; i < s.length; i++) {
    const c = s[i];
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i === s.length - 1 ? s.slice(7, -1) : null;
    }
  }
  return null;
}

/**
 * The class key of an answer (METRICS.md §2), or null for "no answer".
 * Numbers and numeric strings share keys: 18, "18.0", "$18", "1,8" → "18".
 */
export function normalizeAnswer(answer: unknown): string | null {
  if (answer === undefined || answer === null) return null;
  if (typeof answer === "number") return Number.isFinite(answer) ? numberKey(answer) : null;
  if (typeof answer !== "string") return null;
  let s = answer.normalize("NFKC").trim();
  const boxed = unboxWhole(s);
  if (boxed !== null) s = boxed;
  if (s.length >= 2 && s.startsWith("$") && s.endsWith("$")) s = s.slice(1, -1);
  s = s.toLowerCase().replace(/\s+/gu, "");
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s === "") return null;
  const bare = s.replace(/[$,]/g, "");
  if (PLAIN_NUMBER.test(bare)) {
    const x = Number(bare);
    if (Number.isFinite(x)) return numberKey(x);
  }
  return s;
}

/** The content of the last complete `\boxed{…}` in a text (balanced braces), or null. */
function lastBoxed(text: string): string | null {
  for (let at = text.lastIndexOf("\\boxed{"); at >= 0; at = at > 0 ? text.lastIndexOf("\\boxed{", at - 1) : -1) {
    let depth = 0;
    for (let i = at + 6; i < text.length; i++) {
      const c = text[i];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) return text.slice(at + 7, i);
    }
  }
  return null;
}

const ANSWER_LINE = /(?:\banswer\s*:|\banswer\s+is\b:?)\s*(.*)$/i;
const NUMBER_IN_TEXT = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+/g;

export interface Extracted {
  answer: string | null;
  how: "boxed" | "answer-line" | "last-number" | "none";
}

/**
 * Extracts an answer from text when a sample has no `answer` field (METRICS.md §2): the last
 * `\boxed{}`, else the last `Answer:` / `answer is` line (what follows the marker on that line),
 * else the last number in the text.
 */
export function extractAnswer(text: string): Extracted {
  const boxed = lastBoxed(text);
  if (boxed !== null && boxed.trim() !== "") return { answer: boxed, how: "boxed" };
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = ANSWER_LINE.exec(lines[i] ?? "");
    // Markdown emphasis around the marker or the answer ("**Answer:** $18", "is **18**.") is not part of it.
    const rest = (m?.[1] ?? "").replace(/^[\s*_`]+|[\s*_`]+$/g, "").replace(/^(.*?)[*_`]+([.!]?)$/, "$1$2");
    if (rest !== "") return { answer: rest, how: "answer-line" };
  }
  const numbers = text.match(NUMBER_IN_TEXT);
  if (numbers && numbers.length > 0) return { answer: numbers[numbers.length - 1] ?? null, how: "last-number" };
  return { answer: null, how: "none" };
}

/** Whether a sample is a trajectory: it has at least one step (FORMATS.md "Trajectories"). */
export function isTrajectory(sample: Sample): boolean {
  return sample.steps !== undefined && sample.steps.length > 0;
}

/**
 * The reasoning trace of a sample: a trajectory's steps rendered one after another (see
 * trajectory.ts `renderTrajectory`) when it has any, else `thinking` when present, else `text`
 * (FORMATS.md).
 */
export function traceOf(sample: Sample): string {
  if (isTrajectory(sample)) return renderTrajectory(sample.steps!).trace;
  return typeof sample.thinking === "string" ? sample.thinking : (sample.text ?? "");
}

/** A run is correct when its reward is at least this (METRICS.md §11). */
export const REWARD_CORRECT = 1 - 1e-6;

/**
 * A sample's correctness flag: `correct` when given, else from `reward` (correct when
 * reward ≥ 1 − 1e-6, METRICS.md §11), else undefined (no flag).
 */
export function correctOf(sample: Sample): boolean | undefined {
  if (typeof sample.correct === "boolean") return sample.correct;
  if (typeof sample.reward === "number") return sample.reward >= REWARD_CORRECT;
  return undefined;
}

export interface SampleAnswer {
  raw: string | null;
  key: string | null;
  extracted: boolean;
  /** Why an answer spec's extraction found none (answerspec.ts `extractAnswer`). */
  reason?: string;
}

/** The visible reply an answer is extracted from: a trajectory's last non-empty `text` step, else `text`, else the thinking. */
function answerSource(sample: Sample): string {
  let source = typeof sample.text === "string" ? sample.text : (sample.thinking ?? "");
  if (sample.steps !== undefined)
    for (let i = sample.steps.length - 1; i >= 0; i--) {
      const st = sample.steps[i]!;
      if (st.kind === "text" && typeof st.text === "string" && st.text.trim() !== "") {
        source = st.text;
        break;
      }
    }
  return source;
}

/**
 * The answer of one sample: its `answer` field, or extracted from the visible text: a
 * trajectory's last non-empty `text` step, else the sample's `text`, else its thinking.
 */
export function answerOf(sample: Sample): SampleAnswer {
  if ("answer" in sample && sample.answer !== undefined) {
    const raw = sample.answer === null ? null : String(sample.answer);
    return { raw, key: normalizeAnswer(sample.answer), extracted: false };
  }
  // The answer lives in the visible reply; a sample with only thinking is read from it.
  const source = answerSource(sample);
  const ex = extractAnswer(source);
  return { raw: ex.answer, key: normalizeAnswer(ex.answer), extracted: true };
}

/**
 * The answers of a prompt's samples by an answer spec (answerspec.ts), and the reference's key
 * by the same comparison: a sample's `answer` field is its answer as given; otherwise the
 * spec's extraction reads the reply (METRICS.md §2's when the spec has none); the spec's
 * comparison keys them all together (a numeric tolerance clusters them).
 */
export function answersBySpec(samples: readonly Sample[], spec: AnswerSpec, reference: unknown): { answers: SampleAnswer[]; referenceKey: string | null } {
  const extract = effectiveExtract(spec);
  const values: unknown[] = [];
  const answers: SampleAnswer[] = samples.map((sample) => {
    if ("answer" in sample && sample.answer !== undefined) {
      values.push(sample.answer);
      return { raw: sample.answer === null ? null : String(sample.answer), key: null, extracted: false };
    }
    const source = answerSource(sample);
    if (extract === null) {
      const ex = extractAnswer(source);
      values.push(ex.answer);
      return { raw: ex.answer, key: null, extracted: true };
    }
    const ex = extractBySpec(source, extract);
    values.push(ex.answer);
    return ex.answer === null ? { raw: null, key: null, extracted: true, reason: ex.reason } : { raw: ex.answer, key: null, extracted: true };
  });
  const keyed = classKeys(values, effectiveCompare(spec), reference);
  answers.forEach((a, i) => (a.key = keyed.keys[i] ?? null));
  return { answers, referenceKey: keyed.referenceKey };
}

export interface Classification {
  target: "flags" | "reference" | "none";
  referenceKey: string | null;
  /** Classes in display order: the reference class first (when there is a target), then by count. */
  classes: AnswerClass[];
  /** Index of the reference class in `classes`, or -1 without a target. */
  refIndex: number;
  /** For each sample, its class index. */
  classOf: number[];
  /** For each sample: correct or not, null without a target. */
  correct: (boolean | null)[];
  answers: SampleAnswer[];
}

/**
 * Label of the reference class when correctness comes from flags and there is no reference,
 * unless every correct sample gave the same answer (an imported agent run's "reward=1"): then
 * that answer's key names the class.
 */
export const CORRECT_CLASS_LABEL = "(correct)";

/**
 * The one answer key every correct sample shares and no wrong sample has, or null (they differ,
 * one has none, or a wrong sample gave it too: two classes must not read the same).
 */
function sharedKey(answers: readonly SampleAnswer[], correct: readonly (boolean | null)[]): string | null {
  let key: string | null = null;
  for (let i = 0; i < answers.length; i++) {
    if (correct[i] !== true) continue;
    const k = answers[i]!.key;
    if (k === null || (key !== null && k !== key)) return null;
    key = k;
  }
  for (let i = 0; i < answers.length; i++) if (correct[i] === false && answers[i]!.key === key) return null;
  return key;
}

/**
 * Answer classes and the target (METRICS.md §3). With `referenceFree`, flags and reference are
 * ignored and there is no target. A sample's flag is `correct`, else its `reward` (correctOf).
 * With `spec`, answers are extracted and compared by it (answersBySpec).
 */
export function classify(samples: Sample[], reference: unknown, referenceFree = false, spec?: AnswerSpec): Classification {
  // with an answer spec, its extraction and comparison (answerspec.ts); else METRICS.md §2
  const bySpec = spec ? answersBySpec(samples, spec, referenceFree ? undefined : reference) : null;
  const answers = bySpec ? bySpec.answers : samples.map(answerOf);
  // flags: `correct`, or a trajectory's `reward` (correctOf)
  const flags = samples.map(correctOf);
  const hasFlags = !referenceFree && flags.some((f) => f !== undefined);
  const referenceKey = referenceFree ? null : bySpec ? bySpec.referenceKey : normalizeAnswer(reference);
  const target: Classification["target"] = hasFlags ? "flags" : referenceKey !== null ? "reference" : "none";

  // Class identity is (isReference, key): a wrong sample whose key equals the reference's key
  // stays out of the reference class when flags decide.
  const REF = "\u0000ref";
  const NONE = "\u0000none";
  const ids: string[] = [];
  const correct: (boolean | null)[] = [];
  for (let i = 0; i < samples.length; i++) {
    const key = answers[i]!.key;
    let isRef: boolean | null = null;
    if (target === "flags") isRef = flags[i] === true;
    else if (target === "reference") isRef = key === referenceKey;
    correct.push(isRef);
    ids.push(isRef ? REF : key === null ? NONE : `k:${key}`);
  }

  const counts = new Map<string, { count: number; first: number; examples: string[] }>();
  if (target !== "none") counts.set(REF, { count: 0, first: -1, examples: [] });
  ids.forEach((id, i) => {
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { count: 0, first: i, examples: [] }));
    if (c.first < 0) c.first = i;
    c.count++;
    const raw = answers[i]!.raw;
    if (raw !== null && c.examples.length < 3 && !c.examples.includes(raw)) c.examples.push(raw);
  });

  const order = [...counts.keys()].sort((a, b) => {
    if (a === REF) return -1;
    if (b === REF) return 1;
    const ca = counts.get(a)!;
    const cb = counts.get(b)!;
    return cb.count - ca.count || ca.first - cb.first;
  });
  const indexOf = new Map(order.map((id, i) => [id, i]));
  const classes: AnswerClass[] = order.map((id) => {
    const c = counts.get(id)!;
    const key = id === REF ? (referenceKey ?? sharedKey(answers, correct) ?? CORRECT_CLASS_LABEL) : id === NONE ? null : id.slice(2);
    return { key, count: c.count, reference: id === REF, examples: c.examples };
  });
  return {
    target,
    referenceKey,
    classes,
    refIndex: target === "none" ? -1 : 0,
    classOf: ids.map((id) => indexOf.get(id)!),
    correct,
    answers,
  };
}
