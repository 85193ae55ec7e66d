// Sweeps: every prompt of a prompts file rerun N times, recorded in one sweep file
// (src/core/sweepfile.ts), live (streamed requests through the run engine) or through a
// provider's batch API (batch.ts). Shared by `hotmess run --prompts` and the editor's Run Sweep.
//
// The batch lifecycle keeps one promise: a request is never submitted twice. A submission is
// written to the file before it is sent and its batch id as soon as the provider gives it;
// polling and collecting read the file's batches and never submit; only what was never sent,
// or what failed and is asked for again (`resubmit`), is submitted.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, writeSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { DEFAULT_SEED, redactDeep, type RunEndLine } from "../core";
import { parsePromptFile } from "../core/promptfile";
import { readAnswerSpec, type AnswerSpec } from "../core/answerspec";
import {
  missingRequests,
  ANSWERED,
  batchCustomId,
  parseBatchCustomId,
  parseSweepFile,
  sweepToken,
  requestId,
  requestsOf,
  SWEEP_SCHEMA,
  sweepProgress,
  type ParsedSweep,
  type SweepBatch,
  type SweepCollectedLine,
  type SweepFailureLine,
  type SweepHeader,
  type SweepPromptLine,
  type SweepRequests,
  type SweepSampleLine,
  type SweepStatusLine,
  type SweepSubmitLine,
} from "../core/sweepfile";
import type { BatchClient, BatchRequest, BatchStatus } from "./batch";
import { splitAnthropicBatches } from "./batch-anthropic";
import { splitOpenAIBatches } from "./batch-openai";
import { runSamples, type FailedSample, type FinishedSample, type Progress } from "./engine";
import { costOf, priceOf, type PriceTable } from "./prices";
import { makeDirs, promptHash } from "./store";
import { SamplingError, type Provider, type SampleRequest } from "./types";
import { thinkingOfParameters } from "./record";

/** A prompt to sweep, as read from a prompts file or a prompt file. */
export interface SweepPrompt {
  id: string;
  prompt: string;
  system?: string;
  reference?: string | number;
  answerSpec?: AnswerSpec;
  source?: SweepPromptLine["source"];
}

export interface PromptsRead {
  prompts: SweepPrompt[];
  /** Lines or prompts left out, each with where and why. */
  problems: string[];
}

/**
 * The prompts of a JSON Lines file: each line an object with `prompt` (text) and optionally `id`,
 * `reference`, `system` — a prompts file, or a trace set (its samples are ignored). A line that
 * is not such an object, or whose id repeats, is left out and named.
 */
export function readPromptsText(text: string, name: string): PromptsRead {
  const prompts: SweepPrompt[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      problems.push(`${name} line ${i + 1}: not valid JSON (${(e as Error).message}); skipped`);
      return;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      problems.push(`${name} line ${i + 1}: not a JSON object; skipped`);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.prompt !== "string" || o.prompt.trim() === "") {
      problems.push(`${name} line ${i + 1}: no "prompt" text${o.steps || o.samples ? " (a trajectory without its prompt cannot be rerun)" : ""}; skipped`);
      return;
    }
    const id = typeof o.id === "string" && o.id !== "" ? o.id : typeof o.id === "number" ? String(o.id) : `line-${i + 1}`;
    if (ids.has(id)) {
      problems.push(`${name} line ${i + 1}: the id "${id}" is used by an earlier line; skipped`);
      return;
    }
    let answerSpec: AnswerSpec | undefined;
    if (o.answerSpec !== undefined && o.answerSpec !== null) {
      const read = readAnswerSpec(o.answerSpec);
      if ("problem" in read) {
        problems.push(`${name} line ${i + 1}: its answerSpec ${read.problem}; skipped`);
        return;
      }
      answerSpec = read.spec;
    }
    ids.add(id);
    const ref = o.reference;
    prompts.push({
      id,
      prompt: o.prompt,
      ...(typeof o.system === "string" && o.system !== "" ? { system: o.system } : {}),
      ...(typeof ref === "string" || (typeof ref === "number" && Number.isFinite(ref)) ? { reference: ref } : {}),
      ...(answerSpec && (answerSpec.extract || answerSpec.compare) ? { answerSpec } : {}),
    });
  });
  return { prompts, problems };
}

