// The fake OpenAI-compatible server, driven by the real `openai` SDK.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { startFakeOpenAI, FAKE_OPENAI_MODELS, type FakeOpenAI } from "./openai";

let fake: FakeOpenAI;
let client: OpenAI;

before(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ apiKey: "sk-test", baseURL: fake.url + "/v1", maxRetries: 0, logLevel: "off", timeout: 5000 });
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setDefault({ kind: "ok" });
});

const messages = [{ role: "user" as const, content: "What is six times seven?" }];

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

function deltas(chunks: ChatCompletionChunk[]): Record<string, unknown>[] {
  return chunks.flatMap((c) => c.choices.map((ch) => ch.delta as Record<string, unknown>));
}

function joined(chunks: ChatCompletionChunk[], field: string): string {
  return deltas(chunks)
    .map((d) => (typeof d[field] === "string" ? (d[field] as string) : ""))
    .join("");
}

test("the server is on 127.0.0.1", () => {
  assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

for (const field of ["reasoning_content", "reasoning"] as const) {
  test(`a stream with reasoning in delta.${field} has the chunk shapes`, async () => {
    fake.enqueue({ kind: "ok", reasoning: ["Six sevens", " are 42."], reasoningField: field, text: ["4", "2"] });
    const stream = await client.chat.completions.create({ model: "deepseek-reasoner", messages, stream: true });
    const chunks = await collect(stream);
    const first = chunks[0]!;
    assert.equal(first.object, "chat.completion.chunk");
    assert.match(first.id, /^chatcmpl-/);
    assert.equal(first.model, "deepseek-reasoner");
    assert.equal(typeof first.created, "number");
    assert.equal(typeof first.system_fingerprint, "string");
    assert.equal(first.choices[0]!.delta.role, "assistant");
    for (const c of chunks) {
      assert.equal(c.id, first.id);
      assert.equal(c.created, first.created);
      assert.equal(c.choices.length, 1);
      assert.equal(c.choices[0]!.index, 0);
      assert.equal(c.choices[0]!.logprobs, null);
      assert.ok(!("usage" in c), "no usage field without include_usage");
    }
    assert.equal(joined(chunks, field), "Six sevens are 42.");
    assert.equal(joined(chunks, field === "reasoning" ? "reasoning_content" : "reasoning"), "");
    assert.equal(joined(chunks, "content"), "42");
    const reasoningDeltas = deltas(chunks).filter((d) => typeof d[field] === "string" && d[field] !== "");
    // DeepSeek sends content: null beside reasoning_content; Ollama sends content: "" beside reasoning
    for (const d of reasoningDeltas) assert.equal(d.content, field === "reasoning" ? "" : null);
    const finishes = chunks.map((c) => c.choices[0]!.finish_reason);
    assert.deepEqual(finishes.slice(0, -1).filter((f) => f !== null), []);
    assert.equal(finishes.at(-1), "stop");
    assert.deepEqual(chunks.at(-1)!.choices[0]!.delta, {});
  });
}

test("think-tags: the reasoning is inside content, the tags split across chunks", async () => {
  fake.enqueue({ kind: "ok", reasoning: ["Six", " sevens."], reasoningField: "think-tags", text: ["The answer", " is 42."] });
  const stream = await client.chat.completions.create({ model: "qwen3:8b", messages, stream: true });
  const chunks = await collect(stream);
  const pieces = deltas(chunks).map((d) => d.content).filter((c): c is string => typeof c === "string" && c !== "");
  assert.equal(pieces.join(""), "<think>Six sevens.</think>The answer is 42.");
  assert.ok(!pieces.some((p) => p.includes("<think>")), "the opening tag is split");
  assert.ok(!pieces.some((p) => p.includes("</think>")), "the closing tag is split");
  assert.equal(pieces[0], "<thi");
  assert.equal(joined(chunks, "reasoning_content") + joined(chunks, "reasoning"), "");
});

test("the raw wire: SSE events, [DONE], headers", async () => {
  fake.enqueue({ kind: "ok", text: ["Hi"] });
  const res = await fetch(fake.url + "/v1/chat/completions", {
    method: "POST",
    headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.match(res.headers.get("x-request-id") ?? "", /^req_[0-9a-f]{32}$/);
  assert.ok(res.headers.get("x-ratelimit-remaining-requests"));
  const text = await res.text();
  const events = text.split("\n\n").filter((e) => e.length > 0);
  assert.ok(events.every((e) => e.startsWith("data: ")));
  assert.equal(events.at(-1), "data: [DONE]");
});

test("include_usage: a last chunk with choices [] and the usage, usage null before it", async () => {
  fake.enqueue({ kind: "ok", reasoning: ["a", "b", "c"], text: ["x"], promptTokens: 11, completionTokens: 20, reasoningTokens: 15 });
  const stream = await client.chat.completions.create({ model: "o4-mini", messages, stream: true, stream_options: { include_usage: true } });
  const chunks = await collect(stream);
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(
    { p: last.usage?.prompt_tokens, c: last.usage?.completion_tokens, t: last.usage?.total_tokens, r: last.usage?.completion_tokens_details?.reasoning_tokens },
    { p: 11, c: 20, t: 31, r: 15 },
  );
  for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
  assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, "stop");
});

test("finishReason length, includeUsage false, omitDone", async () => {
  fake.enqueue({ kind: "ok", text: ["cut"], finishReason: "length", includeUsage: false, omitDone: true });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } });
  const chunks = await collect(stream);
  assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, "length");
  assert.ok(chunks.every((c) => c.choices.length === 1));
});

