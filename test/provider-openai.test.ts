// The OpenAI-compatible provider: the real `openai` SDK against a fake server on 127.0.0.1 that
// speaks the chat-completions protocol, for each way servers send reasoning, and for each fault:
// what the provider reports, and (through the run engine) that no finished sample is lost.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { OpenAIProvider, ThinkSplitter } from "../src/sampling/openai";
import { runSamples, type RunEvent } from "../src/sampling/engine";
import { SamplingError, type ProviderEvent, type SampleRequest } from "../src/sampling/types";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";

let fake: FakeOpenAI;
let provider: OpenAIProvider;
before(async () => {
  fake = await startFakeOpenAI();
  provider = new OpenAIProvider({ apiKey: "sk-test-secret", baseURL: `${fake.url}/v1` });
});
after(() => fake.close());

const request: SampleRequest = { prompt: "What is 6 * 7?", model: "deepseek-reasoner", maxTokens: 500, thinking: { type: "none" } };

async function collect(p: OpenAIProvider, r = request, signal = new AbortController().signal): Promise<{ events: ProviderEvent[]; thinking: string; text: string }> {
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(r, signal)) events.push(e);
  return {
    events,
    thinking: events.map((e) => (e.type === "thinking" ? e.text : "")).join(""),
    text: events.map((e) => (e.type === "text" ? e.text : "")).join(""),
  };
}

