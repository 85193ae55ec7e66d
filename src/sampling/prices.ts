// Token prices, for the cost of a run. The table holds list prices in US dollars per million
// tokens, as published by the providers; thinking and reasoning tokens are billed as output.
// Prices change: the user overrides or extends the table (`--prices FILE` for the CLI, a
// setting in the editor), and a model not in it has an "unknown" cost, never a guess.

export interface Price {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens (thinking included). */
  output: number;
  /** USD per million input tokens read from the prompt cache (Anthropic "cache hits", OpenAI "cached input"); absent: billed as input. */
  cacheRead?: number;
  /** USD per million input tokens written to the prompt cache (Anthropic's 5-minute cache writes); absent: billed as input. */
  cacheWrite?: number;
  /**
   * Where a provider bills long prompts higher: above `above` input tokens (cached ones
   * included), the whole request at these rates; the cache rates scale with the input rate
   * unless given.
   */
  longPrompt?: { above: number; input: number; output: number; cacheRead?: number; cacheWrite?: number };
}

export type PriceTable = Record<string, Price>;

/**
 * List prices (standard tier), as read on 2026-12-04:
 * - Anthropic: platform.claude.com, the models overview (Fable 5.2, Opus 5.5, Sonnet 5.5, Haiku 5.5),
 *   each model's page (Sonnet 5, Opus 5, Fable 5 and Mythos 5, Sonnet 4.6, Haiku 4.5) and the
 *   pricing page (Fable 5.1, Mythos 5.1, Opus 4.5 to 4.8). Claude Mythos 5.2 has no published
 *   price we could find: unpriced.
 * - OpenAI: developers.openai.com, each model's page (GPT-5.6 Terra, GPT-5.6 Luna; prompts over
 *   272K input tokens cost 2x input and 1.5x output). GPT-5.6 Sol's page gives only a promotional
 *   price "at least until November 21, 2026": unpriced.
 * The older entries below them are the 2025-11 list prices of models since deprecated or retired,
 * kept for the runs that still name them.
 * A model id matches an entry exactly, or followed by a snapshot date (see priceOf).
 *
 * Prompt-cache prices (cacheRead, cacheWrite), as read on 2026-12-05:
 * - Anthropic: cache hits and 5-minute cache writes (the providers write 5-minute entries: no
 *   ttl), from platform.claude.com's pricing page (Fable 5.1, Mythos 5.1: hits $0.25, 0.025x;
 *   Fable 5, Mythos 5: $1; Opus 4.5 to 5: $0.50 and $6.25; Opus 4 and 4.1: $1.50 and $18.75) and
 *   model pages (Sonnet 5 and 5.5: $0.20 and $2.50). Where neither page was found in full, the
 *   documented multipliers of every other model (hits 0.1x input, 5-minute writes 1.25x): Sonnet
 *   4.x, 3.7, Haiku 4.5 and 5.5, Haiku 3.5 (which the 2025 pricing page listed: $0.08 and $1).
 *   Opus 5.5 (hits $0.20, 0.05x; writes $5) and Fable 5.2 (hits $0.20, 0.025x) are read from
 *   trackers that quote the pricing page (no official page was found whole): check them first
 *   when a bill disagrees.
 * - OpenAI: "cached input" from each model's page (2025-11 for the older models: GPT-5 family
 *   0.1x input, GPT-4.1 and o3 / o4-mini 0.25x, GPT-4o and o3-mini 0.5x); GPT-5.6 Terra and Luna
 *   at 0.1x input, the GPT-5 family's rate, as their pages' resellers list it (cached input over
 *   272K is doubled with the input). OpenAI bills no cache writes: none is set.
 */