/** The prompts of a prompt file's text (`.prompt.md`): each prompt with its id (front matter's, else the file's name and place). Conversation prompts are left out and named. */
export function readPromptFileText(text: string, file: string): PromptsRead {
  const prompts: SweepPrompt[] = [];
  const problems: string[] = [];
  const stem = basename(file).replace(/\.prompt\.md$|\.md$/, "");
  const parsed = parsePromptFile(text, promptHash);
  for (const p of parsed) {
    const where = `${file} prompt ${p.index + 1}`;
    if (p.conversation) {
      problems.push(`${where}: a conversation (agent) prompt: sweeps rerun single prompts; rerun it from the file's lens; skipped`);
      continue;
    }
    if (p.user.trim() === "") continue;
    if (p.unresolved.length) problems.push(`${where}: {{${p.unresolved[0]!.name}}} has no value in vars: it is sent as written`);
    const id = p.settings.id ?? (parsed.length === 1 ? stem : `${stem}#${p.index + 1}`);
    const spec = p.settings.answerSpec;
    prompts.push({
      id,
      prompt: p.user,
      ...(spec && (spec.extract || spec.compare) ? { answerSpec: spec } : {}),
      ...(p.system ? { system: p.system } : {}),
      ...(p.settings.reference !== undefined ? { reference: p.settings.reference } : {}),
      source: { file, prompt: p.index, ...(p.settings.id ? { id: p.settings.id } : {}) },
    });
  }
  return { prompts, problems };
}

/** The prompts of a path: a JSON Lines prompts file or trace set, a prompt file, or a folder of prompt files (every *.prompt.md in it, sorted). */
export function readPrompts(path: string): PromptsRead {
  const st = statSync(path);
  if (st.isDirectory()) {
    const files = readdirSync(path).filter((f) => f.endsWith(".prompt.md")).sort();
    if (files.length === 0) return { prompts: [], problems: [`${path} has no .prompt.md file`] };
    const out: PromptsRead = { prompts: [], problems: [] };
    const ids = new Set<string>();
    for (const f of files) {
      const r = readPromptFileText(readFileSync(join(path, f), "utf8"), f);
      out.problems.push(...r.problems);
      for (const p of r.prompts) {
        if (ids.has(p.id)) out.problems.push(`${f}: the id "${p.id}" is used by an earlier prompt; skipped`);
        else {
          ids.add(p.id);
          out.prompts.push(p);
        }
      }
    }
    return out;
  }
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".md")) return readPromptFileText(text, basename(path));
  return readPromptsText(text, basename(path));
}

/** What a sweep asks for, before anything is sent: requests, tokens, and the cost at the batch and live prices. */
export interface SweepEstimate {
  prompts: number;
  requests: number;
  /** Input tokens, estimated from the prompts' length (about 4 characters a token, plus the message framing). */
  inputTokens: number;
  /** The most output tokens the requests may write (max tokens each). */
  maxOutputTokens: number;
  /** At most, at the live price: all input, every request writing its max tokens; null when the model is unpriced. */
  liveUsd: number | null;
  /** The same at the batch price: half the live price at both providers. */
  batchUsd: number | null;
}

/** Both providers bill batch requests at half their live price. */
export const BATCH_DISCOUNT = 0.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The estimate for `requests` requests (prompt key → how many), or for every prompt n times. */
export function estimateSweep(prompts: readonly Pick<SweepPrompt, "prompt" | "system">[], n: number, model: string, maxTokens: number, prices: PriceTable, counts?: readonly number[]): SweepEstimate {
  const price = priceOf(model, prices);
  let requests = 0;
  let input = 0;
  let live: number | null = price ? 0 : null;
  let swept = 0;
  prompts.forEach((p, i) => {
    const k = counts ? counts[i] ?? 0 : n;
    if (k <= 0) return;
    swept++;
    const tokens = estimateTokens(p.prompt) + estimateTokens(p.system ?? "") + 8;
    requests += k;
    input += k * tokens;
    // per request: a long prompt's higher rate applies to that request only
    if (live !== null) live += k * (costOf(price, tokens, maxTokens) ?? 0);
  });
  return { prompts: swept, requests, inputTokens: input, maxOutputTokens: requests * maxTokens, liveUsd: live, batchUsd: live === null ? null : live * BATCH_DISCOUNT };
}

