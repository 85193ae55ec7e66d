// Sweep files (`hotmess.sweep/1`): one run file holding every prompt of a sweep (`hotmess run
// --prompts FILE -n N`), live or through a provider's batch API. JSON Lines:
//   {"type":"sweep", …}       the header: provider, model, parameters, mode, how many prompts
//   {"type":"prompt", …}      one per prompt, in order: its key (p0, p1, …), id, text, reference
//   {"type":"submit", …}      a batch about to be created: written BEFORE the request is sent
//   {"type":"batch", …}       the batch the provider created for it: its id, written as soon as
//                             the provider answers, before anything else
//   {"type":"refused", …}     the provider refused to create it: nothing of it was sent
//   {"type":"status", …}      a batch's counts, when they change
//   {"type":"sample", …}      a reply, as a run file's sample line with `prompt` (the key)
//   {"type":"failure", …}     a request that got no reply, with `prompt` (and `batchId`)
//   {"type":"collected", …}   every result of a batch has been written
//   {"type":"end", …}         the sweep stopped (complete, partial, cancelled, failed)
// A request is `${key}-r${index}` (its custom_id in a batch). Reading is pure; each prompt's lines
// make a ParsedRun, so every face analyses a sweep's prompts as it does runs.
import type { AnswerSpec } from "./answerspec";
import { readSteps } from "./traceset";
import { readJsonLines, type ParsedRun, type RunEndLine, type RunFailureLine, type RunHeader, type RunSampleLine } from "./runfile";

export const SWEEP_SCHEMA = "hotmess.sweep/1";

/** Its id, time, tool, provider, model and endpoint are a run header's (each prompt's run has them). */
export interface SweepHeader extends Pick<RunHeader, "id" | "createdAt" | "tool" | "provider" | "model" | "baseURL"> {
  type: "sweep";
  schema: typeof SWEEP_SCHEMA;
  /** live: streamed requests; batch: the provider's batch API. */
  mode: "live" | "batch";
  /** Where the prompts came from (a file or folder as given). */
  source?: string;
  /** How many prompt lines follow the header. */
  prompts: number;
  analysis: { seed: number };
  answerSpec?: AnswerSpec;
  parameters: RunHeader["parameters"];
}

export interface SweepPromptLine {
  type: "prompt";
  /** The prompt's key in request ids: p0, p1, … in file order. */
  key: string;
  /** The prompt's id (the prompts file's `id`, a prompt file's front-matter id, else made from its place). */
  id: string;
  prompt: string;
  system?: string;
  reference?: string | number;
  promptHash?: string;
  /** How this prompt's answers are extracted and compared, when not as the sweep's (a trace set line's answerSpec). */
  answerSpec?: AnswerSpec;
  /** A prompt file the prompt was read from (relative to the sweep's source), with its position in it. */
  source?: { file: string; prompt: number; id?: string };
}

/** Requests of a batch: a range of the sweep's request order (prompt by prompt, index by index), or a list of request ids (a resubmission). */
export type SweepRequests = { from: number; count: number } | { ids: string[] };

export interface SweepSubmitLine {
  type: "submit";
  /** The submission's number in the file (0, 1, …): its batch line names it. */
  part: number;
  requests: SweepRequests;
  /** How many requests (also for a range). */
  count: number;
  /** Batch ids whose failed requests this resubmits. */
  resubmits?: string[];
  at: string;
}

export interface SweepBatchLine {
  type: "batch";
  part: number;
  batchId: string;
  /** Found at the provider after the process stopped before recording it (recoverUnrecorded). */
  adopted?: true;
  at: string;
}

export interface SweepStatusLine {
  type: "status";
  batchId: string;
  state: "in_progress" | "canceling" | "ended" | "failed";
  providerStatus: string;
  counts: { processing: number; succeeded: number; errored: number; expired: number; canceled: number };
  message?: string;
  at: string;
}

