// The built-in price table: the current models are priced (only from sourced list prices), a model
// id lands on its own model's entry and never on a neighbour's, and a long prompt is billed at its
// tier where the provider prices long prompts higher.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_MODELS } from "../src/sampling/defaults";
import { costOf, DEFAULT_PRICES, parsePriceTable, priceOf, type PriceTable } from "../src/sampling/prices";

test("an id is priced by its own model's entry: a longer version is another model, a snapshot date or -latest is the same one", () => {
  const table: PriceTable = { "claude-sonnet-5": { input: 2, output: 10 }, "gpt-5": { input: 1.25, output: 10 }, "claude-3-7-sonnet": { input: 3, output: 15 } };
  assert.equal(priceOf("claude-sonnet-5-5", table), null, "claude-sonnet-5 must not price claude-sonnet-5-5");
  assert.equal(priceOf("claude-sonnet-5-5-20260928", table), null);
  assert.equal(priceOf("gpt-5-pro", table), null, "gpt-5 must not price gpt-5-pro");
  assert.equal(priceOf("gpt-5-chat-latest", table), null);
  assert.deepEqual(priceOf("claude-sonnet-5", table), { input: 2, output: 10 });
  assert.deepEqual(priceOf("claude-sonnet-5-20260630", table), { input: 2, output: 10 });
  assert.deepEqual(priceOf("claude-sonnet-5@20260630", table), { input: 2, output: 10 });
  assert.deepEqual(priceOf("gpt-5-2025-08-07", table), { input: 1.25, output: 10 });
  assert.deepEqual(priceOf("claude-3-7-sonnet-latest", table), { input: 3, output: 15 });
  assert.deepEqual(priceOf("claude-3-7-sonnet-20250219", table), { input: 3, output: 15 });
});

test("the built-in table: date-suffixed ids land on their model, neighbours stay apart, models without a sourced price stay unpriced", () => {
  const cases: [string, number | null, number | null][] = [
    ["claude-sonnet-5-5", 2, 10],
    ["claude-sonnet-5-5-20260928", 2, 10],
    ["claude-sonnet-5", 2, 10],
    ["claude-opus-5-5", 4, 20],
    ["claude-opus-5", 5, 25],
    ["claude-fable-5-2", 8, 40],
    ["claude-fable-5-1", 10, 50],
    ["claude-fable-5", 10, 50],
    ["claude-haiku-5-5", 0.1, 0.5],
    ["claude-haiku-4-5-20251001", 1, 5],
    ["claude-sonnet-4-6", 3, 15],
    ["claude-opus-4-8", 5, 25],
    ["gpt-5.6-terra", 2, 12],
    ["gpt-5.6-terra-2026-07-09", 2, 12],
    ["gpt-5.6-luna", 0.2, 1.2],
    // no official list price found (Mythos 5.2), or only a promotional one (GPT-5.6 Sol): unknown, not a neighbour's
    ["claude-mythos-5-2", null, null],
    ["gpt-5.6-sol", null, null],
    ["gpt-5-pro", null, null],
  ];
  for (const [model, input, output] of cases) {
    const p = priceOf(model);
    assert.deepEqual(p && { input: p.input, output: p.output }, input === null ? null : { input, output }, model);
  }
});

test("the default models are priced", () => {
  for (const name of ["anthropic", "openai"]) assert.notEqual(priceOf(DEFAULT_MODELS[name]!), null, `${name}: ${DEFAULT_MODELS[name]} has no price`);
});

test("a long prompt is billed at the long-prompt rates for the whole request", () => {
  // Claude Haiku 5.5: $0.10 / $0.50 for prompts up to 100,000 tokens, $0.50 / $2.50 over.
  const haiku = priceOf("claude-haiku-5-5");
  assert.equal(costOf(haiku, 100_000, 1_000), (100_000 * 0.1 + 1_000 * 0.5) / 1e6);
  assert.equal(costOf(haiku, 100_001, 1_000), (100_001 * 0.5 + 1_000 * 2.5) / 1e6);
  // GPT-5.6 Terra: over 272K input tokens, 2x input and 1.5x output.
  const terra = priceOf("gpt-5.6-terra");
  assert.equal(costOf(terra, 272_000, 1_000), (272_000 * 2 + 1_000 * 12) / 1e6);
  assert.equal(costOf(terra, 300_000, 1_000), (300_000 * 4 + 1_000 * 18) / 1e6);
  // a flat price stays flat
  assert.equal(costOf(priceOf("claude-sonnet-5-5"), 500_000, 1_000), (500_000 * 2 + 1_000 * 10) / 1e6);
  assert.equal(costOf(null, 10, 10), null);
});