/** The request a prompt's reruns send (the sweep's model and parameters, the prompt's own text). */
export type RequestOf = (p: SweepPromptLine) => SampleRequest;

export function requestFor(header: SweepHeader, p: Pick<SweepPromptLine, "prompt" | "system">, thinking: SampleRequest["thinking"]): SampleRequest {
  return {
    prompt: p.prompt,
    ...(p.system ? { system: p.system } : {}),
    model: header.model,
    maxTokens: header.parameters.maxTokens,
    ...(header.parameters.temperature !== undefined ? { temperature: header.parameters.temperature } : {}),
    thinking,
  };
}

/** The thinking mode a sweep's header records, as a request's. */
export function thinkingOf(header: SweepHeader): SampleRequest["thinking"] {
  return thinkingOfParameters(header.parameters.thinking);
}

/**
 * Appends lines to a sweep file. Lines that matter for never sending twice (submit, batch,
 * refused) and every live sample are written and synced at once; results collected from a batch
 * are written in groups (`buffered`) and synced at least every 500 lines and when the batch is
 * marked collected: a crash loses at most the unsynced ones, which are read again from the
 * provider's results (kept 29 days at Anthropic, 30 at OpenAI).
 */
export class SweepWriter {
  private fd: number | null;
  private buffer: string[] = [];
  private bufferedLines = 0;

  private constructor(
    readonly file: string,
    fd: number,
    private position: number,
    private readonly secrets: readonly string[],
  ) {
    this.fd = fd;
  }

  /** A new sweep file in `dir`: its header and prompt lines, written before any request. */
  static create(dir: string, header: Omit<SweepHeader, "type" | "schema" | "prompts">, prompts: readonly SweepPrompt[], secrets: readonly string[] = []): { writer: SweepWriter; sweep: ParsedSweep } {
    makeDirs(dir);
    const stamp = header.createdAt.replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
    const slug = header.model.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "model";
    let file = join(dir, `${stamp}-sweep-${slug}.jsonl`);
    for (let k = 2; existsSync(file); k++) file = join(dir, `${stamp}-sweep-${slug}-${k}.jsonl`);
    const fd = openSync(file, "wx", 0o644);
    const w = new SweepWriter(file, fd, 0, secrets);
    w.write({ type: "sweep", schema: SWEEP_SCHEMA, ...header, prompts: prompts.length });
    prompts.forEach((p, i) => w.write({ type: "prompt", key: `p${i}`, id: p.id, prompt: p.prompt, ...(p.system ? { system: p.system } : {}), ...(p.reference !== undefined ? { reference: p.reference } : {}), promptHash: promptHash(p.prompt, p.system), ...(p.answerSpec ? { answerSpec: p.answerSpec } : {}), ...(p.source ? { source: p.source } : {}) }, false));
    w.flush();
    return { writer: w, sweep: parseSweepFile(readFileSync(file, "utf8")) };
  }

  /** Opens a sweep file to append to it, after cutting off a torn last line. */
  static open(file: string, secrets: readonly string[] = []): { writer: SweepWriter; sweep: ParsedSweep } {
    const sweep = parseSweepFile(readFileSync(file, "utf8"));
    const fd = openSync(file, "r+");
    ftruncateSync(fd, sweep.goodLength);
    const w = new SweepWriter(file, fd, sweep.goodLength, secrets);
    if (sweep.missingNewline) w.raw("\n", true);
    return { writer: w, sweep };
  }

  private raw(s: string, sync: boolean): void {
    if (this.fd === null) throw new Error(`sweep file ${this.file} is closed`);
    const buf = Buffer.from(s, "utf8");
    writeSync(this.fd, buf, 0, buf.length, this.position);
    this.position += buf.length;
    if (sync) fsyncSync(this.fd);
  }