export interface SweepCollectedLine {
  type: "collected";
  batchId: string;
  succeeded: number;
  failed: number;
  at: string;
}

export type SweepSampleLine = RunSampleLine & { prompt: string; batchId?: string };
export type SweepFailureLine = RunFailureLine & { prompt: string; batchId?: string };

/** A batch as the file tells it: its submission, id, last status, whether its results are all in. */
export interface SweepBatch {
  part: number;
  submit: SweepSubmitLine;
  batchId: string | null;
  status: SweepStatusLine | null;
  collected: SweepCollectedLine | null;
  /** The provider refused to create it (its message): none of its requests were sent. */
  refused?: string;
}

export interface ParsedSweep {
  header: SweepHeader;
  prompts: SweepPromptLine[];
  batches: SweepBatch[];
  /** Per prompt key: its samples by index (the first recorded wins), its failures in file order. */
  samples: Map<string, Map<number, SweepSampleLine>>;
  failures: Map<string, SweepFailureLine[]>;
  end: RunEndLine | null;
  warnings: { line: number; message: string }[];
  goodLength: number;
  missingNewline: boolean;
  /**
   * Set when a batch's results were collected into this sweep in memory: it then knows which
   * requests were answered, not their replies (never held whole), which are read from the file.
   */
  slim?: boolean;
}

/** The last k items (none for k ≤ 0: slice(-0) would be all of them). */
function lastOf<T>(items: readonly T[], k: number): T[] {
  return k <= 0 ? [] : items.slice(-k);
}

/** A request's id (its custom_id in a batch). */
export function requestId(key: string, index: number): string {
  return `${key}-r${index}`;
}

/**
 * A request's custom_id in a batch: the request id after a token of the sweep's id
 * (`mxbdpch2_p3-r7`), so that a batch is known to be this sweep's by its results, whatever else
 * the account submits.
 */
export function batchCustomId(sweepId: string, key: string, index: number): string {
  return `${sweepToken(sweepId)}_${requestId(key, index)}`;
}

/** The part of a sweep's id its custom ids start with: up to 16 letters and digits. */
export function sweepToken(sweepId: string): string {
  return sweepId.replace(/[^A-Za-z0-9]/g, "").slice(-16) || "sweep";
}

/** A batch custom_id's sweep token, prompt key and index; null when it is not one. */
export function parseBatchCustomId(id: string): { token: string; key: string; index: number } | null {
  const m = /^([A-Za-z0-9]+)_(p\d+)-r(\d+)$/.exec(id);
  return m ? { token: m[1]!, key: m[2]!, index: Number(m[3]) } : null;
}

/** The prompt key and index of a request id; null when it is not one. */
export function parseRequestId(id: string): { key: string; index: number } | null {
  const m = /^(p\d+)-r(\d+)$/.exec(id);
  return m ? { key: m[1]!, index: Number(m[2]) } : null;
}

/** The requests of a submission (prompt key and index), in order: a range over the sweep's order (prompt by prompt, n each), or its ids. */
export function requestsOf(r: SweepRequests, prompts: readonly SweepPromptLine[], n: number): { key: string; index: number }[] {
  if ("ids" in r) return r.ids.map(parseRequestId).filter((x): x is { key: string; index: number } => x !== null);
  const out: { key: string; index: number }[] = [];
  for (let k = r.from; k < r.from + r.count; k++) {
    const p = prompts[Math.floor(k / n)];
    if (p) out.push({ key: p.key, index: k % n });
  }
  return out;
}

/** The request ids of a submission, in order (requestsOf as ids). */
export function requestIds(r: SweepRequests, prompts: readonly SweepPromptLine[], n: number): string[] {
  return requestsOf(r, prompts, n).map(({ key, index }) => requestId(key, index));
}