async function failure(p: OpenAIProvider): Promise<SamplingError> {
  try {
    await collect(p);
  } catch (e) {
    assert.ok(e instanceof SamplingError, `a SamplingError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a failure");
}

for (const field of ["reasoning_content", "reasoning", "think-tags"] as const) {
  test(`reasoning from ${field}: thinking and text apart, usage, the stop`, async () => {
    fake.enqueue({ kind: "ok", reasoning: ["6 times 7", " is 42."], reasoningField: field, text: ["The answer", " is 42."], promptTokens: 12, completionTokens: 30, reasoningTokens: 8 });
    const r = await collect(provider);
    assert.equal(r.thinking, "6 times 7 is 42.");
    assert.equal(r.text, "The answer is 42.");
    const usage = r.events.filter((e) => e.type === "usage");
    assert.deepEqual(usage.at(-1), { type: "usage", inputTokens: 12, outputTokens: 30, thinkingTokens: 8 });
    assert.deepEqual(r.events.at(-1), { type: "stop", reason: "stop", truncated: false });
  });
}

test("the request: streamed, usage asked for, the model and prompt as given, the key only in the Authorization header", async () => {
  fake.enqueue({ kind: "ok" });
  await collect(provider, { ...request, system: "Be brief.", temperature: 0.7, maxTokens: 321 });
  const req = fake.requests.at(-1)!;
  assert.equal(req.path, "/v1/chat/completions");
  assert.equal(req.body.stream, true);
  assert.deepEqual(req.body.stream_options, { include_usage: true });
  assert.equal(req.body.model, "deepseek-reasoner");
  assert.equal(req.body.temperature, 0.7);
  assert.equal(req.body.max_tokens, 321);
  assert.deepEqual(req.body.messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What is 6 * 7?" },
  ]);
  assert.equal(req.headers.authorization, "Bearer sk-test-secret");
  assert.ok(!JSON.stringify(req.body).includes("sk-test-secret"));
});

test("finish_reason length is a truncated sample", async () => {
  fake.enqueue({ kind: "ok", text: ["The answer is"], finishReason: "length" });
  const r = await collect(provider);
  assert.deepEqual(r.events.at(-1), { type: "stop", reason: "length", truncated: true });
});

test("faults: each is reported as what it is", async () => {
  const cases: [Parameters<FakeOpenAI["enqueue"]>[0], string, RegExp, number?][] = [
    [{ kind: "http-error", status: 401 }, "auth", /answered 401.*(API key|api key)/i],
    [{ kind: "http-error", status: 400, message: "max_tokens is too large" }, "request", /answered 400.*max_tokens is too large/],
    [{ kind: "http-error", status: 429, retryAfter: "2" }, "rate_limit", /answered 429/, 2000],
    [{ kind: "http-error", status: 500 }, "server", /answered 500/],
    [{ kind: "http-error", status: 503 }, "overloaded", /answered 503/],
    [{ kind: "error-chunk", message: "The server had an error while processing your request" }, "server", /mid-stream.*server had an error/],
    [{ kind: "reset" }, "connection", /connection to .* (failed|dropped)/],
    [{ kind: "malformed" }, "protocol", /not valid JSON/],
    [{ kind: "no-stop" }, "incomplete", /without a finish_reason/],
    [{ kind: "ok", omitDone: true }, "incomplete", /without \[DONE\]/],
  ];
  for (const [scenario, kind, message, retryAfter] of cases) {
    fake.enqueue(scenario);
    const e = await failure(provider);
    assert.equal(e.kind, kind, `${JSON.stringify(scenario)} → ${e.kind}: ${e.message}`);
    assert.match(e.message, message);
    if (retryAfter !== undefined) assert.equal(e.retryAfterMs, retryAfter);
    assert.ok(!e.message.includes("sk-test-secret"), "the key never appears in a message");
  }
});

test("a stall is abandoned by the engine's idle timeout and retried; the sample arrives", async () => {
  fake.enqueue({ kind: "stall", afterChunks: 2 }, { kind: "ok", text: ["Answer: 42"] });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider, request, n: 1, idleTimeoutMs: 200, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.samples.length, 1);
  assert.equal(r.samples[0]!.text, "Answer: 42");
  assert.equal(r.samples[0]!.retries, 1);
  assert.ok(events.some((e) => e.type === "retry" && /no data/.test(e.reason)));
});

test("through the engine: 429 / reset / error chunk / dropped [DONE] are retried and every sample arrives; 401 fails at once", async () => {
  fake.enqueue({ kind: "http-error", status: 429, retryAfter: "0.05" }, { kind: "reset", afterChunks: 3 }, { kind: "error-chunk" }, { kind: "ok", omitDone: true });
  fake.setDefault({ kind: "ok", reasoning: ["hmm"], text: ["Answer: 42"] });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider, request, n: 8, concurrency: 4, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 8);
  assert.ok(r.samples.every((s) => s.text === "Answer: 42" && s.thinking === "hmm"));
  assert.equal(events.filter((e) => e.type === "retry").length, 4);
  fake.enqueue({ kind: "http-error", status: 401 });
  fake.setDefault({ kind: "ok", chunkDelayMs: 30, text: ["Answer: 42"] });
  const bad = await runSamples({ provider, request, n: 8, concurrency: 1, backoffBaseMs: 1 });
  assert.equal(bad.status, "failed");
  assert.match(bad.message!, /401/);
  fake.setDefault({ kind: "ok" });
});

test("<think> tags cut anywhere across chunks", () => {
  const text = "<think>Let me think: 6*7=42.</think>The answer is 42. <b>bold</b>";
  for (let cut = 1; cut < text.length; cut++) {
    for (const size of [1, 2, 3, 5, 7]) {
      const s = new ThinkSplitter();
      let thinking = "";
      let out = "";
      const pieces = [text.slice(0, cut), ...(text.slice(cut).match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [])];
      for (const p of pieces) {
        const r = s.push(p);
        thinking += r.thinking;
        out += r.text;
      }
      const f = s.flush();
      thinking += f.thinking;
      out += f.text;
      assert.equal(thinking, "Let me think: 6*7=42.");
      assert.equal(out, "The answer is 42. <b>bold</b>");
    }
  }
});

test("api.openai.com: max_completion_tokens, and reasoning models refuse other temperatures before any request", async () => {
  const direct = new OpenAIProvider({ apiKey: "sk-x" });
  assert.match(direct.check({ ...request, model: "o4-mini", temperature: 0.2 })!, /reasoning model .* only its default temperature/);
  assert.match(direct.check({ ...request, model: "gpt-5-mini", temperature: 0 })!, /reasoning model/);
  assert.equal(direct.check({ ...request, model: "gpt-4o", temperature: 0.2 }), null);
  assert.equal(provider.check({ ...request, model: "o4-mini", temperature: 0.2 }), null, "a compatible server decides for itself");
  fake.enqueue({ kind: "ok" });
  await collect(provider);
  assert.equal(fake.requests.at(-1)!.body.max_tokens, 500);
  assert.equal(fake.requests.at(-1)!.body.max_completion_tokens, undefined);
});

test("a mid-stream invalid_request_error is a request error (not retried); the failure keeps the text so far", async () => {
  fake.enqueue({ kind: "error-chunk", afterChunks: 3, type: "invalid_request_error", code: "context_length_exceeded", message: "This model's maximum context length is 8192 tokens." });
  const e = await failure(provider);
  assert.equal(e.kind, "request");
  assert.match(e.message, /mid-stream \(invalid_request_error\): This model's maximum context length/);
  // a role chunk then "part 1 ", "part 2 ": what the model had said
  fake.enqueue({ kind: "error-chunk", afterChunks: 3, type: "invalid_request_error", message: "context length exceeded" });
  const r = await runSamples({ provider, request, n: 2, concurrency: 1 });
  assert.equal(r.status, "failed");
  assert.equal(r.failures.length, 1);
  assert.deepEqual(r.failures[0]!.partial, { text: "part 1 part 2 ", thinking: "" });
  assert.equal(r.failures[0]!.retryable, false);
  assert.equal(r.failures[0]!.url, `${fake.url}/v1/chat/completions`);
  // a server error mid-stream is retried; when the retries run out, the last attempt's text is kept
  fake.enqueue({ kind: "error-chunk", afterChunks: 2 }, { kind: "error-chunk", afterChunks: 3 });
  const s = await runSamples({ provider, request, n: 1, maxRetries: 1, backoffBaseMs: 1 });
  assert.deepEqual(s.failures[0]!.partial, { text: "part 1 part 2 ", thinking: "" });
  assert.equal(s.failures[0]!.retryable, true);
  fake.enqueue({ kind: "http-error", status: 500 });
  const h = await runSamples({ provider, request, n: 1, maxRetries: 0 });
  assert.equal(h.failures[0]!.status, 500);
  assert.match(h.failures[0]!.requestId ?? "", /^req_[0-9a-f]{32}$/);
});

test("a base URL with credentials in it is refused before any request, and the message never holds them", async () => {
  const before = fake.requests.length;
  const host = fake.url.slice("http://".length);
  for (const url of [`http://me:hunter2-secret-pw@${host}/v1`, `${fake.url}/v1?api_key=hunter2-secret-pw`, `${fake.url}/v1?token=hunter2-secret-pw`]) {
    const p = new OpenAIProvider({ apiKey: "sk-test-secret", baseURL: url });
    const refused = p.check(request);
    assert.ok(refused, url);
    assert.match(refused, /OPENAI_API_KEY/);
    assert.match(refused, new RegExp(`give the URL without (it|them): ${fake.url.replace(/[.]/g, "\\.")}/v1`));
    assert.ok(!refused.includes("hunter2"), refused);
    // the run engine refuses it too, for a caller that forgot check(): a refused request, never sent
    const run = await runSamples({ provider: p, request, n: 2, maxRetries: 0 });
    const e = run.failures[0]!;
    assert.ok(run.status === "failed" && e.kind === "request" && !e.message.includes("hunter2"), JSON.stringify(run.failures));
  }
  assert.equal(fake.requests.length, before, "no request reached the server");
});