test("a non-streaming completion carries message.reasoning_content and the usage", async () => {
  fake.enqueue({ kind: "ok", reasoning: ["Think", "ing."], text: ["42"] });
  const r = await client.chat.completions.create({ model: "deepseek-reasoner", messages });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices[0]!.message.content, "42");
  assert.equal((r.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content, "Thinking.");
  assert.equal(r.choices[0]!.finish_reason, "stop");
  assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 2);
  assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
  fake.enqueue({ kind: "ok", reasoning: ["hm"], reasoningField: "think-tags", text: ["42"] });
  const t = await client.chat.completions.create({ model: "qwen3:8b", messages });
  assert.equal(t.choices[0]!.message.content, "<think>hm</think>42");
});

test("429 → RateLimitError with retry-after and the rate-limit headers", async () => {
  fake.enqueue({ kind: "http-error", status: 429, retryAfter: "7", headers: { "retry-after-ms": "7000" } });
  const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }).then(
    () => assert.fail("no error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OpenAI.RateLimitError);
  assert.equal(err.status, 429);
  assert.equal(err.headers.get("retry-after"), "7");
  assert.equal(err.headers.get("retry-after-ms"), "7000");
  assert.equal(err.headers.get("x-ratelimit-remaining-requests"), "0");
  assert.equal(err.code, "rate_limit_exceeded");
  assert.equal(err.type, "requests");
  assert.match(err.requestID ?? "", /^req_/);
  assert.match(err.message, /^429 Rate limit reached for gpt-4o-mini/);
});