  /** Writes a line (keys redacted); `sync` false keeps it in the buffer until the next flush. */
  write<T extends object>(v: T, sync = true): T {
    const clean = this.secrets.length ? redactDeep(v, this.secrets) : v;
    this.buffer.push(JSON.stringify(clean) + "\n");
    this.bufferedLines++;
    if (sync || this.bufferedLines >= 500) this.flush();
    return clean;
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.bufferedLines = 0;
    this.raw(text, true);
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function now(): string {
  return new Date().toISOString();
}

export type SweepEvent =
  | { type: "submitted"; batchId: string; part: number; requests: number }
  | { type: "refused"; part: number; message: string }
  | { type: "status"; batchId: string; status: BatchStatus; changed: boolean }
  | { type: "collecting"; batchId: string }
  | { type: "collected"; batchId: string; succeeded: number; failed: number }
  | { type: "progress"; progress: Progress; prompt: string }
  | { type: "sample"; key: string; index: number }
  | { type: "failure"; key: string; index: number; message: string };

export interface SweepHooks {
  onEvent?: (e: SweepEvent) => void;
  signal?: AbortSignal;
  /** Prices, for each collected reply's cost at the batch price (default: none known, cost null). */
  prices?: PriceTable;
}

/**
 * Submits the requests given as batches (split at the provider's limits): for each, the submit
 * line is written and synced, then the batch is created, then its id is written at once. A
 * refusal is written as such (nothing of it was sent) and ends the submission with its error.
 */
export async function submitRequests(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, ids: readonly { key: string; index: number }[], thinking: SampleRequest["thinking"], opts: { resubmits?: string[]; compatible?: boolean } & SweepHooks = {}): Promise<string[]> {
  const byKey = new Map(sweep.prompts.map((p) => [p.key, p]));
  const all: BatchRequest[] = ids.map(({ key, index }) => ({ customId: batchCustomId(sweep.header.id, key, index), request: requestFor(sweep.header, byKey.get(key)!, thinking) }));
  const parts = client.id === "anthropic" ? splitAnthropicBatches(all) : splitOpenAIBatches(all, undefined, opts.compatible);
  const n = sweep.header.parameters.n;
  const order = new Map(sweep.prompts.map((p, i) => [p.key, i]));
  let part = sweep.batches.reduce((m, b) => Math.max(m, b.part + 1), 0);
  const created: string[] = [];
  for (const reqs of parts) {
    // a contiguous run of the sweep's order is written as its range, else as the ids
    const parsed = reqs.map((r) => parseBatchCustomId(r.customId)!);
    const ord = parsed.map((p) => order.get(p.key)! * n + p.index);
    const contiguous = ord.every((o, i) => o === ord[0]! + i) && parsed.every((p) => p.index < n);
    const requests: SweepRequests = contiguous ? { from: ord[0]!, count: reqs.length } : { ids: parsed.map((p) => requestId(p.key, p.index)) };
    const submit = writer.write<SweepSubmitLine>({ type: "submit", part, requests, count: reqs.length, ...(opts.resubmits?.length ? { resubmits: opts.resubmits } : {}), at: now() });
    sweep.batches.push({ part, submit, batchId: null, status: null, collected: null });
    let batchId: string;
    try {
      ({ batchId } = await client.submit(reqs, opts.signal, { sweep: sweep.header.id, part }));
    } catch (e) {
      // refused: nothing was created, its requests are still to send; otherwise (the connection
      // dropped, a timeout, a server error) it may have been created: the submission stays
      // without its id, for `recoverUnrecorded` to look it up at the provider
      if (!surelyNotCreated(e)) throw e;
      const message = (e as Error).message;
      writer.write({ type: "refused", part, message, at: now() });
      sweep.batches[sweep.batches.length - 1]!.refused = message;
      opts.onEvent?.({ type: "refused", part, message });
      throw e;
    }
    writer.write({ type: "batch", part, batchId, at: now() });
    sweep.batches[sweep.batches.length - 1]!.batchId = batchId;
    created.push(batchId);
    opts.onEvent?.({ type: "submitted", batchId, part, requests: reqs.length });
    part++;
  }
  return created;
}

/** Whether a failed create surely created nothing: the provider refused it (a 4xx, a rate limit, an overload) or could not be reached at all. */
function surelyNotCreated(e: unknown): boolean {
  if (!(e instanceof SamplingError)) return false;
  if (e.status !== undefined && e.status >= 400 && e.status < 500) return true;
  return e.kind === "auth" || e.kind === "request" || e.kind === "rate_limit" || e.kind === "overloaded" || e.kind === "unreachable";
}

/** What became of the submissions whose batch id was never recorded. */
export interface Recovery {
  /** Found at the provider and recorded now: polled and collected as any other. */
  adopted: { part: number; batchId: string }[];
  /** Not at the provider: never created, recorded as such; their requests are sent again. */
  notCreated: number[];
  /** Not decided: several batches could be it, or it is too recent to be sure it is not listed yet. */
  unresolved: { part: number; why: string }[];
}

/** A batch created less than this long ago may not be listed yet: not finding it then proves nothing. */
export const LISTING_SETTLES_MS = 10 * 60_000;

/**
 * Looks up at the provider each submission whose batch id was never recorded (the process
 * stopped between sending it and writing the id): one batch that matches (by its metadata at
 * OpenAI, by its time and request count at Anthropic) is recorded as the part's; none, for a
 * submission older than LISTING_SETTLES_MS, means it was never created (recorded so, and its
 * requests are sent again). A wrongly adopted batch cannot mix in another sweep's replies: its
 * results carry another sweep's token and are left out.
 */
export async function recoverUnrecorded(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, opts: SweepHooks & { now?: number; exclude?: ReadonlySet<string> } = {}): Promise<Recovery> {
  const out: Recovery = { adopted: [], notCreated: [], unresolved: [] };
  // batches this sweep, or another sweep file beside it, already has: never this submission's
  const known = new Set([...(opts.exclude ?? []), ...sweep.batches.map((b) => b.batchId).filter((x): x is string => x !== null)]);
  const t = opts.now ?? Date.now();
  for (const b of sweep.batches) {
    if (b.batchId !== null || b.refused) continue;
    const found = (await client.find({ at: b.submit.at, count: b.submit.count, tag: { sweep: sweep.header.id, part: b.part } }, opts.signal)).filter((id) => !known.has(id));
    if (found.length === 1) {
      writer.write({ type: "batch", part: b.part, batchId: found[0]!, adopted: true, at: now() });
      b.batchId = found[0]!;
      known.add(found[0]!);
      out.adopted.push({ part: b.part, batchId: found[0]! });
      opts.onEvent?.({ type: "submitted", batchId: found[0]!, part: b.part, requests: b.submit.count });
    } else if (found.length > 1) out.unresolved.push({ part: b.part, why: `${found.length} batches at the provider could be it (${found.join(", ")}): cancel the ones that are not this sweep's in the provider's console, then resume again` });
    else if (t - Date.parse(b.submit.at) < LISTING_SETTLES_MS) out.unresolved.push({ part: b.part, why: `it was sent at ${b.submit.at} and the provider does not list it yet: resume again in a few minutes` });
    else {
      const message = "not found at the provider: the process stopped before the batch was created";
      writer.write({ type: "refused", part: b.part, message, at: now() });
      b.refused = message;
      out.notCreated.push(b.part);
    }
  }
  return out;
}

/**
 * The batch ids recorded by the sweep files in these folders (all but `except`): batches that are
 * another sweep's, so never the one an unrecorded submission created. Each file is scanned for
 * its batch lines without being parsed whole.
 */
export function recordedBatchIds(dirs: readonly string[], except: string): Set<string> {
  const ids = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.includes("-sweep-") && f.endsWith(".jsonl"));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      if (file === except) continue;
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue;
      }
      for (const m of text.matchAll(/^\{"type":"batch",[^\n]*?"batchId":"([^"]+)"/gm)) ids.add(m[1]!);
    }
  }
  return ids;
}

