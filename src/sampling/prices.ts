// Token prices, for the cost of a run. The table holds list prices in US dollars per million
// tokens, as published by the providers; thinking and reasoning tokens are billed as output.
// Prices change: the user overrides or extends the table (`--prices FILE` for the CLI, a
// setting in the editor), and a model not in it has an "unknown" cost, never a guess.

export interface Price {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens (thinking included). */
  output: number;
}

export type PriceTable = Record<string, Price>;

/** As of 2025-11 (the providers' pricing pages). A model id matches an entry by prefix, longest first. */
export const DEFAULT_PRICES: PriceTable = {
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4-0": { input: 15, output: 75 },
  "claude-opus-4-20250514": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4-0": { input: 3, output: 15 },
  "claude-sonnet-4-20250514": { input: 3, output: 15 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
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

/** The price of a model: an exact entry, else the longest entry its id starts with (then "-" or end). */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): Price | null {
  if (table[model]) return table[model]!;
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (model.length === key.length || model[key.length] === "-") && (best === null || key.length > best.length)) best = key;
  }
  return best === null ? null : table[best]!;
}

/** Cost in USD of the tokens, or null when the model's price is unknown. */
export function costOf(price: Price | null, inputTokens: number, outputTokens: number): number | null {
  if (price === null) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1e6;
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
