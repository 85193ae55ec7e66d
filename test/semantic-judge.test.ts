// Semantic answer classes: the greedy clustering against one representative per class (the
// verdicts cached, manual choices winning), the most verdicts it can ask (the cost shown before
// it runs), the offline simulated judge's rule, and the judge asked through the real SDKs of
// both providers against the fake servers (the request: the judge's system prompt, no thinking,
// a one-word reply read as the verdict).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { clusterFromCache, maxVerdicts, sameKey, semanticClasses, type VerdictCache } from "../src/core/semantic";
import { judgeEstimate, judgePrompt, JUDGE_SYSTEM, providerJudge, readVerdict, simulatedJudge } from "../src/sampling/judge";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { OpenAIProvider } from "../src/sampling/openai";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";

const ANSWERS = ["Paris", "paris.", "The capital is Paris", "Lyon", "Paris, France", null, "Paris"];
/** A scripted judge: the same city is the same answer. */
const byCity = async (a: string, b: string) => /paris/i.test(a) === /paris/i.test(b);

test("clustering: distinct texts most frequent first, each against the representatives; verdicts cached both ways", async () => {
  const cache: VerdictCache = new Map();
  const asked: [string, string][] = [];
  const r = await semanticClasses(ANSWERS, async (a, b) => (asked.push([a, b]), byCity(a, b)), cache);
  assert.deepEqual(
    r.classes.map((c) => [c.representative, c.count, c.members]),
    [
      ["Paris", 5, ["Paris", "The capital is Paris", "Paris, France"]],
      ["Lyon", 1, ["Lyon"]],
    ],
  );
  assert.deepEqual(r.classOf, ["Paris", "Paris", "Paris", "Lyon", "Paris", null, "Paris"]);
  // "paris." is "Paris" after §2's normalisation: never asked; each other text once per class before it
  assert.deepEqual(asked, [
    ["The capital is Paris", "Paris"],
    ["Lyon", "Paris"],
    ["Paris, France", "Paris"],
  ]);
  assert.equal(r.asked, 3);
  assert.equal(cache.get(sameKey("Paris", "Lyon")), false);
  assert.equal(cache.get(sameKey("Lyon", "Paris")), false, "one key for both orders");
  // opened again: every verdict from the cache, nothing asked
  const again = await semanticClasses(ANSWERS, async () => assert.fail("the judge was asked again"), cache);
  assert.deepEqual([again.asked, again.cached], [0, 3]);
  assert.deepEqual(again.classOf, r.classOf);
});

test("manual choices win over the judge and ask nothing: a text merged into another's class, a text split into its own", async () => {
  const overrides = new Map([
    ["Lyon", "Paris"],
    ["Paris, France", "Paris, France"],
  ]);
  const asked: string[] = [];
  const r = await semanticClasses(ANSWERS, async (a, b) => (asked.push(`${a}|${b}`), byCity(a, b)), new Map(), overrides);
  assert.deepEqual(
    r.classes.map((c) => [c.representative, c.count]),
    [
      ["Paris", 5],
      ["Paris, France", 1],
    ],
  );
  assert.deepEqual(asked, ["The capital is Paris|Paris"], "only the text without a manual choice was judged");
});

test("the most verdicts clustering may ask: k(k−1)/2 for k distinct texts, less what the cache holds; the estimate prices them", () => {
  assert.equal(maxVerdicts(ANSWERS), 6); // 4 distinct texts
  const cache: VerdictCache = new Map([[sameKey("Paris", "Lyon"), false]]);
  assert.equal(maxVerdicts(ANSWERS, cache), 5);
  const e = judgeEstimate(ANSWERS, "claude-haiku-4-5");
  assert.equal(e.verdicts, 6);
  const perRequest = Math.ceil((JUDGE_SYSTEM.length + judgePrompt("", "").length + "The capital is Paris".length + "Paris, France".length) / 4);
  assert.equal(e.inputTokens, 6 * perRequest);
  // haiku 4.5: $1 / $5 per million tokens
  assert.ok(Math.abs(e.costUsd! - (6 * perRequest * 1 + 6 * 2 * 5) / 1e6) < 1e-12);
  assert.equal(judgeEstimate(ANSWERS, "some-unpriced-model").costUsd, null);
});

test("the verdict is the reply's first word; anything else is unclear", () => {
  assert.equal(readVerdict("SAME"), true);
  assert.equal(readVerdict("**Different** — A says 12"), false);
  assert.equal(readVerdict(" same."), true);
  assert.equal(readVerdict("They are the same"), null);
  assert.equal(readVerdict(""), null);
});