/** Submits every request of the sweep that was never sent (all of a new sweep's). */
export function submitUnsent(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, opts: { compatible?: boolean } & SweepHooks = {}): Promise<string[]> {
  const ids = missingRequests(sweep).filter((r) => !r.failure);
  if (ids.length === 0) return Promise.resolve([]);
  return submitRequests(writer, sweep, client, ids, thinkingOf(sweep.header), opts);
}

/** The requests that failed and have no reply: what `resubmit` sends, with their reasons. */
export function failedRequests(sweep: ParsedSweep, retryableOnly = false): { key: string; index: number; failure: SweepFailureLine }[] {
  return missingRequests(sweep, { failedOnly: true, retryableOnly }).filter((r): r is { key: string; index: number; failure: SweepFailureLine } => r.failure !== undefined);
}

/** Submits the failed requests (errored, expired, canceled) as a new batch of just those. */
export function resubmitFailed(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, opts: { retryableOnly?: boolean; compatible?: boolean } & SweepHooks = {}): Promise<string[]> {
  const failed = failedRequests(sweep, opts.retryableOnly);
  if (failed.length === 0) return Promise.resolve([]);
  const from = [...new Set(failed.map((f) => f.failure.batchId).filter((b): b is string => !!b))];
  return submitRequests(writer, sweep, client, failed, thinkingOf(sweep.header), { ...opts, resubmits: from });
}

