// Run files (`hotmess.run/1`): what the product records when it reruns a prompt. JSON Lines: a
// header (the prompt, provider, model, parameters, time, tool version; never a key), then one
// line per finished sample, appended as each finishes, failures as they happen, and an end line
// when the run stops. A crash can leave at most one torn last line: readers skip it with a
// warning. Reading is pure (text in, records out); writing lives in src/sampling/store.ts.
import { readAnswerSpec, type AnswerSpec } from "./answerspec";
import type { Conversation } from "./conversation";
import { readSteps } from "./traceset";
import type { OptimizerSpec, TrajectoryStep } from "./types";

export const RUN_SCHEMA = "hotmess.run/1";

export interface RunHeader {
  type: "header";
  schema: typeof RUN_SCHEMA;
  /** The run's id (also the prompt id when analysed). */
  id: string;
  createdAt: string;
  tool: { name: string; version: string };
  provider: string;
  model: string;
  /** A non-default endpoint (never with credentials in it). */
  baseURL?: string;
  prompt: string;
  system?: string;
  reference?: string | number;
  /** A hash of the prompt text, so editors can find the runs of a prompt. */
  promptHash?: string;
  /** The optimizer-emulation problem, for benchmark runs. */
  benchmark?: OptimizerSpec;
  /**
   * A run that samples an agent's next action: the conversation prefix every sample continued
   * (its tools declared). `prompt` then says where it came from, for people.
   */
  conversation?: Conversation;
  /**
   * The action expected next (`--reference`): a tool's name (any call of it) or a full action
   * key (`name` + canonical JSON arguments); a sample is correct when its first tool call matches.
   */
  expectedAction?: string;
  /**
   * Where the prompt came from, when it came from a prompt file: the file (relative to the
   * workspace folder), the prompt's position in it, and its front-matter id. Lets an editor say
   * "stale" when the prompt was changed after its run.
   */
  source?: { file: string; prompt: number; id?: string };
  /**
   * How the run is analysed: the seed of its intervals, written when the run is created so that
   * every face (the live view, a reopened run, the CodeLens, `hotmess analyze`, the exports)
   * shows the same interval. Absent in files written before it was recorded: seed 1.
   */
  analysis?: { seed: number };
  /**
   * How the run's answers are extracted and compared (src/core/answerspec.ts), when not by
   * METRICS.md §2: a prompt file's `answer:` / `compare:`, `hotmess run --answer/--compare`.
   */
  answerSpec?: AnswerSpec;
  parameters: {
    n: number;
    maxTokens: number;
    temperature?: number;
    thinking: { type: string; budgetTokens?: number };
    concurrency: number;
    idleTimeoutMs: number;
    untilCi?: number;
  };
  /**
   * A rollout (`hotmess run --steps K`): each sample went on for up to `steps` actions, tool
   * results from the replay table read from `replay` (a file's name) and then from the tool
   * command `command` (its program only: never its arguments or environment), killed after
   * `timeoutMs`. `replayResults` is what the table held (calls read, calls with a result,
   * distinct call keys, keys with more than one result).
   */
  rollout?: {
    steps: number;
    replay?: string;
    /** The prompt of `replay` whose runs were read, when not all (a rerun from a point of that task). */
    replayTask?: string;
    replayResults?: { calls: number; answered: number; keys: number; ambiguous: number };
    command?: string;
    timeoutMs?: number;
  };
}

export interface RunSampleLine {
  type: "sample";
  index: number;
  text: string;
  thinking: string;
  redactedThinking: number;
  usage: {
    inputTokens: number;
    outputTokens: number;
    thinkingTokens?: number;
    /** Of inputTokens, read from the provider's prompt cache. */
    cacheReadTokens?: number;
    /** Of inputTokens, written to the prompt cache. */
    cacheWriteTokens?: number;
  };
  costUsd: number | null;
  latencyMs: number;
  retries: number;
  truncated: boolean;
  stopReason: string;
  finishedAt: string;
  /**
   * The reply as a trajectory's steps (reasoning, text, tool calls in the order they came), when
   * the run continued a conversation or the model called a tool: the next assistant turn. In a
   * rollout (`rollout` in the header), every turn's steps in order, each call's result as a
   * tool_result step (paired by id) between one turn and the next.
   */
  steps?: TrajectoryStep[];
  /** How a rollout's sample ended (only in a rollout: `rollout` in the header). */
  rolloutStop?: RolloutStop;
}

/**
 * Why a rollout's sample ended: "answered" (a turn without a tool call), "steps" (the turn that
 * reached the most actions asked for), "no-result" (a call with no recorded result and no tool
 * command: `call` is its action key), "truncated" (a turn stopped at max tokens), "error" (the
 * tool command could not be started: `message` says why, `call` names the call).
 */