test("401, 403, 404, 400, 500, 503 → the SDK's error classes, with OpenAI bodies", async () => {
  const cases: [number, abstract new (...a: never[]) => Error, string | null][] = [
    [401, OpenAI.AuthenticationError, "invalid_api_key"],
    [403, OpenAI.PermissionDeniedError, "unsupported_country_region_territory"],
    [404, OpenAI.NotFoundError, "model_not_found"],
    [400, OpenAI.BadRequestError, "invalid_value"],
    [500, OpenAI.InternalServerError, null],
    [503, OpenAI.InternalServerError, null],
  ];
  for (const [status, cls, code] of cases) {
    fake.enqueue({ kind: "http-error", status });
    const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages }).then(
      () => assert.fail(`no error for ${status}`),
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    assert.ok(err instanceof cls, `${status} is a ${cls.name}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.equal(err.param ?? null, status === 400 ? "messages" : null);
    assert.ok(typeof (err.error as { message?: unknown }).message === "string");
  }
  fake.enqueue({ kind: "http-error", status: 500, type: "custom_type", code: "custom", message: "boom" });
  const e = (await client.chat.completions.create({ model: "m", messages }).catch((x: unknown) => x)) as InstanceType<typeof OpenAI.APIError>;
  assert.deepEqual([e.type, e.code, e.message], ["custom_type", "custom", "500 boom"]);
});

test("no key → 401 invalid_api_key, and no scenario is used up", async () => {
  const keyless = new OpenAI({ apiKey: "unused", baseURL: fake.url + "/v1", maxRetries: 0, defaultHeaders: { Authorization: null } });
  fake.enqueue({ kind: "ok", text: ["kept"] });
  const err = await keyless.chat.completions.create({ model: "gpt-4o-mini", messages }).catch((e: unknown) => e);
  assert.ok(err instanceof OpenAI.AuthenticationError);
  assert.equal(err.code, "invalid_api_key");
  assert.equal(err.type, "invalid_request_error");
  assert.equal(fake.requests.at(-1)!.headers.authorization, undefined);
  const raw = await fetch(fake.url + "/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer " }, body: "{}" });
  assert.equal(raw.status, 401);
  assert.deepEqual(Object.keys(((await raw.json()) as { error: object }).error).sort(), ["code", "message", "param", "type"]);
  const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
  assert.equal(r.choices[0]!.message.content, "kept");
});

test("an error event mid-stream throws an APIError after the first chunks", async () => {
  fake.enqueue({ kind: "error-chunk", afterChunks: 2, message: "Upstream fell over" });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
  const seen: ChatCompletionChunk[] = [];
  const err = await (async () => {
    for await (const c of stream) seen.push(c);
  })().catch((e: unknown) => e);
  assert.equal(seen.length, 2);
  assert.ok(err instanceof OpenAI.APIError);
  assert.equal(err.status, undefined);
  assert.equal(err.type, "server_error");
  assert.equal(err.message, "Upstream fell over");
  fake.enqueue({ kind: "error-chunk", afterChunks: 1, type: "invalid_request_error", code: "context_length_exceeded", message: "This model's maximum context length is 8192 tokens." });
  const again = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
  const rejected = await (async () => {
    for await (const _ of again);
  })().catch((e: unknown) => e);
  assert.ok(rejected instanceof OpenAI.APIError);
  assert.equal(rejected.type, "invalid_request_error");
  assert.equal(rejected.code, "context_length_exceeded");
});

test("reset before the response → APIConnectionError; reset mid-stream → the iteration throws", async () => {
  fake.enqueue({ kind: "reset", afterChunks: 0 });
  const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }).catch((e: unknown) => e);
  assert.ok(err instanceof OpenAI.APIConnectionError, String(err));

  fake.enqueue({ kind: "reset", afterChunks: 2 });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
  const seen: ChatCompletionChunk[] = [];
  const mid = await (async () => {
    for await (const c of stream) seen.push(c);
  })().then(
    () => null,
    (e: unknown) => e,
  );
  assert.equal(seen.length, 2);
  assert.ok(mid instanceof Error, "the broken stream throws");
  assert.ok(!(mid instanceof OpenAI.APIError), "undici's error, not an APIError");
});

test("malformed: a truncated JSON event → SyntaxError", async () => {
  fake.enqueue({ kind: "malformed", afterChunks: 1 });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
  const err = await collect(stream).catch((e: unknown) => e);
  assert.ok(err instanceof SyntaxError);
});

test("no-stop: the stream ends cleanly with no finish_reason", async () => {
  fake.enqueue({ kind: "no-stop", afterChunks: 3 });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
  const chunks = await collect(stream);
  assert.equal(chunks.length, 3);
  assert.ok(chunks.every((c) => c.choices[0]!.finish_reason === null));
});

test("stall mid-stream: an AbortSignal ends it", async () => {
  fake.enqueue({ kind: "stall", afterChunks: 1 });
  const ac = new AbortController();
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }, { signal: ac.signal });
  const started = Date.now();
  const seen: ChatCompletionChunk[] = [];
  setTimeout(() => ac.abort(), 100);
  // the SDK ends the iteration quietly when the caller aborts
  for await (const c of stream) seen.push(c);
  assert.equal(seen.length, 1);
  assert.ok(ac.signal.aborted);
  assert.ok(Date.now() - started < 2000);
});

test("stall before the headers: create() rejects with APIUserAbortError on abort", async () => {
  fake.enqueue({ kind: "stall", afterChunks: 0 });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }, { signal: ac.signal }).catch((e: unknown) => e);
  assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
});

test("latency, chunk delays and close() with a stall open", async () => {
  const own = await startFakeOpenAI({ latencyMs: 30 });
  const c = new OpenAI({ apiKey: "k", baseURL: own.url + "/v1", maxRetries: 0, logLevel: "off" });
  own.enqueue({ kind: "ok", text: ["a", "b"], chunkDelayMs: 10 });
  const t0 = Date.now();
  await collect(await c.chat.completions.create({ model: "m", messages, stream: true }));
  assert.ok(Date.now() - t0 >= 30 + 4 * 10 - 5);

  own.enqueue({ kind: "stall", afterChunks: 1 });
  const stream = await c.chat.completions.create({ model: "m", messages, stream: true });
  const pending = collect(stream).then(
    () => "ended",
    () => "threw",
  );
  await new Promise((r) => setTimeout(r, 20));
  const closing = Date.now();
  await own.close();
  assert.ok(Date.now() - closing < 500, "close() does not wait for the stalled stream");
  assert.ok(["ended", "threw"].includes(await pending));
  await own.close(); // twice is fine
});

test("GET /v1/models lists the default model names", async () => {
  const ids: string[] = [];
  for await (const m of client.models.list()) {
    assert.equal(m.object, "model");
    assert.equal(typeof m.created, "number");
    assert.equal(typeof m.owned_by, "string");
    ids.push(m.id);
  }
  assert.deepEqual(ids, [...FAKE_OPENAI_MODELS]);
  const one = await client.models.retrieve("gpt-4o-mini");
  assert.equal(one.id, "gpt-4o-mini");
  await assert.rejects(client.models.retrieve("nope"), OpenAI.NotFoundError);
});

test("requests are recorded; setDefault takes a function of the request and its index", async () => {
  fake.setDefault((req, i) => ({ kind: "ok", text: [`#${i} ${req.body.model}`] }));
  const before = fake.requests.length;
  const a = await client.chat.completions.create({ model: "first", messages, temperature: 0.5 });
  const b = await client.chat.completions.create({ model: "second", messages });
  const ia = Number(/#(\d+)/.exec(a.choices[0]!.message.content!)![1]);
  assert.equal(a.choices[0]!.message.content, `#${ia} first`);
  assert.equal(b.choices[0]!.message.content, `#${ia + 1} second`);
  const rec = fake.requests.slice(before);
  assert.equal(rec.length, 2);
  assert.equal(rec[0]!.method, "POST");
  assert.equal(rec[0]!.path, "/v1/chat/completions");
  assert.equal(rec[0]!.headers.authorization, "Bearer sk-test");
  assert.equal(rec[0]!.body.temperature, 0.5);
  assert.deepEqual(rec[0]!.body.messages, messages);
});

test("an unknown path → 404 Invalid URL; a body without messages → 400", async () => {
  const res = await fetch(fake.url + "/chat/completions", { method: "POST", headers: { authorization: "Bearer k" }, body: "{}" });
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: { message: "Invalid URL (POST /chat/completions)", type: "invalid_request_error", param: null, code: null } });
  assert.ok(res.headers.get("x-request-id"));
  const bad = await fetch(fake.url + "/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer k" }, body: JSON.stringify({ model: "m" }) });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { param: string } }).error.param, "messages");
});