function sameCounts(a: SweepStatusLine | null, b: BatchStatus): boolean {
  if (!a) return false;
  return a.state === b.state && a.counts.processing === b.counts.processing && a.counts.succeeded === b.counts.succeeded && a.counts.errored === b.counts.errored && a.counts.expired === b.counts.expired && a.counts.canceled === b.counts.canceled;
}

/** Reads every result of an ended batch into the file (skipping requests that already have a reply), then marks it collected. */
export async function collectBatch(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, b: SweepBatch, hooks: SweepHooks = {}): Promise<SweepCollectedLine> {
  const batchId = b.batchId!;
  hooks.onEvent?.({ type: "collecting", batchId });
  const keys = new Set(sweep.prompts.map((p) => p.key));
  const price = hooks.prices ? priceOf(sweep.header.model, hooks.prices) : null;
  let succeeded = 0;
  let failed = 0;
  const token = sweepToken(sweep.header.id);
  for await (const r of client.results(batchId, hooks.signal)) {
    const id = parseBatchCustomId(r.customId);
    // another sweep's request (a batch adopted by mistake): none of this sweep's
    if (!id || id.token !== token || !keys.has(id.key)) continue;
    let got = sweep.samples.get(id.key);
    if (!got) sweep.samples.set(id.key, (got = new Map()));
    if (got.has(id.index)) continue;
    if (r.ok) {
      const s = r.ok;
      writer.write<SweepSampleLine>(
        {
          type: "sample",
          prompt: id.key,
          index: id.index,
          text: s.text,
          thinking: s.thinking,
          redactedThinking: s.redactedThinking,
          usage: s.usage,
          costUsd: batchCost(price, s.usage),
          latencyMs: 0,
          retries: 0,
          truncated: s.truncated,
          stopReason: s.stopReason,
          finishedAt: now(),
          ...(s.steps ? { steps: s.steps } : {}),
          batchId,
        },
        false,
      );
      // held in memory: that it was answered, not the reply (the file has it; a 30,000-request sweep is never held whole)
      got.set(id.index, ANSWERED);
      sweep.slim = true;
      succeeded++;
      hooks.onEvent?.({ type: "sample", key: id.key, index: id.index });
    } else {
      const e = r.error;
      const line = writer.write<SweepFailureLine>({ type: "failure", prompt: id.key, index: id.index, kind: e.kind, message: e.message, attempts: 1, ...(e.status !== undefined ? { status: e.status } : {}), retryable: e.retryable, batchId }, false);
      addFailure(sweep, line);
      failed++;
      hooks.onEvent?.({ type: "failure", key: id.key, index: id.index, message: e.message });
    }
  }
  writer.flush();
  const line = writer.write<SweepCollectedLine>({ type: "collected", batchId, succeeded, failed, at: now() });
  b.collected = line;
  hooks.onEvent?.({ type: "collected", batchId, succeeded, failed });
  return line;
}


