// Token prices, for the cost of a run. The table holds list prices in US dollars per million
// tokens, as published by the providers; thinking and reasoning tokens are billed as output.
// Prices change: the user overrides or extends the table (`--prices FILE` for the CLI, a
// setting in the editor), and a model not in it has an "unknown" cost, never a guess.

export interface Price {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens (thinking included). */
  output: number;
  /** Where a provider bills long prompts higher: above `above` input tokens, the whole request at these rates. */
  longPrompt?: { above: number; input: number; output: number };
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
 */
export const DEFAULT_PRICES: PriceTable = {
  "claude-fable-5-2": { input: 8, output: 40 },
  "claude-fable-5-1": { input: 10, output: 50 },
  "claude-mythos-5-1": { input: 10, output: 50 },
  "claude-fable-5": { input: 10, output: 50 },
  "claude-mythos-5": { input: 10, output: 50 },
  "claude-opus-5-5": { input: 4, output: 20 },
  "claude-opus-5": { input: 5, output: 25 },
  "claude-opus-4-8": { input: 5, output: 25 },
  "claude-opus-4-7": { input: 5, output: 25 },
  "claude-opus-4-6": { input: 5, output: 25 },
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-sonnet-5-5": { input: 2, output: 10 },
  "claude-sonnet-5": { input: 2, output: 10 },
  "claude-sonnet-4-6": { input: 3, output: 15 },
  // "$0.10 / MTok for prompts up to 100,000 tokens, $0.50 / MTok for prompts over 100,000 tokens"
  "claude-haiku-5-5": { input: 0.1, output: 0.5, longPrompt: { above: 100_000, input: 0.5, output: 2.5 } },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "gpt-5.6-terra": { input: 2, output: 12, longPrompt: { above: 272_000, input: 4, output: 18 } },
  "gpt-5.6-luna": { input: 0.2, output: 1.2, longPrompt: { above: 272_000, input: 0.4, output: 1.8 } },
  // 2025-11 list prices; these models are deprecated or retired since
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4-0": { input: 15, output: 75 },
  "claude-opus-4-20250514": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4-0": { input: 3, output: 15 },
  "claude-sonnet-4-20250514": { input: 3, output: 15 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
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

/** Cost in USD of the tokens, or null when the model's price is unknown. */
export function costOf(price: Price | null, inputTokens: number, outputTokens: number): number | null {
  if (price === null) return null;
  const rate = price.longPrompt && inputTokens > price.longPrompt.above ? price.longPrompt : price;
  return (inputTokens * rate.input + outputTokens * rate.output) / 1e6;
}

/** Checks a user's price table (parsed JSON); throws with a clear message when it is malformed. */
export function parsePriceTable(value: unknown, source: string): PriceTable {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${source}: a price table is an object {"model": {"input": USD per million, "output": USD per million}}`);
  const out: PriceTable = {};
  for (const [model, p] of Object.entries(value as Record<string, unknown>)) {
    const q = p as Record<string, unknown> | null;
    if (!q || typeof q.input !== "number" || typeof q.output !== "number" || q.input < 0 || q.output < 0 || !Number.isFinite(q.input) || !Number.isFinite(q.output))
      throw new Error(`${source}: "${model}" needs numbers "input" and "output" (USD per million tokens), e.g. {"input": 3, "output": 15}`);
    out[model] = { input: q.input, output: q.output };
  }
  return out;
}