// --- tool calls ------------------------------------------------------------------------------

const weatherTool = { type: "function" as const, function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

test("tool calls, streamed: the role chunk opens the first call (id, type, name, arguments \"\"), fragments follow by index, finish_reason tool_calls; the SDK's stream helper assembles them", async () => {
  const scenario = {
    kind: "ok" as const,
    text: [],
    toolCalls: [
      { id: "call_paris", name: "get_weather", arguments: { city: "Paris" }, pieces: ['{"ci', 'ty":', ' "Paris"}'] },
      { id: "call_rome", name: "get_weather", arguments: { city: "Rome" } },
    ],
  };
  fake.enqueue(scenario);
  const chunks = await collect(await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools: [weatherTool], stream: true, stream_options: { include_usage: true } }));
  const first = chunks[0]!.choices[0]!.delta;
  assert.deepEqual(first, { role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_paris", type: "function", function: { name: "get_weather", arguments: "" } }], refusal: null });
  const calls = deltas(chunks).flatMap((d) => (d.tool_calls as ChatCompletionChunk.Choice.Delta.ToolCall[] | undefined) ?? []);
  assert.deepEqual(
    calls.filter((c) => c.index === 0).map((c) => c.function?.arguments),
    ["", '{"ci', 'ty":', ' "Paris"}'],
  );
  assert.deepEqual(calls.filter((c) => c.index === 1)[0], { index: 1, id: "call_rome", type: "function", function: { name: "get_weather", arguments: "" } });
  assert.ok(calls.filter((c) => c.index !== 0 && c.id === undefined).every((c) => c.type === undefined && c.function?.name === undefined), "later fragments carry arguments only");
  const finish = chunks.flatMap((c) => c.choices).find((c) => c.finish_reason !== null);
  assert.equal(finish?.finish_reason, "tool_calls");

  fake.enqueue(scenario);
  const completion = await client.chat.completions.stream({ model: "gpt-4o-mini", messages, tools: [weatherTool] }).finalChatCompletion();
  const message = completion.choices[0]!.message;
  assert.deepEqual(
    message.tool_calls?.map((c) => (c.type === "function" ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : c.type)),
    [
      ["call_paris", "get_weather", { city: "Paris" }],
      ["call_rome", "get_weather", { city: "Rome" }],
    ],
  );
  assert.equal(completion.choices[0]!.finish_reason, "tool_calls");
  assert.deepEqual(fake.requests.at(-1)!.body.tools, [weatherTool]);
});

test("tool calls, not streamed: the message's tool_calls with the arguments text, content null", async () => {
  fake.enqueue({ kind: "ok", text: [], toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools: [weatherTool] });
  const message = completion.choices[0]!.message;
  assert.equal(message.content, null);
  const call = message.tool_calls?.[0];
  assert.ok(call?.type === "function" && /^call_\w{24}$/.test(call.id));
  assert.equal(call.function.arguments, '{"city":"Oslo"}');
  assert.equal(completion.choices[0]!.finish_reason, "tool_calls");
});

test("automatic prompt caching: a prompt sharing a long prefix with an earlier one reports cached_tokens in 128-token steps", async () => {
  const system = { role: "system" as const, content: "You are an airline agent. ".repeat(300) };
  fake.enqueue({ kind: "ok" }, { kind: "ok" });
  const first = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [system, { role: "user", content: "Change my flight." }], tools: [weatherTool] });
  const second = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [system, { role: "user", content: "Cancel my flight." }], tools: [weatherTool] });
  assert.equal(first.usage?.prompt_tokens_details?.cached_tokens, 0);
  const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
  assert.ok(cached >= 1024 && (cached - 1024) % 128 === 0, String(cached));
  assert.ok(cached <= second.usage!.prompt_tokens);
});