/** A failure line written, added to the sweep in memory. */
function addFailure(sweep: ParsedSweep, line: SweepFailureLine): void {
  let list = sweep.failures.get(line.prompt);
  if (!list) sweep.failures.set(line.prompt, (list = []));
  list.push(line);
}

/** A batch reply's cost: its tokens at the live price, halved. */
function batchCost(price: ReturnType<typeof priceOf>, u: { inputTokens: number; outputTokens: number; cacheReadTokens?: number; cacheWriteTokens?: number }): number | null {
  const c = costOf(price, u.inputTokens, u.outputTokens, { ...(u.cacheReadTokens ? { readTokens: u.cacheReadTokens } : {}), ...(u.cacheWriteTokens ? { writeTokens: u.cacheWriteTokens } : {}) });
  return c === null ? null : c * BATCH_DISCOUNT;
}

/**
 * Polls the sweep's open batches until every one has ended and been collected (or the signal
 * aborts: the batches go on at the provider, and the file says where they stand). A status is
 * written when its counts change. `once`: one round only (the editor's status bar polls so).
 */
export async function pollSweep(writer: SweepWriter, sweep: ParsedSweep, client: BatchClient, opts: { intervalMs?: number; once?: boolean; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } & SweepHooks = {}): Promise<"done" | "waiting"> {
  const interval = opts.intervalMs ?? 30_000;
  const sleep = opts.sleep ?? defaultSleep;
  for (;;) {
    const open = sweep.batches.filter((b) => b.batchId !== null && !b.collected && !b.refused);
    if (open.length === 0) return "done";
    for (const b of open) {
      if (opts.signal?.aborted) return "waiting";
      const status = await client.status(b.batchId!, opts.signal);
      const changed = !sameCounts(b.status, status);
      if (changed) b.status = writer.write<SweepStatusLine>({ type: "status", batchId: b.batchId!, state: status.state, providerStatus: status.providerStatus, counts: status.counts, ...(status.message ? { message: status.message } : {}), at: now() });
      opts.onEvent?.({ type: "status", batchId: b.batchId!, status, changed });
      if (status.state === "ended") await collectBatch(writer, sweep, client, b, opts);
      else if (status.state === "failed") {
        // nothing of it ran: its requests are failures to resubmit
        for (const r of requestsOf(b.submit.requests, sweep.prompts, sweep.header.parameters.n)) {
          if (sweep.samples.get(r.key)?.has(r.index)) continue;
          const line = writer.write<SweepFailureLine>({ type: "failure", prompt: r.key, index: r.index, kind: "request", message: status.message ?? `the batch ${b.batchId} failed`, attempts: 1, retryable: false, batchId: b.batchId! }, false);
          addFailure(sweep, line);
        }
        writer.flush();
        b.collected = writer.write<SweepCollectedLine>({ type: "collected", batchId: b.batchId!, succeeded: 0, failed: b.submit.count, at: now() });
      }
    }
    if (sweep.batches.every((b) => b.batchId === null || b.collected || b.refused)) return "done";
    if (opts.once) return "waiting";
    try {
      await sleep(interval, opts.signal);
    } catch {
      return "waiting";
    }
    if (opts.signal?.aborted) return "waiting";
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs a live sweep's missing requests through the run engine, prompt by prompt (several at
 * once when n is below the concurrency), each sample written as it finishes.
 */
export async function runLiveSweep(writer: SweepWriter, sweep: ParsedSweep, provider: Provider, opts: { concurrency: number; idleTimeoutMs: number; retries: number; maxRetryWaitMs?: number; prices: PriceTable } & SweepHooks): Promise<RunEndLine["status"]> {
  const n = sweep.header.parameters.n;
  const thinking = thinkingOf(sweep.header);
  const price = priceOf(sweep.header.model, opts.prices);
  const todo = sweep.prompts.filter((p) => (sweep.samples.get(p.key)?.size ?? 0) < n);
  const perPrompt = Math.max(1, Math.min(n, opts.concurrency));
  const lanes = Math.max(1, Math.floor(opts.concurrency / perPrompt));
  let fatal: string | null = null;
  let cancelled = false;
  let anyFailed = false;
  let next = 0;
  const lane = async () => {
    while (next < todo.length && !fatal && !opts.signal?.aborted) {
      const p = todo[next++]!;
      const got = sweep.samples.get(p.key) ?? new Map<number, SweepSampleLine>();
      const existing: FinishedSample[] = [...got.values()].map(({ type: _t, prompt: _p, batchId: _b, ...s }) => s as FinishedSample);
      const firstIndex = Math.max(-1, ...got.keys(), ...(sweep.failures.get(p.key) ?? []).map((f) => f.index)) + 1;
      const result = await runSamples({
        provider,
        request: requestFor(sweep.header, p, thinking),
        n,
        concurrency: perPrompt,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxRetries: opts.retries,
        ...(opts.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: opts.maxRetryWaitMs } : {}),
        price,
        existing,
        firstIndex,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEvent: (e) => {
          if (e.type === "sample") {
            const line = writer.write<SweepSampleLine>({ type: "sample", prompt: p.key, ...e.sample });
            let m = sweep.samples.get(p.key);
            if (!m) sweep.samples.set(p.key, (m = new Map()));
            m.set(line.index, line);
            opts.onEvent?.({ type: "sample", key: p.key, index: line.index });
          } else if (e.type === "failure") {
            const line = writer.write<SweepFailureLine>({ type: "failure", prompt: p.key, ...(e.failure as FailedSample) });
            addFailure(sweep, line);
            opts.onEvent?.({ type: "failure", key: p.key, index: line.index, message: line.message });
          } else if (e.type === "progress") opts.onEvent?.({ type: "progress", progress: e.progress, prompt: p.id });
        },
      });
      if (result.status === "cancelled") cancelled = true;
      else if (result.status === "failed" && result.samples.length === 0 && result.message) fatal = result.message;
      else if (result.status !== "complete") anyFailed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, todo.length) }, lane));
  const status: RunEndLine["status"] = cancelled ? "cancelled" : fatal ? "failed" : anyFailed ? "partial" : "complete";
  return status;
}

