// The Anthropic provider: the real @anthropic-ai/sdk against a fake Messages server on
// 127.0.0.1 that speaks the streaming protocol: thinking in both forms, redacted thinking,
// truncation, each fault and what the user sees, and (through the run engine) that no finished
// sample is lost.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { AnthropicProvider, claudeRules, claudeVersion, defaultThinking } from "../src/sampling/anthropic";
import { runSamples, type RunEvent } from "../src/sampling/engine";
import { SamplingError, type ProviderEvent, type SampleRequest } from "../src/sampling/types";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";

const KEY = "sk-ant-secret-000";
let fake: FakeAnthropic;
let provider: AnthropicProvider;
before(async () => {
  fake = await startFakeAnthropic();
  provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url });
});
after(() => fake.close());

const request: SampleRequest = { prompt: "Janet's ducks lay 16 eggs…", model: "claude-sonnet-4-5", maxTokens: 8000, thinking: { type: "budget", budgetTokens: 2048 } };

async function collect(r = request): Promise<{ events: ProviderEvent[]; thinking: string; text: string }> {
  const events: ProviderEvent[] = [];
  for await (const e of provider.stream(r, new AbortController().signal)) events.push(e);
  return {
    events,
    thinking: events.map((e) => (e.type === "thinking" ? e.text : "")).join(""),
    text: events.map((e) => (e.type === "text" ? e.text : "")).join(""),
  };
}