/** Whether a file's first line says it is a sweep file. */
export function isSweepFile(firstLine: string): boolean {
  try {
    const v = JSON.parse(firstLine) as { schema?: unknown; type?: unknown };
    return v?.type === "sweep" && typeof v.schema === "string" && v.schema.startsWith("hotmess.sweep/");
  } catch {
    return false;
  }
}

/**
 * A sweep file's lines folded one at a time (each parsed JSON object and its 0-based index): what
 * parseSweepFile makes of a whole text, and SweepStream of a file read line by line. `slim`: keep
 * of each reply only that it came (one shared line), not its text — where a sweep stands and
 * what failed, without holding the replies.
 */
export class SweepFold {
  header: SweepHeader | null = null;
  readonly warnings: { line: number; message: string }[] = [];
  readonly prompts: SweepPromptLine[] = [];
  private readonly keys = new Set<string>();
  private readonly batches = new Map<number, SweepBatch>();
  private readonly byId = new Map<string, SweepBatch>();
  private readonly samples = new Map<string, Map<number, SweepSampleLine>>();
  private readonly failures = new Map<string, SweepFailureLine[]>();
  private end: RunEndLine | null = null;

  constructor(private readonly slim = false) {}

  add(v: Record<string, unknown>, i: number): void {
    if (this.slim && v.type === "sample" && this.header !== null) {
      if (typeof v.prompt === "string" && typeof v.index === "number" && typeof v.text === "string") {
        let m = this.samples.get(v.prompt);
        if (!m) this.samples.set(v.prompt, (m = new Map()));
        if (!m.has(v.index)) m.set(v.index, ANSWERED);
      } else this.warnings.push({ line: i + 1, message: "a sample line without prompt, index or text; skipped" });
      return;
    }
    if (this.header === null) {
      if (v.type !== "sweep" || typeof v.schema !== "string" || !v.schema.startsWith("hotmess.sweep/")) throw new Error(`line ${i + 1}: not a sweep file (the first line is not a hotmess.sweep header)`);
      const p = v.parameters as { n?: unknown } | undefined;
      if (typeof v.id !== "string" || typeof v.model !== "string" || typeof p?.n !== "number") throw new Error(`line ${i + 1}: the sweep header has no id, model or parameters.n`);
      if (v.mode !== "live" && v.mode !== "batch") throw new Error(`line ${i + 1}: the sweep header's mode is ${JSON.stringify(v.mode)}, not "live" or "batch"`);
      this.header = v as unknown as SweepHeader;
      return;
    }
    switch (v.type) {
      case "prompt": {
        if (typeof v.key !== "string" || !/^p\d+$/.test(v.key) || typeof v.prompt !== "string" || typeof v.id !== "string") this.warnings.push({ line: i + 1, message: "a prompt line without key (p0, p1, …), id or prompt; skipped" });
        else if (this.keys.has(v.key)) this.warnings.push({ line: i + 1, message: `a second prompt line for ${v.key}; skipped` });
        else {
          this.keys.add(v.key);
          this.prompts.push(v as unknown as SweepPromptLine);
        }
        break;
      }
      case "submit": {
        const r = v.requests as Record<string, unknown> | undefined;
        const okR = r && ((typeof r.from === "number" && typeof r.count === "number") || (Array.isArray(r.ids) && r.ids.every((x) => typeof x === "string")));
        if (typeof v.part !== "number" || !okR || typeof v.count !== "number") this.warnings.push({ line: i + 1, message: "a submit line without part, requests or count; skipped" });
        else this.batches.set(v.part, { part: v.part, submit: v as unknown as SweepSubmitLine, batchId: null, status: null, collected: null });
        break;
      }
      case "batch": {
        const b = typeof v.part === "number" ? this.batches.get(v.part) : undefined;
        if (!b || typeof v.batchId !== "string") this.warnings.push({ line: i + 1, message: "a batch line without the submit line of its part, or without batchId; skipped" });
        else {
          b.batchId = v.batchId;
          this.byId.set(v.batchId, b);
        }
        break;
      }
      case "refused": {
        const b = typeof v.part === "number" ? this.batches.get(v.part) : undefined;
        if (!b) this.warnings.push({ line: i + 1, message: "a refused line without the submit line of its part; skipped" });
        else b.refused = typeof v.message === "string" ? v.message : "refused";
        break;
      }
      case "status": {
        const b = typeof v.batchId === "string" ? this.byId.get(v.batchId) : undefined;
        if (!b || v.counts === null || typeof v.counts !== "object") this.warnings.push({ line: i + 1, message: "a status line of an unknown batch, or without counts; skipped" });
        else b.status = v as unknown as SweepStatusLine;
        break;
      }
      case "collected": {
        const b = typeof v.batchId === "string" ? this.byId.get(v.batchId) : undefined;
        if (!b) this.warnings.push({ line: i + 1, message: "a collected line of an unknown batch; skipped" });
        else b.collected = v as unknown as SweepCollectedLine;
        break;
      }
      case "sample": {
        if (typeof v.prompt !== "string" || typeof v.index !== "number" || typeof v.text !== "string") {
          this.warnings.push({ line: i + 1, message: "a sample line without prompt, index or text; skipped" });
          break;
        }
        const s = v as unknown as SweepSampleLine;
        if (v.steps !== undefined) {
          const read = readSteps(v.steps);
          if ("problem" in read) {
            this.warnings.push({ line: i + 1, message: `sample ${s.prompt}-r${s.index}: ${read.problem}; its steps are left out (its text is kept)` });
            delete s.steps;
          } else s.steps = read.steps;
        }
        let m = this.samples.get(s.prompt);
        if (!m) this.samples.set(s.prompt, (m = new Map()));
        // a result collected twice (a crash between writing it and marking its batch collected): the first stands
        if (!m.has(s.index)) m.set(s.index, s);
        break;
      }
      case "failure": {
        if (typeof v.prompt !== "string" || typeof v.index !== "number") {
          this.warnings.push({ line: i + 1, message: "a failure line without prompt or index; skipped" });
          break;
        }
        const f = v as unknown as SweepFailureLine;
        let list = this.failures.get(f.prompt);
        if (!list) this.failures.set(f.prompt, (list = []));
        list.push(f);
        break;
      }
      case "end":
        this.end = v as unknown as RunEndLine;
        break;
      default:
      // other line types (from a newer version) are ignored
    }
  }