/** Ends the sweep's file with its status, from where it stands: complete when every request has a reply. */
export function endSweep(writer: SweepWriter, sweep: ParsedSweep, status?: RunEndLine["status"], message?: string): RunEndLine {
  const p = sweepProgress(sweep);
  const s: RunEndLine["status"] = status ?? (p.succeeded === p.requests ? "complete" : p.succeeded === 0 ? "failed" : "partial");
  const line = writer.write<RunEndLine>({ type: "end", status: s, ...(message ? { message } : {}), finishedAt: now() });
  sweep.end = line;
  return line;
}

/** The header of a new sweep. */
export function sweepHeader(o: { provider: string; model: string; baseURL?: string; mode: "live" | "batch"; source?: string; seed?: number; parameters: SweepHeader["parameters"]; tool: SweepHeader["tool"]; answerSpec?: SweepHeader["answerSpec"] }): Omit<SweepHeader, "type" | "schema" | "prompts"> {
  const createdAt = now();
  return {
    id: `sweep-${Date.now().toString(36)}`,
    createdAt,
    tool: o.tool,
    provider: o.provider,
    model: o.model,
    ...(o.baseURL ? { baseURL: o.baseURL } : {}),
    mode: o.mode,
    ...(o.source ? { source: o.source } : {}),
    analysis: { seed: o.seed ?? DEFAULT_SEED },
    ...(o.answerSpec ? { answerSpec: o.answerSpec } : {}),
    parameters: o.parameters,
  };
}

/** A path relative to `base` when inside it, else as given: what a sweep header records as its source. */
export function sourceName(path: string, base: string): string {
  const r = relative(base, path);
  return r && !r.startsWith("..") && !r.startsWith("/") ? r : basename(path) + (extname(path) ? "" : "/");
}