test("every current model the installed @anthropic-ai/sdk lists is priced, or known to have no published price", () => {
  // A new SDK brings new models: this says which to price (from the pricing page, with its date).
  const root = dirname(require.resolve("@anthropic-ai/sdk"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DEPRECATED_MODELS } = require(join(root, "internal/data/deprecated-models.js")) as { DEPRECATED_MODELS: Record<string, string> };
  const dts = readFileSync(join(root, "resources/messages/messages.d.ts"), "utf8");
  const listed = [...(/export type Model = ([^;]+);/.exec(dts)?.[1] ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  assert.ok(listed.length > 0, "the SDK's Model list was not found");
  const noPublishedPrice = new Set(["claude-mythos-5-2"]);
  const missing = listed.filter((m) => !(m in DEPRECATED_MODELS) && !noPublishedPrice.has(m) && priceOf(m) === null);
  assert.deepEqual(missing, [], `no price for ${missing.join(", ")}: add them to DEFAULT_PRICES in src/sampling/prices.ts from the providers' pricing pages (with the date)`);
  for (const m of noPublishedPrice) assert.equal(priceOf(m), null, `${m} now has a price: drop it from this list`);
  assert.ok(Object.keys(DEFAULT_PRICES).length > 0);
});

test("cached input is billed at the cache rates: reads and 5-minute writes for Claude, cached input for OpenAI; a price without them bills cached tokens as input", () => {
  // Claude Sonnet 4.6: $3 input, $0.30 cache hits, $3.75 5-minute writes, $15 output
  const sonnet = priceOf("claude-sonnet-4-6");
  assert.equal(costOf(sonnet, 10_000, 500, { readTokens: 8_000 }), (2_000 * 3 + 8_000 * 0.3 + 500 * 15) / 1e6);
  assert.equal(costOf(sonnet, 10_000, 500, { writeTokens: 8_000 }), (2_000 * 3 + 8_000 * 3.75 + 500 * 15) / 1e6);
  assert.equal(costOf(sonnet, 10_000, 500, {}), costOf(sonnet, 10_000, 500));
  // GPT-4o: cached input half price
  assert.equal(costOf(priceOf("gpt-4o"), 4_096, 100, { readTokens: 3_072 }), (1_024 * 2.5 + 3_072 * 1.25 + 100 * 10) / 1e6);
  // a long prompt: the cache rates of the long tier
  const haiku = priceOf("claude-haiku-5-5");
  assert.equal(costOf(haiku, 200_000, 1_000, { readTokens: 150_000 }), (50_000 * 0.5 + 150_000 * 0.05 + 1_000 * 2.5) / 1e6);
  const terra = priceOf("gpt-5.6-terra");
  assert.equal(costOf(terra, 300_000, 1_000, { readTokens: 200_000 }), (100_000 * 4 + 200_000 * 0.4 + 1_000 * 18) / 1e6);
  // no cache rates (a user's entry): billed as input
  assert.equal(costOf({ input: 1, output: 2 }, 1_000, 10, { readTokens: 900, writeTokens: 100 }), (1_000 * 1 + 10 * 2) / 1e6);
  // counts past the prompt are clamped to it
  assert.equal(costOf(sonnet, 1_000, 0, { readTokens: 5_000 }), (1_000 * 0.3) / 1e6);
});

test("every built-in Claude price has its cache rates, every OpenAI one its cached input rate, and none costs more than input", () => {
  for (const [model, p] of Object.entries(DEFAULT_PRICES)) {
    assert.ok(p.cacheRead !== undefined && p.cacheRead < p.input, `${model}: cache reads`);
    if (model.startsWith("claude-")) assert.ok(p.cacheWrite !== undefined && p.cacheWrite > p.input, `${model}: 5-minute cache writes cost more than input`);
    else assert.equal(p.cacheWrite, undefined, `${model}: OpenAI bills no cache writes`);
  }
});

test("a user's price table may give cache rates; a bad one is refused with the field named", () => {
  assert.deepEqual(parsePriceTable({ m: { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 }, n: { input: 1, output: 2 } }, "prices.json"), {
    m: { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 },
    n: { input: 1, output: 2 },
  });
  assert.throws(() => parsePriceTable({ m: { input: 1, output: 2, cacheRead: "cheap" } }, "prices.json"), /prices\.json: "m": "cacheRead" is USD per million tokens/);
});