  /** The sweep as folded so far; `extra` warnings (lines that were not JSON) merged in line order. */
  result(extra: { line: number; message: string }[] = [], goodLength = 0, missingNewline = false): ParsedSweep {
    if (this.header === null) throw new Error("empty sweep file: no header line");
    const warnings = [...extra, ...this.warnings].sort((a, b) => a.line - b.line);
    return { header: this.header, prompts: this.prompts, batches: [...this.batches.values()].sort((a, b) => a.part - b.part), samples: this.samples, failures: this.failures, end: this.end, warnings, goodLength, missingNewline, ...(this.slim ? { slim: true } : {}) };
  }
}

/**
 * What a sweep in memory keeps of a reply when it is `slim`: that it came (one shared line,
 * without the reply). Its replies are then read from the file (sweepRuns refuses a slim sweep).
 */
export const ANSWERED: SweepSampleLine = Object.freeze({ type: "sample", prompt: "", index: -1, text: "", thinking: "", redactedThinking: 0, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: null, latencyMs: 0, retries: 0, truncated: false, stopReason: "", finishedAt: "" }) as SweepSampleLine;

/** Parses a sweep file. Throws with a clear message when the header is missing or malformed. */
export function parseSweepFile(text: string, opts: { slim?: boolean } = {}): ParsedSweep {
  const fold = new SweepFold(opts.slim);
  const read = readJsonLines(text, "sweep", (v, i) => fold.add(v, i));
  return fold.result(read.warnings, read.goodLength, read.missingNewline);
}