export interface RolloutStop {
  reason: "answered" | "steps" | "no-result" | "truncated" | "error";
  /** The action key (tool name + canonical JSON arguments) of the call it stopped at. */
  call?: string;
  message?: string;
  /** Turns sampled. */
  turns: number;
  /** Tool calls made (over all turns). */
  actions: number;
  /** Where the results given came from: the replay table, the tool command; `ambiguous` of the replayed ones had other results recorded for the same call (the first recorded was given). */
  results: { replay: number; command: number; ambiguous: number };
}

export interface RunFailureLine {
  type: "failure";
  index: number;
  /** The failure's kind (src/sampling/types.ts FailureKind: auth, request, rate_limit, connection, …). */
  kind: string;
  /** What went wrong, in the API's own words where it gave any (keys redacted). */
  message: string;
  attempts: number;
  /** The HTTP status the server answered with, when it answered. */
  status?: number;
  /** Where the request went (the endpoint, never with credentials or a query). */
  url?: string;
  /** The server's request id, for a support ticket. */
  requestId?: string;
  /** Whether trying again later may succeed (`hotmess run --resume`, the view's Retry). */
  retryable?: boolean;
  /** What the server asked to wait before retrying, in ms, when it asked for more than the cap. */
  retryAfterMs?: number;
  /** What the model had said before the failure (an error mid-stream), kept so it can be read. */
  partial?: { text: string; thinking: string };
}

export interface RunEndLine {
  type: "end";
  /**
   * complete: every sample finished; partial: some finished and some failed (resume to finish);
   * failed: the run stopped on an error, or no sample finished; cancelled: the user stopped it.
   */
  status: "complete" | "partial" | "cancelled" | "failed";
  message?: string;
  stoppedEarly?: boolean;
  finishedAt: string;
}

/**
 * Semantic answer classes (src/core/semantic.ts): a judge's verdicts on pairs of answers (the
 * visible replies), and the user's manual choices (`overrides`: a reply's text → the text whose
 * class it joins, itself for a class of its own). Appended by `hotmess classes`; lines
 * accumulate, a later verdict on a pair or choice for a text replacing an earlier one, and a
 * manual choice winning over any verdict.
 */
export interface RunVerdictsLine {
  type: "verdicts";
  /** The judge: a model name, or "simulated-judge"; "manual" for a line of choices only. */
  judge: string;
  verdicts: [string, string, boolean][];
  overrides?: Record<string, string>;
  costUsd?: number | null;
  /** The judge stopped before the classes were decided (cancelled, a failed request): its verdicts count when it is asked again, but it did not make the classes. */
  partial?: true;
  at: string;
}

/**
 * A reference chosen after the run (the view's Set as reference): it stands for the header's
 * `reference` from then on, the last such line winning.
 */
export interface RunReferenceLine {
  type: "reference";
  reference: string;
  at: string;
}

export interface ParsedRun {
  header: RunHeader;
  samples: RunSampleLine[];
  failures: RunFailureLine[];
  end: RunEndLine | null;
  /** Semantic classes' verdict lines, in file order (absent or empty: none). */
  verdicts?: RunVerdictsLine[];
  /** The last reference line, whose reference the header now carries (absent: none). */
  referenceSet?: RunReferenceLine;
  /** Lines skipped, with why (a torn last line after a crash, or a malformed one). */
  warnings: { line: number; message: string }[];
  /** Byte length of the text up to the end of the last good line (for appending after a crash). */
  goodLength: number;
  /** The last good line has no newline after it. */
  missingNewline: boolean;
}

/** Whether a file's first line says it is a run file. */
export function isRunFile(firstLine: string): boolean {
  try {
    const v = JSON.parse(firstLine) as { schema?: unknown; type?: unknown };
    return v?.type === "header" && typeof v.schema === "string" && v.schema.startsWith("hotmess.run/");
  } catch {
    return false;
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * What is wrong with a header's `analysis`, or null. A seed that cannot be read is refused by
 * name rather than replaced: another seed would show other intervals than the run's.
 */
function analysisProblem(v: unknown): string | null {
  if (v === undefined) return null;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return `analysis is ${JSON.stringify(v)}, not an object like {"seed": 1}`;
  const seed = (v as { seed?: unknown }).seed;
  if (typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0) return null;
  return `analysis.seed is ${seed === undefined ? "missing" : JSON.stringify(seed)}, not a whole number ≥ 0: correct it, or remove "analysis" to use seed 1`;
}

/**
 * Reads JSON Lines as a writer that appends them leaves them: each object line to `visit` with
 * its 0-based index (which may throw), a line that is not JSON skipped with a warning (a torn
 * last one after a crash said so), and the byte length up to the end of the last good line, for
 * a writer that appends after cutting a torn line off. Shared by run and sweep files.
 */
export function readJsonLines(text: string, what: string, visit: (v: Record<string, unknown>, index: number) => void): { warnings: { line: number; message: string }[]; goodLength: number; missingNewline: boolean } {
  const lines = text.split("\n");
  const warnings: { line: number; message: string }[] = [];
  let goodLength = 0;
  let offset = 0;
  let missingNewline = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const isLast = i === lines.length - 1;
    const lineBytes = utf8Length(raw) + (isLast ? 0 : 1);
    const trimmed = raw.trim();
    if (trimmed === "") {
      offset += lineBytes;
      if (!isLast) goodLength = offset;
      continue;
    }
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      const torn = isLast || lines.slice(i + 1).every((l) => l.trim() === "");
      warnings.push({ line: i + 1, message: torn ? `the last line is incomplete (the ${what} was interrupted while writing it); skipped` : "not valid JSON; skipped" });
      offset += lineBytes;
      continue;
    }
    offset += lineBytes;
    goodLength = offset;
    // a complete JSON object without its newline: kept; a writer appending must add the newline
    if (isLast) missingNewline = true;
    visit(v, i);
  }
  return { warnings, goodLength, missingNewline };
}