test("without a key (a local server that takes none): no secret to redact, and the server's words reach the message as they are", async () => {
  const keyless = new OpenAIProvider({ baseURL: `${fake.url}/v1` });
  assert.deepEqual(keyless.secrets, []);
  fake.enqueue({ kind: "http-error", status: 401, message: "Incorrect API key provided: not-needed. This server wants a real one." });
  const e = await failure(keyless);
  assert.equal(e.kind, "auth");
  assert.match(e.message, /answered 401.*: Incorrect API key provided: not-needed\. This server wants a real one\.$/);
});

test("nothing listening on a local port: one failure at once, with the Ollama hint", { timeout: 20_000 }, async () => {
  const { createServer } = await import("node:net");
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  const p = new OpenAIProvider({ baseURL: `http://127.0.0.1:${port}/v1` });
  const events: RunEvent[] = [];
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 8, concurrency: 4, onEvent: (e) => void events.push(e) });
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(r.status, "failed");
  assert.equal(r.message, `cannot connect to 127.0.0.1:${port} (connection refused): is the server running? For Ollama: \`ollama serve\`; check --base-url`);
  assert.equal(r.failures.length, 1);
  assert.ok(!events.some((e) => e.type === "retry"));
});

test("https:// to a server that hangs up on the TLS handshake: a TLS failure (not a dropped connection to retry)", { timeout: 20_000 }, async () => {
  const { createServer } = await import("node:net");
  const s = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const port = (s.address() as { port: number }).port;
  try {
    const e = await failure(new OpenAIProvider({ apiKey: "sk-test-secret", baseURL: `https://127.0.0.1:${port}/v1` }));
    assert.equal(e.kind, "unreachable");
    assert.equal(e.message, `TLS handshake with 127.0.0.1:${port} failed (the server closed the connection): the server may speak plain HTTP — use http://, or check its certificate`);
    // the same server over http://: the connection dropped before an answer, worth retrying
    const d = await failure(new OpenAIProvider({ apiKey: "sk-test-secret", baseURL: `http://127.0.0.1:${port}/v1` }));
    assert.equal(d.kind, "connection");
  } finally {
    await new Promise((resolve) => s.close(resolve));
  }
});

test("a certificate that is not trusted: a TLS failure naming the code, with the fix", async () => {
  // undici's chain for a self-signed certificate, as the SDK wraps it (no test server here has a certificate)
  const cause = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
  const fetchFailed = new TypeError("fetch failed", { cause });
  const { default: OpenAI } = await import("openai");
  const err = new OpenAI.APIConnectionError({ cause: fetchFailed });
  const { classify } = await import("../src/sampling/errors");
  const e = classify(err, "OpenAI", [], { url: "https://gateway.example.com/v1/chat/completions", custom: true });
  assert.equal(e.kind, "unreachable");
  assert.equal(
    e.message,
    "TLS handshake with gateway.example.com:443 failed (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate): its certificate is not trusted — check the host name in the base URL, or trust the certificate's authority with NODE_EXTRA_CA_CERTS",
  );
});