test("OpenAI's tool message checks: a tool message without a tool_calls message before it, an unknown call id, an unanswered call, an empty tools list", async () => {
  const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
  const cases: [OpenAI.ChatCompletionMessageParam[], unknown[] | undefined, string, string][] = [
    [[{ role: "user", content: "Hi" }, { role: "tool", tool_call_id: "call_1", content: "18°C" }], [weatherTool], "messages.[1].role", "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."],
    [[{ role: "user", content: "Hi" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_9", content: "18°C" }], [weatherTool], "messages.[2].tool_call_id", "Invalid parameter: 'tool_call_id' of 'call_9' not found in 'tool_calls' of previous message."],
    [[{ role: "user", content: "Hi" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "user", content: "and?" }], [weatherTool], "messages.[1].role", "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_1"],
    [messages, [], "tools", "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead."],
  ];
  for (const [msgs, tools, param, message] of cases) {
    const e = await client.chat.completions.create({ model: "gpt-4o-mini", messages: msgs, ...(tools ? { tools: tools as OpenAI.ChatCompletionTool[] } : {}) }).then(
      () => assert.fail("expected a 400"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.param, param);
    assert.equal((e.error as { message?: string }).message, message);
    assert.equal(e.type, "invalid_request_error");
  }
  // answered in order, the conversation is accepted
  fake.enqueue({ kind: "ok", text: ["18°C in Paris."] });
  const ok = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "18°C" }], tools: [weatherTool] });
  assert.equal(ok.choices[0]!.message.content, "18°C in Paris.");
});