/** Parses a run file. Throws with a clear message when the header is missing or not a run header. */
export function parseRunFile(text: string): ParsedRun {
  let header: RunHeader | null = null;
  const samples: RunSampleLine[] = [];
  const failures: RunFailureLine[] = [];
  const verdicts: RunVerdictsLine[] = [];
  let end: RunEndLine | null = null;
  let referenceSet: RunReferenceLine | null = null;
  const found: { line: number; message: string }[] = [];
  const warn = (w: { line: number; message: string }) => found.push(w);
  const read = readJsonLines(text, "run", (v, i) => {
    if (header === null) {
      if (v.type !== "header" || typeof v.schema !== "string" || !v.schema.startsWith("hotmess.run/"))
        throw new Error(`line ${i + 1}: not a run file (the first line is not a hotmess.run header)`);
      if (typeof v.id !== "string" || typeof v.prompt !== "string") throw new Error(`line ${i + 1}: the run header has no id or prompt`);
      const seedProblem = analysisProblem(v.analysis);
      if (seedProblem) throw new Error(`line ${i + 1}: the run header's ${seedProblem}`);
      header = v as unknown as RunHeader;
      if (v.answerSpec !== undefined && v.answerSpec !== null) {
        // refused by name rather than dropped, as the seed is: other classes would be other figures
        const read = readAnswerSpec(v.answerSpec);
        if ("problem" in read) throw new Error(`line ${i + 1}: the run header's answerSpec ${read.problem}: correct it, or remove "answerSpec" to compare answers by METRICS.md §2`);
        header.answerSpec = read.spec;
      } else delete header.answerSpec;
      return;
    }
    if (v.type === "sample" && typeof v.index === "number" && typeof v.text === "string") {
      const sample = v as unknown as RunSampleLine;
      if (v.steps !== undefined) {
        const read = readSteps(v.steps);
        if ("problem" in read) {
          warn({ line: i + 1, message: `sample ${v.index}: ${read.problem}; its steps are left out (its text is kept)` });
          delete sample.steps;
        } else sample.steps = read.steps;
      }
      samples.push(sample);
    }
    else if (v.type === "failure" && typeof v.index === "number") failures.push(v as unknown as RunFailureLine);
    else if (v.type === "end") end = v as unknown as RunEndLine;
    else if (v.type === "verdicts") {
      const ok = typeof v.judge === "string" && Array.isArray(v.verdicts) && v.verdicts.every((x) => Array.isArray(x) && x.length === 3 && typeof x[0] === "string" && typeof x[1] === "string" && typeof x[2] === "boolean");
      const o = v.overrides;
      const okO = o === undefined || (o !== null && typeof o === "object" && !Array.isArray(o) && Object.values(o).every((t) => typeof t === "string"));
      if (ok && okO) verdicts.push(v as unknown as RunVerdictsLine);
      else warn({ line: i + 1, message: "a verdicts line that is not {judge, verdicts: [[a, b, true|false]…], overrides?}; skipped" });
    }
    else if (v.type === "reference") {
      if (typeof v.reference === "string" && v.reference.trim() !== "") referenceSet = v as unknown as RunReferenceLine;
      else warn({ line: i + 1, message: "a reference line without a reference; skipped" });
    }
    else if (v.type === "sample") warn({ line: i + 1, message: "a sample line without index or text; skipped" });
    // other line types (from a newer version) are ignored
  });
  if (header === null) throw new Error("empty run file: no header line");
  const h = header as RunHeader;
  const ref = referenceSet as RunReferenceLine | null;
  if (ref) h.reference = ref.reference;
  const warnings = [...read.warnings, ...found].sort((a, b) => a.line - b.line);
  return { header: h, samples, failures, end, ...(verdicts.length ? { verdicts } : {}), ...(ref ? { referenceSet: ref } : {}), warnings, goodLength: read.goodLength, missingNewline: read.missingNewline };
}

/** A run's sample lines in the order of their recorded index (a file holds them in the order they finished). */
export function samplesByIndex<S extends { index: number }>(samples: readonly S[]): S[] {
  return [...samples].sort((a, b) => a.index - b.index);
}