/** A prompt's header as a run's: the sweep's provider, model and parameters with the prompt's own text, id and reference. */
export function promptRunHeader(h: SweepHeader, p: SweepPromptLine): RunHeader {
  return {
    type: "header",
    schema: "hotmess.run/1",
    id: p.id,
    createdAt: h.createdAt,
    tool: h.tool,
    provider: h.provider,
    model: h.model,
    ...(h.baseURL ? { baseURL: h.baseURL } : {}),
    prompt: p.prompt,
    ...(p.system ? { system: p.system } : {}),
    ...(p.reference !== undefined ? { reference: p.reference } : {}),
    ...(p.promptHash ? { promptHash: p.promptHash } : {}),
    ...(p.source ? { source: p.source } : {}),
    analysis: h.analysis ?? { seed: 1 },
    ...(p.answerSpec ?? h.answerSpec ? { answerSpec: (p.answerSpec ?? h.answerSpec)! } : {}),
    parameters: h.parameters,
  };
}

/**
 * A prompt's lines as a run: its samples in index order (the first recorded of an index wins),
 * its failures those of requests still without a reply (the last of each, as many as replies
 * are missing). The end line is the sweep's.
 */
export function promptRun(h: SweepHeader, p: SweepPromptLine, got: ReadonlyMap<number, SweepSampleLine>, failureLines: readonly SweepFailureLine[], end: RunEndLine | null): ParsedRun {
  const samples = [...got.values()].sort((a, b) => a.index - b.index).map(({ prompt: _p, batchId: _b, ...rest }) => rest as RunSampleLine);
  const n = h.parameters.n;
  const need = n - Math.min(n, got.size);
  const last = new Map<number, SweepFailureLine>();
  for (const f of failureLines) if (!got.has(f.index)) last.set(f.index, f);
  const failures = lastOf([...last.values()], need).map(({ prompt: _p, batchId: _b, ...rest }) => rest as RunFailureLine);
  return { header: promptRunHeader(h, p), samples, failures, end, warnings: [], goodLength: 0, missingNewline: false };
}

/** Each prompt of the sweep as a run (promptRun), for the analysis and every view of runs. */
export function sweepRuns(s: ParsedSweep): ParsedRun[] {
  if (s.slim) throw new Error("this sweep's collected replies are in its file, not in memory: read the file again (parseSweepFile, or SweepStream for a large one)");
  return s.prompts.map((p) => promptRun(s.header, p, s.samples.get(p.key) ?? new Map<number, SweepSampleLine>(), s.failures.get(p.key) ?? [], s.end));
}

/**
 * A sweep file read line by line, for a file too large to hold: `scan` (pass 1) learns the
 * header, the prompts and the last line of each prompt's replies; `replay` (pass 2) collects a
 * prompt's lines and hands it over as a run at its last line, then forgets it, runs handed over
 * in the sweep's prompt order. A batch's results come prompt by prompt, so only a prompt or two
 * are held at a time (a live sweep's, as many as ran at once).
 */
export class SweepStream {
  header: SweepHeader | null = null;
  readonly prompts = new Map<string, SweepPromptLine>();
  private readonly lastLine = new Map<string, number>();
  private end: RunEndLine | null = null;
  private readonly open = new Map<string, { samples: Map<number, SweepSampleLine>; failures: SweepFailureLine[] }>();
  readonly warnings: { line: number; message: string }[] = [];
  /** The sweep as pass 1 read it, slim (which requests were answered, the failures, the batches): where it stands. */
  private readonly fold = new SweepFold(true);
  private lastNonBlank = 0;