export const DEFAULT_PRICES: PriceTable = {
  "claude-fable-5-2": { input: 8, output: 40, cacheRead: 0.2, cacheWrite: 10 },
  "claude-fable-5-1": { input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 },
  "claude-mythos-5-1": { input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 },
  "claude-fable-5": { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
  "claude-mythos-5": { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
  "claude-opus-5-5": { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 },
  "claude-opus-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-8": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-7": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-6": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-sonnet-5-5": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
  "claude-sonnet-5": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
  "claude-sonnet-4-6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  // "$0.10 / MTok for prompts up to 100,000 tokens, $0.50 / MTok for prompts over 100,000 tokens"
  "claude-haiku-5-5": { input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125, longPrompt: { above: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625 } },
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "gpt-5.6-terra": { input: 2, output: 12, cacheRead: 0.2, longPrompt: { above: 272_000, input: 4, output: 18, cacheRead: 0.4 } },
  "gpt-5.6-luna": { input: 0.2, output: 1.2, cacheRead: 0.02, longPrompt: { above: 272_000, input: 0.4, output: 1.8, cacheRead: 0.04 } },
  // 2025-11 list prices; these models are deprecated or retired since
  "claude-opus-4-1": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-opus-4-0": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-opus-4-20250514": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4-0": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4-20250514": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-7-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  "gpt-5": { input: 1.25, output: 10, cacheRead: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cacheRead: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cacheRead: 0.005 },
  "gpt-4.1": { input: 2, output: 8, cacheRead: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cacheRead: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cacheRead: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  "o3-mini": { input: 1.1, output: 4.4, cacheRead: 0.55 },
  "o4-mini": { input: 1.1, output: 4.4, cacheRead: 0.275 },
};

/**
 * What may follow an entry in an id that names the same model: a snapshot date
 * (claude-haiku-4-5-20251001, gpt-5-2025-08-07, Vertex's claude-sonnet-5@20260630) or -latest.
 * Anything else is another model: claude-sonnet-5-5 is not claude-sonnet-5, gpt-5-pro not gpt-5.
 */
const SAME_MODEL = /^(?:-\d{8}|-\d{4}-\d{2}-\d{2}|@\d{8}|-latest)$/;

/** The price of a model: an exact entry, else the entry its id names with a snapshot date; null when unknown. */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): Price | null {
  if (table[model]) return table[model]!;
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && SAME_MODEL.test(model.slice(key.length)) && (best === null || key.length > best.length)) best = key;
  }
  return best === null ? null : table[best]!;
}

/**
 * Cost in USD of the tokens, or null when the model's price is unknown. `inputTokens` is the
 * whole prompt; `cache` says how many of them were read from / written to the prompt cache,
 * billed at the cache rates (the input rate where the price has none).
 */
export function costOf(price: Price | null, inputTokens: number, outputTokens: number, cache: { readTokens?: number; writeTokens?: number } = {}): number | null {
  if (price === null) return null;
  const long = price.longPrompt && inputTokens > price.longPrompt.above ? price.longPrompt : null;
  const rate = long ?? price;
  const scale = long ? long.input / price.input : 1;
  const readRate = long?.cacheRead ?? (price.cacheRead !== undefined ? price.cacheRead * scale : rate.input);
  const writeRate = long?.cacheWrite ?? (price.cacheWrite !== undefined ? price.cacheWrite * scale : rate.input);
  const read = Math.max(0, Math.min(cache.readTokens ?? 0, inputTokens));
  const write = Math.max(0, Math.min(cache.writeTokens ?? 0, inputTokens - read));
  return ((inputTokens - read - write) * rate.input + read * readRate + write * writeRate + outputTokens * rate.output) / 1e6;
}

/** Checks a user's price table (parsed JSON); throws with a clear message when it is malformed. */
export function parsePriceTable(value: unknown, source: string): PriceTable {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${source}: a price table is an object {"model": {"input": USD per million, "output": USD per million}}`);
  const out: PriceTable = {};
  const rate = (v: unknown): v is number => typeof v === "number" && v >= 0 && Number.isFinite(v);
  for (const [model, p] of Object.entries(value as Record<string, unknown>)) {
    const q = p as Record<string, unknown> | null;
    if (!q || !rate(q.input) || !rate(q.output)) throw new Error(`${source}: "${model}" needs numbers "input" and "output" (USD per million tokens), e.g. {"input": 3, "output": 15}`);
    for (const k of ["cacheRead", "cacheWrite"] as const)
      if (q[k] !== undefined && !rate(q[k])) throw new Error(`${source}: "${model}": "${k}" is USD per million tokens, a number (or left out: billed as input)`);
    // an entry replaces the built-in one whole: cache rates left out bill cached tokens as input
    out[model] = { input: q.input, output: q.output, ...(rate(q.cacheRead) ? { cacheRead: q.cacheRead } : {}), ...(rate(q.cacheWrite) ? { cacheWrite: q.cacheWrite } : {}) };
  }
  return out;
}

/** Dollars as every face shows them: four decimals under a cent, else two. */
export function fmtUsd(c: number): string {
  return c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`;
}

/** A token count: 950, 12.3k, 1.25M; `grouped`: 1,536 rather than 1536 under 10k (the editor's sentences; the CLI's live line keeps it short). */
export function fmtTokens(n: number, grouped = false): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : grouped ? fmtCount(n) : String(n);
}

/** A count with thousands separators: 30,000. */
export function fmtCount(n: number): string {
  return n.toLocaleString("en-US");
}
