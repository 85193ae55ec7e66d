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
import { freePort } from "./support/net";

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

test("a mid-stream invalid_request_error is a request error, not retried, like the same error before the stream", async () => {
  fake.enqueue({ kind: "error-event", type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum", afterChunks: 4 });
  const e = await failure();
  assert.equal(e.kind, "request");
  assert.equal(e.retryable, false);
  assert.match(e.message, /mid-stream \(invalid_request_error\): prompt is too long/);
  fake.enqueue({ kind: "error-event", type: "api_error", message: "Internal server error" });
  assert.equal((await failure()).kind, "server");
});

test("through the engine: an error mid-stream keeps what the model had said, with the failure's reason and where it went", async () => {
  // message_start, the thinking block (3 deltas, signature, stop), the text block's start and first delta: then the error
  fake.enqueue({ kind: "error-event", type: "invalid_request_error", message: "prompt is too long", afterChunks: 9 });
  const r = await runSamples({ provider, request, n: 3, concurrency: 1 });
  assert.equal(r.status, "failed");
  assert.equal(r.failures.length, 1);
  const f = r.failures[0]!;
  assert.deepEqual(f.partial, { thinking: "Let me work this out. Two plus two is four.", text: "The answer" });
  assert.equal(f.kind, "request");
  assert.equal(f.retryable, false);
  assert.equal(f.url, `${fake.url}/v1/messages`);
  // retried until the retries ran out: the last attempt's words; the HTTP status, request id and URL of an HTTP error
  fake.enqueue({ kind: "error-event", type: "overloaded_error", afterChunks: 4 }, { kind: "error-event", type: "overloaded_error", afterChunks: 9 });
  const o = await runSamples({ provider, request, n: 1, maxRetries: 1, backoffBaseMs: 1 });
  assert.deepEqual(o.failures[0]!.partial, { thinking: "Let me work this out. Two plus two is four.", text: "The answer" });
  assert.equal(o.failures[0]!.retryable, true);
  fake.enqueue({ kind: "http-error", status: 500, type: "api_error" });
  const s = await runSamples({ provider, request, n: 1, maxRetries: 0 });
  assert.equal(s.failures[0]!.status, 500);
  assert.match(s.failures[0]!.requestId ?? "", /^req_011C/);
  assert.equal(s.failures[0]!.requestId, fake.requests.at(-1) && s.failures[0]!.requestId);
  assert.equal(s.failures[0]!.url, `${fake.url}/v1/messages`);
  assert.equal(s.failures[0]!.partial, undefined);
});

test("a base URL with credentials in it is refused before any request, and the message never holds them", async () => {
  const before = fake.requests.length;
  const host = fake.url.slice("http://".length);
  for (const [url, re] of [
    [`http://hotmess:hunter2-secret-pw@${host}`, /user name and password/],
    [`http://hunter2-secret-pw@${host}`, /has a user name in it/],
    [`${fake.url}/?api_key=hunter2-secret-pw`, /key in its query \(api_key=…\)/],
    [`${fake.url}?key=hunter2-secret-pw&x=1`, /key in its query \(key=…\)/],
    [`${fake.url}/sk-ant-api03-hunter2secretpw/`, /looks like an API key/],
  ] as const) {
    const p = new AnthropicProvider({ apiKey: KEY, baseURL: url });
    const refused = p.check(request);
    assert.ok(refused, `${url} is refused`);
    assert.match(refused, re);
    assert.match(refused, /ANTHROPIC_API_KEY/);
    assert.ok(!refused.includes("hunter2"), refused);
    // the run engine refuses it too, for a caller that forgot check(): a refused request, never sent
    const run = await runSamples({ provider: p, request, n: 2, maxRetries: 0 });
    assert.equal(run.status, "failed");
    const e = run.failures[0]!;
    assert.equal(e.kind, "request");
    assert.ok(!e.message.includes("hunter2"), e.message);
  }
  assert.equal(fake.requests.length, before, "no request reached the server");
  // a query that holds no key (Azure's api-version) is fine
  assert.equal(new AnthropicProvider({ apiKey: KEY, baseURL: `${fake.url}?api-version=2024-06-01` }).check(request), null);
});


test("a server that is not there fails the run in seconds, once, naming the address and the likely fix", { timeout: 20_000 }, async () => {
  const port = await freePort();
  const cases: [string, RegExp][] = [
    [`http://127.0.0.1:${port}`, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\): is the server running\\?`)],
    ["http://api.example.invalid", /^cannot resolve api\.example\.invalid \(DNS/],
    [fake.url.replace("http:", "https:"), new RegExp(`^TLS handshake with ${fake.url.slice(7).replace(/\./g, "\\.")} failed \\(.*\\): the server may speak plain HTTP — use http://, or check its certificate`)],
  ];
  for (const [baseURL, re] of cases) {
    const p = new AnthropicProvider({ apiKey: KEY, baseURL });
    const events: RunEvent[] = [];
    const t0 = Date.now();
    const r = await runSamples({ provider: p, request, n: 8, concurrency: 4, onEvent: (e) => void events.push(e) });
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `${baseURL}: ${ms} ms`);
    assert.equal(r.status, "failed", baseURL);
    assert.match(r.message!, re);
    assert.ok(!events.some((e) => e.type === "retry"), `${baseURL}: not retried`);
    assert.equal(r.failures.length, 1, `${baseURL}: one failure`);
    assert.equal(r.failures[0]!.kind, "unreachable");
    assert.equal(r.failures[0]!.retryable, false);
  }
  // a connection that drops after data stays retryable per sample
  fake.enqueue({ kind: "reset", afterChunks: 4 });
  const e = await failure();
  assert.equal(e.kind, "connection");
  assert.equal(e.retryable, true);
});

test("retry-after in ms or as an HTTP date: honoured up to the cap; beyond it the sample fails at once, saying how long was asked", { timeout: 20_000 }, async () => {
  fake.enqueue({ kind: "http-error", status: 429, type: "rate_limit_error", headers: { "retry-after-ms": "150" } });
  const t0 = Date.now();
  const ok = await runSamples({ provider, request, n: 1, maxRetryWaitMs: 1000 });
  assert.equal(ok.samples.length, 1);
  assert.ok(Date.now() - t0 >= 145, "waited what it was asked");
  const inTwoHours = new Date(Date.now() + 2 * 3600_000).toUTCString();
  fake.enqueue({ kind: "http-error", status: 529, type: "overloaded_error", headers: { "retry-after": inTwoHours } });
  const t1 = Date.now();
  const r = await runSamples({ provider, request, n: 4, concurrency: 1, maxRetryWaitMs: 1000 });
  assert.ok(Date.now() - t1 < 2000);
  assert.equal(r.status, "failed");
  const f = r.failures[0]!;
  assert.equal(f.kind, "overloaded");
  assert.equal(f.status, 529);
  assert.ok(Math.abs(f.retryAfterMs! - 2 * 3600_000) < 5000, String(f.retryAfterMs));
  assert.match(f.message, /529 overloaded_error: Overloaded: the server asked to wait 2 h before retrying \(more than the 1 s limit/);
});