  private static parse(line: string): Record<string, unknown> | null {
    const t = line.trim();
    if (t === "") return null;
    try {
      const v = JSON.parse(t) as unknown;
      return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** Pass 1, one line at a time (from 1). */
  scan(line: string, lineNo: number): void {
    if (line.trim() !== "") this.lastNonBlank = lineNo;
    const v = SweepStream.parse(line);
    if (v === null) {
      if (line.trim() !== "") this.warnings.push({ line: lineNo, message: "not valid JSON; skipped" });
      return;
    }
    // the header's checks are parseSweepFile's: one text for one problem
    this.fold.add(v, lineNo - 1);
    if (this.header === null) {
      this.header = this.fold.header;
      return;
    }
    if (v.type === "prompt" && typeof v.key === "string" && typeof v.prompt === "string" && typeof v.id === "string" && !this.prompts.has(v.key)) this.prompts.set(v.key, v as unknown as SweepPromptLine);
    else if ((v.type === "sample" || v.type === "failure") && typeof v.prompt === "string" && typeof v.index === "number") this.lastLine.set(v.prompt, lineNo);
    else if (v.type === "end") this.end = v as unknown as RunEndLine;
  }

  /** After pass 1: the sweep, slim (its replies are not held), for where it stands (sweepProgress) and what failed. */
  light(): ParsedSweep {
    // a line that is not JSON and has only blank lines after it: torn while writing
    const warnings = this.warnings.map((w) => (w.line === this.lastNonBlank ? { ...w, message: "the last line is incomplete (the sweep was interrupted while writing it); skipped" } : w));
    return this.fold.result(warnings);
  }

  /** Runs finished and not yet handed over, and the next prompt (in the sweep's order) to hand over. */
  private readonly ready = new Map<string, ParsedRun>();
  private cursor = 0;
  private order: SweepPromptLine[] | null = null;

  /** Hands over, in the sweep's prompt order, every run whose turn has come. */
  private drain(all = false): ParsedRun[] {
    const order = (this.order ??= [...this.prompts.values()]);
    const out: ParsedRun[] = [];
    while (this.cursor < order.length) {
      const p = order[this.cursor]!;
      const run = this.ready.get(p.key);
      if (run) this.ready.delete(p.key);
      else if (!this.lastLine.has(p.key) || all) out.push(promptRun(this.header!, p, new Map(), [], this.end));
      else break;
      if (run) out.push(run);
      this.cursor++;
    }
    return out;
  }

  /**
   * Pass 2, the same lines again: the runs whose turn has come (in the sweep's prompt order, a
   * prompt finished at its last line; prompts never answered as empty runs).
   */
  replay(line: string, lineNo: number): ParsedRun[] {
    if (!this.header) throw new Error("not a sweep file (no header line)");
    const v = SweepStream.parse(line);
    if (v === null || (v.type !== "sample" && v.type !== "failure") || typeof v.prompt !== "string" || typeof v.index !== "number") return [];
    const key = v.prompt;
    const p = this.prompts.get(key);
    if (!p) return [];
    let o = this.open.get(key);
    if (!o) this.open.set(key, (o = { samples: new Map(), failures: [] }));
    if (v.type === "sample") {
      if (typeof v.text === "string" && !o.samples.has(v.index)) {
        const sample = v as unknown as SweepSampleLine;
        if (v.steps !== undefined) {
          const read = readSteps(v.steps);
          if ("problem" in read) delete sample.steps;
          else sample.steps = read.steps;
        }
        o.samples.set(v.index, sample);
      }
    } else o.failures.push(v as unknown as SweepFailureLine);
    if (this.lastLine.get(key) !== lineNo) return [];
    this.open.delete(key);
    this.ready.set(key, promptRun(this.header, p, o.samples, o.failures, this.end));
    return this.drain();
  }

  /** After pass 2: the runs not handed over yet (prompts never answered, at the end). */
  finish(): ParsedRun[] {
    return this.header ? this.drain(true) : [];
  }
}

/** Where a sweep stands: requests replied to, failed (with no reply since), in a batch not yet collected, never sent. */
export interface SweepProgress {
  requests: number;
  succeeded: number;
  /** Requests whose last outcome is a failure and that have no reply. */
  failed: number;
  /** Of the failed: expired or canceled in a batch, or errored with a retryable reason. */
  retryable: number;
  /** In a batch whose results are not all in. */
  pending: number;
  /** In no batch and with no reply or failure (a batch sweep's part not yet submitted; a live sweep's requests not yet run). */
  unsent: number;
  /** Batches submitted and not collected, with their last known status. */
  open: SweepBatch[];
  /** Submissions whose batch id was never recorded (the process stopped between sending and recording it). */
  unrecorded: SweepBatch[];
  /** Summed last counts of the open batches. */
  counts: { processing: number; succeeded: number; errored: number; expired: number; canceled: number };
}

export function sweepProgress(s: ParsedSweep): SweepProgress {
  const open: SweepBatch[] = [];
  const unrecorded: SweepBatch[] = [];
  const counts = { processing: 0, succeeded: 0, errored: 0, expired: 0, canceled: 0 };
  for (const b of s.batches) {
    if (b.refused) continue;
    if (b.batchId === null) unrecorded.push(b);
    if (b.collected) continue;
    if (b.batchId !== null) open.push(b);
    if (b.status) for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += b.status.counts[k] ?? 0;
  }
  const waiting = waitingByKey(s);
  let succeeded = 0;
  let failed = 0;
  let retryable = 0;
  let pending = 0;
  let unsent = 0;
  for (const p of s.prompts) {
    const st = standing(s, p.key, waiting.get(p.key));
    succeeded += st.answered;
    pending += st.pending;
    failed += st.failures.length;
    retryable += st.failures.filter(isRetryable).length;
    unsent += st.unsent;
  }
  return { requests: s.prompts.length * s.header.parameters.n, succeeded, failed, retryable, pending, unsent, open, unrecorded, counts };
}

/** The requests of the batches whose results are not all in (refused ones sent nothing), by prompt key: built once per sweep. */
function waitingByKey(s: ParsedSweep): Map<string, Set<number>> {
  const by = new Map<string, Set<number>>();
  for (const b of s.batches) {
    if (b.refused || b.collected) continue;
    for (const { key, index } of requestsOf(b.submit.requests, s.prompts, s.header.parameters.n)) {
      let set = by.get(key);
      if (!set) by.set(key, (set = new Set()));
      set.add(index);
    }
  }
  return by;
}

/**
 * Where one prompt's n requests stand: answered (at most n), waiting in a batch, failed (the last
 * failure of each request with no reply and not waiting; as many as are still missing), and never
 * sent (the rest). `used`: the indices taken (replied, failed, waiting), so new requests get free ones.
 */
function standing(s: ParsedSweep, key: string, waiting: ReadonlySet<number> | undefined): { answered: number; pending: number; failures: SweepFailureLine[]; unsent: number; used: Set<number> } {
  const n = s.header.parameters.n;
  const got = s.samples.get(key) ?? new Map<number, SweepSampleLine>();
  const answered = Math.min(n, got.size);
  let need = n - answered;
  let waitingNow = 0;
  for (const i of waiting ?? []) if (!got.has(i)) waitingNow++;
  const pending = Math.min(need, waitingNow);
  need -= pending;
  const last = new Map<number, SweepFailureLine>();
  for (const f of s.failures.get(key) ?? []) if (!got.has(f.index) && !waiting?.has(f.index)) last.set(f.index, f);
  const failures = lastOf([...last.values()], need);
  return { answered, pending, failures, unsent: need - failures.length, used: new Set([...got.keys(), ...last.keys(), ...(waiting ?? [])]) };
}

/** Whether a failed request may succeed when sent again: expired or canceled in a batch, or a failure its provider called retryable. */
export function isRetryable(f: Pick<RunFailureLine, "kind" | "retryable">): boolean {
  return f.kind === "expired" || f.kind === "canceled" || f.retryable === true;
}

/**
 * The requests still without a reply and not waiting in a batch, per prompt, with the last
 * failure of each when it failed: what a resubmission sends (`failedOnly`: only those that
 * failed; else also those never sent). Request indices are those of the failures, then the
 * lowest free ones.
 */
export function missingRequests(s: ParsedSweep, opts: { failedOnly?: boolean; retryableOnly?: boolean } = {}): { key: string; index: number; failure?: SweepFailureLine }[] {
  const waiting = waitingByKey(s);
  const out: { key: string; index: number; failure?: SweepFailureLine }[] = [];
  for (const p of s.prompts) {
    const st = standing(s, p.key, waiting.get(p.key));
    for (const f of st.failures) if (!opts.retryableOnly || isRetryable(f)) out.push({ key: p.key, index: f.index, failure: f });
    if (opts.failedOnly) continue;
    for (let i = 0, left = st.unsent; left > 0; i++) {
      if (st.used.has(i)) continue;
      out.push({ key: p.key, index: i });
      left--;
    }
  }
  return out;
}

/** A failure's reason without what differs from one request to the next (request ids), so that the same reason counts once. */
export function reasonOf(f: Pick<SweepFailureLine, "kind" | "message">): string {
  return `${f.kind}: ${f.message.replace(/\b(req|msgbatch|batch|chatcmpl)_[A-Za-z0-9]+/g, "…").replace(/, …\)/g, ")").replace(/ \(…\)/g, "")}`;
}

/** The reasons of the requests that failed and have no reply, most frequent first, with how many each. */
export function failureReasons(s: ParsedSweep): { reason: string; count: number; retryable: boolean }[] {
  const by = new Map<string, { reason: string; count: number; retryable: boolean }>();
  for (const r of missingRequests(s, { failedOnly: true })) {
    if (!r.failure) continue;
    const reason = reasonOf(r.failure);
    const e = by.get(reason) ?? { reason, count: 0, retryable: isRetryable(r.failure) };
    e.count++;
    by.set(reason, e);
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}

/**
 * Where an unfinished sweep stands, in one sentence, as `hotmess analyze`, `export` and the editor
 * say it: the replies, what is still in a batch, what failed and why (the most frequent reason),
 * and what to run next; null for a sweep with every reply.
 */
export function describeSweep(s: ParsedSweep, file?: string): string | null {
  const p = sweepProgress(s);
  if (p.succeeded === p.requests) return null;
  const n = (x: number) => x.toLocaleString("en-US");
  const head = p.pending ? "the sweep is still running" : s.end?.status === "cancelled" ? "the sweep was cancelled" : p.succeeded === 0 ? "the sweep failed" : "the sweep is partial";
  const parts = [`${n(p.succeeded)} of ${n(p.requests)} replies`];
  if (p.pending) parts.push(`${n(p.pending)} still in ${p.open.length === 1 ? "a batch" : `${p.open.length} batches`}`);
  if (p.failed) parts.push(`${n(p.failed)} failed`);
  if (p.unsent) parts.push(`${n(p.unsent)} not sent`);
  const reasons = failureReasons(s);
  const why = reasons.length ? ` — ${reasons[0]!.count === p.failed ? "" : `${n(reasons[0]!.count)} × `}${reasons[0]!.reason}${reasons.length > 1 ? ` (and ${reasons.length - 1} other reason${reasons.length === 2 ? "" : "s"})` : ""}` : "";
  const next = !file ? "" : p.pending || p.unrecorded.length ? `; collect it with: hotmess run --resume ${file}` : p.failed && s.header.mode === "batch" ? `; send the failed requests again with: hotmess run --resume ${file} --resubmit` : `; to finish it: hotmess run --resume ${file}`;
  return `${head}: ${parts.join(", ")}${why}${next}`;
}