test("the simulated judge: the same numbers and content words shared by half of those either uses", async () => {
  const j = simulatedJudge();
  assert.equal(await j.same("She makes $18 every day.", "Every day she makes 18 dollars"), true);
  assert.equal(await j.same("She makes $18 every day.", "She makes $20 every day."), false, "other numbers");
  assert.equal(await j.same("The email is spam: it asks for a password.", "Spam, because it asks for the password"), true);
  assert.equal(await j.same("The email is spam.", "The email is legitimate."), false);
  assert.equal(j.stats.verdicts, 4);
});

let anthropicFake: FakeAnthropic;
let openaiFake: FakeOpenAI;
before(async () => {
  anthropicFake = await startFakeAnthropic();
  openaiFake = await startFakeOpenAI();
});
after(async () => {
  await anthropicFake.close();
  await openaiFake.close();
});

/** The fakes answer as a judge would: SAME when both answers name Paris or neither does. */
function judgeReply(prompt: string): string {
  const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec(prompt);
  return m && /paris/i.test(m[1]!) === /paris/i.test(m[2]!) ? "SAME" : "DIFFERENT";
}

test("the judge through the real SDKs: Anthropic and OpenAI fakes give the same classes; the request has the judge's system prompt and no thinking", async () => {
  anthropicFake.setDefault((req) => ({ kind: "ok", thinking: [], text: [judgeReply((req.body as { messages: { content: string }[] }).messages[0]!.content)], inputTokens: 120, outputTokens: 2 }));
  openaiFake.setDefault((req) => ({ kind: "ok", text: [judgeReply((req.body as { messages: { role: string; content: string }[] }).messages.at(-1)!.content)] }));
  const a = providerJudge(new AnthropicProvider({ apiKey: "sk-ant-test-judge", baseURL: anthropicFake.url }), "claude-haiku-4-5", { question: "What is the capital of France?" });
  const o = providerJudge(new OpenAIProvider({ apiKey: "sk-test-judge", baseURL: `${openaiFake.url}/v1` }), "gpt-4o-mini");
  const ra = await semanticClasses(ANSWERS, (x, y) => a.same(x, y));
  const ro = await semanticClasses(ANSWERS, (x, y) => o.same(x, y));
  for (const r of [ra, ro]) assert.deepEqual(r.classes.map((c) => [c.representative, c.count]), [["Paris", 5], ["Lyon", 1]]);
  assert.deepEqual([a.stats.verdicts, a.stats.unclear, a.stats.inputTokens, a.stats.outputTokens], [3, 0, 360, 6]);
  assert.ok(Math.abs(a.stats.costUsd! - (360 * 1 + 6 * 5) / 1e6) < 1e-12, String(a.stats.costUsd));
  const body = anthropicFake.requests.at(-1)!.body as { system: string; max_tokens: number; thinking?: unknown; messages: { content: string }[] };
  assert.equal(body.system, JUDGE_SYSTEM);
  assert.equal(body.max_tokens, 16);
  assert.equal(body.thinking, undefined);
  assert.match(body.messages[0]!.content, /^Question:\nWhat is the capital of France\?\n\nAnswer A:\n/);
  const obody = openaiFake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
  assert.deepEqual(obody.messages[0], { role: "system", content: JUDGE_SYSTEM });
  assert.equal(o.stats.verdicts, 3);
});

test("a judge reply that is neither word counts as different and unclear", async () => {
  anthropicFake.setDefault({ kind: "ok", thinking: [], text: ["Both answers mention a city."] });
  const a = providerJudge(new AnthropicProvider({ apiKey: "sk-ant-test-judge", baseURL: anthropicFake.url }), "claude-haiku-4-5");
  const r = await semanticClasses(["Paris", "The capital is Paris"], (x, y) => a.same(x, y));
  assert.equal(r.classes.length, 2);
  assert.equal(a.stats.unclear, 1);
});

test("from the cache alone (an analysis applying a run file's verdicts): the classes, or the first verdict still needed", async () => {
  const cache: VerdictCache = new Map();
  assert.deepEqual(clusterFromCache(ANSWERS, cache), { need: ["The capital is Paris", "Paris"] });
  await semanticClasses(ANSWERS, byCity, cache);
  const r = clusterFromCache(ANSWERS, cache);
  assert.ok("result" in r);
  assert.deepEqual(r.result.classes.map((c) => c.representative), ["Paris", "Lyon"]);
  cache.delete(sameKey("Lyon", "Paris"));
  assert.deepEqual(clusterFromCache(ANSWERS, cache), { need: ["Lyon", "Paris"] });
});