async function failure(r = request): Promise<SamplingError> {
  try {
    await collect(r);
  } catch (e) {
    assert.ok(e instanceof SamplingError, `a SamplingError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a failure");
}

test("thinking blocks are the trace, the text is the reply, usage and the stop arrive", async () => {
  fake.enqueue({ kind: "ok", thinking: ["16 - 3 = 13.", " 13 - 4 = 9.", " 9 * 2 = 18."], text: ["She makes ", "$18.", "\nAnswer: 18"], inputTokens: 50, outputTokens: 120 });
  const r = await collect();
  assert.equal(r.thinking, "16 - 3 = 13. 13 - 4 = 9. 9 * 2 = 18.");
  assert.equal(r.text, "She makes $18.\nAnswer: 18");
  const usage = r.events.filter((e) => e.type === "usage");
  assert.equal(usage[0]!.type === "usage" && usage[0]!.inputTokens, 50);
  assert.equal(usage.at(-1)!.type === "usage" && usage.at(-1)!.outputTokens, 120);
  assert.deepEqual(r.events.at(-1), { type: "stop", reason: "end_turn", truncated: false });
});

test("the request: streamed, a thinking budget asked to be returned (summarized), the key only in a header", async () => {
  fake.enqueue({ kind: "ok" });
  await collect({ ...request, system: "Be careful." });
  const req = fake.requests.at(-1)!;
  assert.equal(req.path, "/v1/messages");
  assert.equal(req.body.stream, true);
  assert.deepEqual(req.body.thinking, { type: "enabled", budget_tokens: 2048, display: "summarized" });
  assert.equal(req.body.system, "Be careful.");
  assert.equal(req.body.max_tokens, 8000);
  assert.deepEqual(req.body.messages, [{ role: "user", content: "Janet's ducks lay 16 eggs…" }]);
  assert.ok(!JSON.stringify(req.body).includes(KEY));
  assert.ok(String(req.headers["x-api-key"] ?? req.headers.authorization).includes(KEY));
});

test("adaptive thinking for the models that take it", async () => {
  fake.enqueue({ kind: "ok" });
  await collect({ ...request, model: "claude-opus-4-7", thinking: { type: "adaptive" } });
  assert.deepEqual(fake.requests.at(-1)!.body.thinking, { type: "adaptive", display: "summarized" });
  fake.enqueue({ kind: "ok" });
  await collect({ ...request, thinking: { type: "none" }, temperature: 0.3 });
  assert.equal(fake.requests.at(-1)!.body.thinking, undefined);
  assert.equal(fake.requests.at(-1)!.body.temperature, 0.3);
});

test("redacted thinking is counted; a max_tokens stop is truncated", async () => {
  fake.enqueue({ kind: "ok", thinking: ["visible"], redactedThinking: 2, text: ["The answer is"], stopReason: "max_tokens" });
  const r = await collect();
  assert.equal(r.events.filter((e) => e.type === "redacted_thinking").length, 2);
  assert.deepEqual(r.events.at(-1), { type: "stop", reason: "max_tokens", truncated: true });
  fake.enqueue({ kind: "ok", redactedThinking: 1, thinking: [], text: ["Answer: 18"] });
  const s = await runSamples({ provider, request, n: 1 });
  assert.equal(s.samples[0]!.redactedThinking, 1);
});

test("thinking-model rules are enforced before any request, with a clear message", () => {
  const cases: [Partial<SampleRequest>, RegExp][] = [
    [{ temperature: 0.5 }, /with thinking on, Claude accepts only temperature 1/],
    [{ model: "claude-opus-4-7", thinking: { type: "none" }, temperature: 0.5 }, /accepts no temperature other than 1/],
    [{ model: "claude-opus-4-7" }, /takes adaptive thinking only/],
    [{ model: "claude-sonnet-5" }, /takes adaptive thinking only/],
    [{ model: "claude-sonnet-4-5", thinking: { type: "adaptive" } }, /has no adaptive thinking/],
    [{ thinking: { type: "budget", budgetTokens: 512 } }, /at least 1024/],
    [{ thinking: { type: "budget", budgetTokens: 9000 } }, /must be below max tokens/],
  ];
  for (const [change, re] of cases) assert.match(provider.check({ ...request, ...change }) ?? "(accepted)", re);
  assert.equal(provider.check(request), null);
  assert.equal(provider.check({ ...request, model: "claude-opus-4-6", thinking: { type: "adaptive" } }), null);
  assert.equal(provider.check({ ...request, thinking: { type: "none" }, temperature: 0.5 }), null);
  assert.equal(provider.check({ ...request, temperature: 1 }), null);
});

test("models whose thinking is always on refuse --thinking off before any request, saying what to do", () => {
  // Fable and Mythos (every version) and Opus 5.5 answer thinking: {type: "disabled"} with a 400
  // (Anthropic's Fable 5 migration guide, "What's new in Claude Opus 5.5").
  for (const model of ["claude-opus-5-5", "claude-fable-5-2", "claude-fable-5-1", "claude-fable-5", "claude-mythos-5-2", "claude-mythos-5", "claude-opus-5-5-20260922"]) {
    const refused = provider.check({ ...request, model, thinking: { type: "none" } });
    assert.match(refused ?? "(accepted)", /always thinks \(its adaptive thinking cannot be turned off\): drop --thinking off/, model);
    assert.match(refused!, /claude-sonnet-5-5/, "names a model that can answer without thinking");
    assert.equal(provider.check({ ...request, model, thinking: { type: "adaptive" } }), null, model);
  }
  for (const model of ["claude-sonnet-5-5", "claude-sonnet-5", "claude-opus-5", "claude-haiku-5-5", "claude-opus-4-8", "claude-haiku-4-5"])
    assert.equal(provider.check({ ...request, model, thinking: { type: "none" } }), null, model);
});

test("--thinking off really turns thinking off on the models that think by default", async () => {
  // Claude 5 models think when the field is omitted: Sonnet 5, Opus 5 and Haiku 5.5 take
  // {type: "disabled"}; Sonnet 5.5 refuses that and takes {type: "between_tools"} instead, which
  // without tools is a plain answer. Earlier models think only when asked: the field stays out.
  const cases: [string, unknown][] = [
    ["claude-sonnet-5-5", { type: "between_tools" }],
    ["claude-sonnet-5-5-20260928", { type: "between_tools" }],
    ["claude-sonnet-5", { type: "disabled" }],
    ["claude-opus-5", { type: "disabled" }],
    ["claude-haiku-5-5", { type: "disabled" }],
    ["claude-opus-4-8", undefined],
    ["claude-haiku-4-5", undefined],
    ["my-proxy-model", undefined],
  ];
  for (const [model, thinking] of cases) {
    fake.enqueue({ kind: "ok", thinking: [] });
    await collect({ ...request, model, thinking: { type: "none" } });
    assert.deepEqual(fake.requests.at(-1)!.body.thinking, thinking, model);
  }
});

test("model generations: versions and thinking forms", () => {
  assert.deepEqual(claudeVersion("claude-sonnet-4-5-20250929"), { major: 4, minor: 5 });
  assert.deepEqual(claudeVersion("claude-3-7-sonnet-20250219"), { major: 3, minor: 7 });
  assert.deepEqual(claudeVersion("claude-opus-5"), { major: 5, minor: 0 });
  assert.deepEqual(claudeVersion("claude-haiku-4-5-20251001"), { major: 4, minor: 5 });
  assert.equal(claudeVersion("my-proxy-model"), null);
  assert.deepEqual(claudeVersion("claude-fable-5-2"), { major: 5, minor: 2 });
  assert.deepEqual(claudeVersion("claude-sonnet-5-5-20260928"), { major: 5, minor: 5 });
  assert.deepEqual(claudeRules("claude-opus-4-6"), { adaptive: true, budget: true, temperature: true, off: "omit" });
  assert.deepEqual(claudeRules("claude-opus-4-7"), { adaptive: true, budget: false, temperature: false, off: "omit" });
  assert.deepEqual(claudeRules("claude-mythos-preview"), { adaptive: true, budget: false, temperature: false, off: null });
  assert.deepEqual(claudeRules("claude-sonnet-4-5"), { adaptive: false, budget: true, temperature: true, off: "omit" });
  assert.deepEqual(claudeRules("claude-sonnet-5-5"), { adaptive: true, budget: false, temperature: false, off: "between_tools" });
  assert.deepEqual(claudeRules("claude-haiku-5-5"), { adaptive: true, budget: false, temperature: false, off: "disabled" });
  assert.deepEqual(claudeRules("claude-opus-5-5"), { adaptive: true, budget: false, temperature: false, off: null });
  assert.deepEqual(claudeRules("claude-fable-5-2"), { adaptive: true, budget: false, temperature: false, off: null });
  assert.deepEqual(defaultThinking("claude-sonnet-4-5"), { type: "budget", budgetTokens: 4096 });
  assert.deepEqual(defaultThinking("claude-sonnet-5"), { type: "adaptive" });
  assert.deepEqual(defaultThinking("claude-sonnet-5-5"), { type: "adaptive" });
  assert.deepEqual(defaultThinking("claude-haiku-4-5"), { type: "budget", budgetTokens: 4096 });
  assert.deepEqual(defaultThinking("claude-opus-4-6", 3000), { type: "budget", budgetTokens: 3000 });
});

test("faults: each is reported as what it is, in the API's own words, never with the key", async () => {
  const cases: [Parameters<FakeAnthropic["enqueue"]>[0], string, RegExp, number?][] = [
    [{ kind: "http-error", status: 401, type: "authentication_error", message: "invalid x-api-key" }, "auth", /answered 401 authentication_error: invalid x-api-key/],
    [{ kind: "http-error", status: 403, type: "permission_error", message: "Your API key does not have permission to use the specified resource." }, "auth", /403 permission_error/],
    [{ kind: "http-error", status: 400, type: "invalid_request_error", message: "messages: roles must alternate" }, "request", /400 invalid_request_error: messages: roles must alternate/],
    [{ kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "3" }, "rate_limit", /429 rate_limit_error/, 3000],
    [{ kind: "http-error", status: 500, type: "api_error" }, "server", /500 api_error/],
    [{ kind: "http-error", status: 529, type: "overloaded_error", message: "Overloaded" }, "overloaded", /529 overloaded_error: Overloaded/],
    [{ kind: "error-event", type: "overloaded_error", message: "Overloaded" }, "overloaded", /mid-stream \(overloaded_error\): Overloaded/],
    [{ kind: "reset", afterChunks: 4 }, "connection", /connection to Anthropic .*(failed|dropped)/],
    [{ kind: "malformed" }, "protocol", /not valid JSON/],
    [{ kind: "no-stop" }, "incomplete", /without message_stop/],
  ];
  for (const [scenario, kind, message, retryAfter] of cases) {
    fake.enqueue(scenario);
    const e = await failure();
    assert.equal(e.kind, kind, `${JSON.stringify(scenario)} → ${e.kind}: ${e.message}`);
    assert.match(e.message, message);
    if (retryAfter !== undefined) assert.equal(e.retryAfterMs, retryAfter);
    assert.ok(!e.message.includes(KEY));
  }
});

test("through the engine: 429 (retry-after), 529, an error event, a reset, a stall and a lost stop are all retried; every sample arrives", async () => {
  fake.enqueue(
    { kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "0.05" },
    { kind: "http-error", status: 529, type: "overloaded_error" },
    { kind: "error-event", afterChunks: 5, type: "overloaded_error" },
    { kind: "reset", afterChunks: 4 },
    { kind: "stall", afterChunks: 3 },
    { kind: "no-stop", afterChunks: 6 },
  );
  fake.setDefault({ kind: "ok", thinking: ["13 - 4 = 9"], text: ["Answer: 18"] });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider, request, n: 6, concurrency: 3, idleTimeoutMs: 300, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 6);
  assert.ok(r.samples.every((s) => s.text === "Answer: 18" && s.thinking === "13 - 4 = 9"));
  const retries = events.filter((e) => e.type === "retry");
  assert.equal(retries.length, 6);
  for (const re of [/429/, /529/, /mid-stream/, /connection/, /no data/, /without message_stop/]) assert.ok(retries.some((e) => e.type === "retry" && re.test(e.reason)), `a retry for ${re}`);
  fake.setDefault({ kind: "ok" });
});

test("a 401 in the middle of a run fails it at once; the finished samples are kept", async () => {
  fake.setDefault((_req, i) => (i % 4 === 3 ? { kind: "http-error", status: 401, type: "authentication_error", message: "invalid x-api-key" } : { kind: "ok", chunkDelayMs: 5 }));
  const r = await runSamples({ provider, request, n: 12, concurrency: 1 });
  assert.equal(r.status, "failed");
  assert.match(r.message!, /401 authentication_error: invalid x-api-key/);
  assert.ok(r.samples.length >= 1 && r.samples.length < 12);
  fake.setDefault({ kind: "ok" });
});

test("a server that quotes the key back in its error: the message is redacted", async () => {
  fake.enqueue({ kind: "http-error", status: 401, type: "authentication_error", message: `invalid x-api-key: ${KEY}` });
  const e = await failure();
  assert.equal(e.kind, "auth");
  assert.ok(!e.message.includes(KEY), e.message);
  assert.match(e.message, /\[redacted\]/);
});
