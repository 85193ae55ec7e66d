// The fake Anthropic server, driven by the real @anthropic-ai/sdk: streams, the accumulating
// MessageStream helper, non-streaming messages, HTTP errors as the SDK's error classes, error
// events, resets, stalls, malformed and unfinished streams, validation, latency and close().
/* eslint-disable @typescript-eslint/no-explicit-any -- errors caught from the SDK are inspected loosely */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "./anthropic";

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
// A model the SDK neither calls deprecated nor warns about with thinking enabled.
const MODEL = "claude-haiku-4-5";
const params = {
  model: MODEL,
  max_tokens: 2048,
  thinking: { type: "enabled" as const, budget_tokens: 1024 },
  messages: [{ role: "user" as const, content: "What is 2 + 2?" }],
};

const fakes: FakeAnthropic[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});
async function setup(opts?: { latencyMs?: number }) {
  const fake = await startFakeAnthropic(opts);
  fakes.push(fake);
  const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries: 0, logger: silent });
  return { fake, client };
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

/** Collects a raw stream's events; the error it threw, if any. */
async function collect(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>) {
  const events: Anthropic.RawMessageStreamEvent[] = [];
  let error: any = null;
  try {
    for await (const ev of stream) events.push(ev);
  } catch (e) {
    error = e;
  }
  return { events, error };
}

const shape = (ev: Anthropic.RawMessageStreamEvent) =>
  ev.type === "content_block_start" ? `start:${ev.content_block.type}@${ev.index}`
  : ev.type === "content_block_delta" ? `delta:${ev.delta.type}@${ev.index}`
  : ev.type === "content_block_stop" ? `stop@${ev.index}`
  : ev.type;

test("a streamed message: the events in order, with the right types and content", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "ok", thinking: ["Two ", "plus two."], redactedThinking: 1, text: ["Fo", "ur."], inputTokens: 17, outputTokens: 42, ping: true });
  const stream = await client.messages.create({ ...params, stream: true });
  const { events, error } = await collect(stream);
  assert.equal(error, null);
  assert.deepEqual(events.map(shape), [
    "message_start",
    "start:thinking@0",
    "delta:thinking_delta@0",
    "delta:thinking_delta@0",
    "delta:signature_delta@0",
    "stop@0",
    "start:redacted_thinking@1",
    "stop@1",
    "start:text@2",
    "delta:text_delta@2",
    "delta:text_delta@2",
    "stop@2",
    "message_delta",
    "message_stop",
  ]);
  const start = events[0] as Anthropic.RawMessageStartEvent;
  assert.match(start.message.id, /^msg_01\w+$/);
  assert.equal(start.message.model, MODEL);
  assert.equal(start.message.role, "assistant");
  assert.deepEqual(start.message.content, []);
  assert.equal(start.message.stop_reason, null);
  assert.equal(start.message.usage.input_tokens, 17);
  const redacted = events[6] as Anthropic.RawContentBlockStartEvent;
  assert.equal(redacted.content_block.type, "redacted_thinking");
  assert.ok(redacted.content_block.type === "redacted_thinking" && redacted.content_block.data.length > 20);
  const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
  assert.equal(delta.delta.stop_reason, "end_turn");
  assert.equal(delta.delta.stop_sequence, null);
  assert.equal(delta.usage.output_tokens, 42);
  // The request reached the server as sent, the key in it.
  const req = fake.requests.at(-1)!;
  assert.equal(req.method, "POST");
  assert.equal(req.path, "/v1/messages");
  assert.equal(req.body.stream, true);
  assert.deepEqual(req.body.thinking, params.thinking);
  assert.equal(req.headers["authorization"], "Bearer sk-ant-test");
  assert.ok(req.headers["anthropic-version"]);
});

test("the wire format: SSE headers, request-id, event names matching the data, a ping", async () => {
  const { fake } = await setup();
  fake.enqueue({ kind: "ok", ping: true, thinking: ["a"], text: ["b"] });
  const res = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ ...params, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
  assert.match(res.headers.get("request-id")!, /^req_\w+$/);
  assert.ok(res.headers.get("anthropic-ratelimit-requests-remaining"));
  const text = await res.text();
  const frames = text.split("\n\n").filter(Boolean);
  for (const frame of frames) {
    const [eventLine, dataLine, ...rest] = frame.split("\n");
    assert.equal(rest.length, 0);
    const name = eventLine!.replace(/^event: /, "");
    assert.equal(JSON.parse(dataLine!.replace(/^data: /, "")).type, name);
  }
  assert.deepEqual(
    frames.map((f) => f.split("\n")[0]!.slice(7)),
    ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
  );
});

test("client.messages.stream(): the helper's events and finalMessage() accumulate the message", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "ok", thinking: ["Let me ", "think."], redactedThinking: 2, text: ["The answer", " is 4."], stopReason: "max_tokens", inputTokens: 9, chunkDelayMs: 1 });
  const stream = client.messages.stream(params);
  let texts = "";
  let thoughts = "";
  let signature = "";
  stream.on("text", (d) => (texts += d));
  stream.on("thinking", (d) => (thoughts += d));
  stream.on("signature", (s) => (signature = s));
  const message = await stream.finalMessage();
  assert.equal(texts, "The answer is 4.");
  assert.equal(thoughts, "Let me think.");
  assert.ok(signature.length > 20);
  assert.deepEqual(
    message.content.map((b) => b.type),
    ["thinking", "redacted_thinking", "redacted_thinking", "text"],
  );
  const [thinking, , , text] = message.content;
  assert.ok(thinking?.type === "thinking" && thinking.thinking === "Let me think." && thinking.signature === signature);
  assert.ok(text?.type === "text" && text.text === "The answer is 4.");
  assert.equal(message.stop_reason, "max_tokens");
  assert.equal(message.model, MODEL);
  assert.equal(message.usage.input_tokens, 9);
  assert.ok(message.usage.output_tokens > 1);
  assert.equal(await stream.finalText(), "The answer is 4.");
  assert.match(stream.request_id ?? "", /^req_/);
});

test("without stream: true, the whole Message as JSON, with the same content", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "ok", thinking: ["hmm"], text: ["4"], stopReason: "stop_sequence", outputTokens: 5 });
  const message = await client.messages.create({ ...params, stop_sequences: ["END"] });
  assert.match(message.id, /^msg_01/);
  assert.equal(message.type, "message");
  assert.equal(message.model, MODEL);
  assert.deepEqual(
    message.content.map((b) => b.type),
    ["thinking", "text"],
  );
  assert.ok(message.content[1]?.type === "text" && message.content[1].text === "4");
  assert.equal(message.stop_reason, "stop_sequence");
  assert.equal(message.stop_sequence, "END");
  assert.equal(message.usage.output_tokens, 5);
  assert.match(message._request_id ?? "", /^req_/);
});

test("a 429 is a RateLimitError with status 429, retry-after and a request id", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "http-error", status: 429, retryAfter: "7" });
  const e = await rejection(client.messages.create({ ...params, stream: true }));
  assert.ok(e instanceof Anthropic.RateLimitError, String(e));
  assert.equal(e.status, 429);
  assert.equal(e.headers.get("retry-after"), "7");
  assert.equal(e.headers.get("anthropic-ratelimit-requests-remaining"), "0");
  assert.equal(e.type, "rate_limit_error");
  assert.match(e.requestID ?? "", /^req_/);
  const body = e.error as { type?: string; request_id?: string } | undefined;
  assert.equal(body?.request_id, e.requestID);
  assert.equal(body?.type, "error");
});

test("401: AuthenticationError, from a scenario and from a missing key", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "http-error", status: 401 });
  const scripted = await rejection(client.messages.create(params));
  assert.ok(scripted instanceof Anthropic.AuthenticationError);
  assert.equal(scripted.type, "authentication_error");

  const keyless = new Anthropic({ apiKey: "", baseURL: fake.url, maxRetries: 0, logger: silent });
  const e = await rejection(keyless.messages.create(params));
  assert.ok(e instanceof Anthropic.AuthenticationError);
  assert.equal(e.status, 401);
  assert.equal(e.apiMessage, "x-api-key header is required");

  const raw = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { "anthropic-version": "2023-06-01", "content-type": "application/json" }, body: JSON.stringify(params) });
  assert.equal(raw.status, 401);
  assert.match(raw.headers.get("request-id")!, /^req_/);
  const body = (await raw.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  assert.deepEqual({ type: body.type, error: body.error }, { type: "error", error: { type: "authentication_error", message: "x-api-key header is required" } });
  assert.equal(body.request_id, raw.headers.get("request-id"));
});

test("a 529 is an error with status 529 and type overloaded_error; other statuses get their documented types", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "http-error", status: 529 });
  const e = await rejection(client.messages.create({ ...params, stream: true }));
  assert.ok(e instanceof Anthropic.InternalServerError);
  assert.equal(e.status, 529);
  assert.equal(e.type, "overloaded_error");
  assert.equal(e.apiMessage, "Overloaded");

  const expected: Array<[number, string, unknown]> = [
    [400, "invalid_request_error", Anthropic.BadRequestError],
    [403, "permission_error", Anthropic.PermissionDeniedError],
    [404, "not_found_error", Anthropic.NotFoundError],
    [413, "request_too_large", Anthropic.ContentTooLargeError],
    [500, "api_error", Anthropic.InternalServerError],
  ];
  for (const [status, type, cls] of expected) {
    fake.enqueue({ kind: "http-error", status, headers: { "x-should-retry": "false" } });
    const err = await rejection(client.messages.create(params));
    assert.ok(err instanceof (cls as typeof Anthropic.APIError), `${status}: ${err}`);
    assert.equal(err.status, status);
    assert.equal(err.type, type);
    assert.equal(err.headers.get("x-should-retry"), "false");
  }
});

test("an error event mid-stream throws an APIError, from the raw stream and from the helper", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "error-event", afterChunks: 3 });
  const { events, error } = await collect(await client.messages.create({ ...params, stream: true }));
  assert.deepEqual(events.map(shape), ["message_start", "start:thinking@0", "delta:thinking_delta@0"]);
  assert.ok(error instanceof Anthropic.APIError);
  assert.equal(error.status, undefined);
  assert.equal(error.type, "overloaded_error");
  assert.match(error.message, /Overloaded/);
  assert.match(error.requestID ?? "", /^req_/);

  fake.enqueue({ kind: "error-event", type: "api_error", message: "Internal server error", afterChunks: 1 });
  const helperError = await rejection(client.messages.stream(params).finalMessage());
  assert.ok(helperError instanceof Anthropic.APIError);
  assert.equal(helperError.type, "api_error");
});

test("a reset is a connection error: mid-stream the read fails, before the status line the SDK says APIConnectionError", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "reset", afterChunks: 2 });
  const { events, error } = await collect(await client.messages.create({ ...params, stream: true }));
  assert.deepEqual(events.map(shape), ["message_start", "start:thinking@0"]);
  assert.ok(error, "the stream should fail");
  // undici's body read: TypeError "terminated", caused by UND_ERR_SOCKET "other side closed"
  assert.match(`${error.message} ${error.cause?.code} ${error.cause?.message}`, /terminated|socket|closed|reset/i);

  fake.enqueue({ kind: "reset", afterChunks: 0 });
  const early = await rejection(client.messages.create({ ...params, stream: true }));
  assert.ok(early instanceof Anthropic.APIConnectionError, String(early));
});

test("a stall can be aborted with an AbortSignal", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "stall", afterChunks: 3 });
  const controller = new AbortController();
  const stream = await client.messages.create({ ...params, stream: true }, { signal: controller.signal });
  const seen: string[] = [];
  const started = Date.now();
  const { error } = await collect(
    (async function* () {
      for await (const ev of stream) {
        seen.push(shape(ev));
        if (seen.length === 3) setTimeout(() => controller.abort(), 20);
        yield ev;
      }
    })(),
  );
  // The SDK's raw stream ends quietly when its signal aborts it.
  assert.equal(error, null);
  assert.deepEqual(seen, ["message_start", "start:thinking@0", "delta:thinking_delta@0"]);
  assert.ok(controller.signal.aborted);
  assert.ok(Date.now() - started < 2000);

  fake.enqueue({ kind: "stall", afterChunks: 1 });
  const helper = client.messages.stream(params, { signal: AbortSignal.timeout(50) });
  const e = await rejection(helper.finalMessage());
  assert.ok(e instanceof Anthropic.APIUserAbortError, String(e));
});

test("close() works with a stalled stream open, and the stalled client sees its connection drop", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "stall", afterChunks: 2 }, { kind: "stall", afterChunks: 0 });
  const stream = await client.messages.create({ ...params, stream: true });
  const reading = collect(stream);
  const silentRequest = rejection(client.messages.create(params)); // no status line at all
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(fake.requests.length, 2);
  const t0 = Date.now();
  await fake.close();
  assert.ok(Date.now() - t0 < 1000);
  const { events, error } = await reading;
  assert.equal(events.length, 2);
  assert.ok(error, "the stalled stream should fail once the server is gone");
  assert.ok((await silentRequest) instanceof Anthropic.APIConnectionError);
  await fake.close(); // twice is fine
});

test("a malformed data line throws a SyntaxError; a stream without message_stop ends without one", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "malformed", afterChunks: 2 });
  const bad = await collect(await client.messages.create({ ...params, stream: true }));
  assert.equal(bad.events.length, 2);
  assert.ok(bad.error instanceof SyntaxError, String(bad.error));

  fake.enqueue({ kind: "no-stop" });
  const cut = await collect(await client.messages.create({ ...params, stream: true }));
  assert.equal(cut.error, null);
  const types = cut.events.map((e) => e.type);
  assert.equal(types[0], "message_start");
  assert.equal(types.at(-1), "content_block_stop");
  assert.ok(!types.includes("message_delta") && !types.includes("message_stop"));

  fake.enqueue({ kind: "no-stop", afterChunks: 4 });
  const helperError = await rejection(client.messages.stream(params).finalMessage());
  assert.ok(helperError instanceof Anthropic.AnthropicError);
});

test("validation like the real API's, which consumes no scenario", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "ok", text: ["queued"], thinking: [] });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ model: MODEL, messages: params.messages }, "max_tokens: Field required"],
    [{ ...params, thinking: { type: "enabled", budget_tokens: 512 } }, "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"],
    [{ ...params, max_tokens: 1024 }, "`max_tokens` must be greater than `thinking.budget_tokens`"],
    [{ ...params, messages: [] }, "messages: at least one message is required"],
  ];
  for (const [body, message] of cases) {
    const e = await rejection(client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming));
    assert.ok(e instanceof Anthropic.BadRequestError, String(e));
    assert.equal(e.type, "invalid_request_error");
    assert.ok(e.apiMessage?.startsWith(message), e.apiMessage ?? undefined);
  }
  // adaptive and disabled thinking pass
  const m = await client.messages.create({ ...params, thinking: { type: "adaptive" } });
  assert.ok(m.content[0]?.type === "text" && m.content[0].text === "queued");
  const d = await client.messages.create({ ...params, thinking: { type: "disabled" } });
  assert.deepEqual(
    d.content.map((b) => b.type),
    ["thinking", "text"],
  );
  const notFound = await fetch(`${fake.url}/v1/nothing`, { method: "POST" });
  assert.equal(notFound.status, 404);
  assert.equal(((await notFound.json()) as { error: { type: string } }).error.type, "not_found_error");
});

test("setDefault with a function, FIFO enqueue, and latencyMs before the first byte", async () => {
  const { fake, client } = await setup({ latencyMs: 60 });
  const seen: Array<[RecordedRequest, number]> = [];
  fake.setDefault((req, index) => {
    seen.push([req, index]);
    return index === 1 ? { kind: "http-error", status: 500 } : { kind: "ok", text: [`#${index}`], thinking: [] };
  });
  fake.enqueue({ kind: "ok", text: ["queued first"], thinking: [] });
  const t0 = Date.now();
  const first = await client.messages.create(params);
  assert.ok(Date.now() - t0 >= 55, `latency ${Date.now() - t0}`);
  assert.ok(first.content[0]?.type === "text" && first.content[0].text === "queued first");
  const second = await rejection(client.messages.create(params));
  assert.equal(second.status, 500);
  const third = await client.messages.create(params);
  assert.ok(third.content[0]?.type === "text" && third.content[0].text === "#2");
  assert.deepEqual(
    seen.map(([, i]) => i),
    [1, 2],
  );
  assert.equal(seen[0]![0], fake.requests[1]);
  assert.equal(fake.requests.length, 3);
});

// --- tool use ---------------------------------------------------------------------------------

const weatherTool = { name: "get_weather", description: "Weather in a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] } };

test("tool use, streamed: tool_use start (id, name, input {}, caller), input_json_delta pieces from an empty one, stop_reason tool_use; the SDK's MessageStream assembles the input", async () => {
  const { fake, client } = await setup();
  const scenario = { kind: "ok" as const, thinking: ["Need the weather."], text: ["Let me check."], toolCalls: [{ id: "toolu_01AAAAAAAAAAAAAAAAAAAAAA", name: "get_weather", input: { city: "Paris" }, json: ['{"ci', 'ty": "Pa', 'ris"}'] }] };
  fake.enqueue(scenario);
  const { events, error } = await collect(await client.messages.create({ ...params, tools: [weatherTool], stream: true }));
  assert.equal(error, null);
  assert.deepEqual(events.map(shape), [
    "message_start",
    "start:thinking@0", "delta:thinking_delta@0", "delta:signature_delta@0", "stop@0",
    "start:text@1", "delta:text_delta@1", "stop@1",
    "start:tool_use@2", "delta:input_json_delta@2", "delta:input_json_delta@2", "delta:input_json_delta@2", "delta:input_json_delta@2", "stop@2",
    "message_delta", "message_stop",
  ]);
  const start = events.find((e) => e.type === "content_block_start" && e.index === 2) as Anthropic.RawContentBlockStartEvent;
  assert.deepEqual(start.content_block, { type: "tool_use", id: "toolu_01AAAAAAAAAAAAAAAAAAAAAA", name: "get_weather", input: {}, caller: { type: "direct" } });
  const pieces = events.flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? [e.delta.partial_json] : []));
  assert.deepEqual(pieces, ["", '{"ci', 'ty": "Pa', 'ris"}']);
  const delta = events.find((e) => e.type === "message_delta") as Anthropic.RawMessageDeltaEvent;
  assert.equal(delta.delta.stop_reason, "tool_use");

  fake.enqueue(scenario);
  const message = await client.messages.stream({ ...params, tools: [weatherTool] }).finalMessage();
  assert.deepEqual(message.content.map((b) => b.type), ["thinking", "text", "tool_use"]);
  const call = message.content[2];
  assert.ok(call?.type === "tool_use");
  assert.deepEqual(call.input, { city: "Paris" });
  assert.equal(message.stop_reason, "tool_use");

  // the request as sent, tools and all
  assert.deepEqual(fake.requests.at(-1)!.body.tools, [weatherTool]);
});

test("tool use, not streamed: the Message's tool_use block has the input object", async () => {
  const { fake, client } = await setup();
  fake.enqueue({ kind: "ok", thinking: [], text: [], toolCalls: [{ name: "get_weather", input: { city: "Oslo" } }, { name: "get_weather", input: { city: "Rome" } }] });
  const message = await client.messages.create({ ...params, thinking: { type: "disabled" }, tools: [weatherTool] });
  assert.equal(message.stop_reason, "tool_use");
  assert.deepEqual(
    message.content.map((b) => (b.type === "tool_use" ? [b.name, b.input, /^toolu_01\w{22}$/.test(b.id)] : b.type)),
    [
      ["get_weather", { city: "Oslo" }, true],
      ["get_weather", { city: "Rome" }, true],
    ],
  );
});

test("prompt caching: the first request with a cache_control prefix writes it, the next reads it; input_tokens is what is left", async () => {
  const { fake, client } = await setup();
  const long = "You are an airline agent. ".repeat(200);
  const body = {
    ...params,
    thinking: { type: "disabled" as const },
    system: long,
    tools: [{ ...weatherTool, cache_control: { type: "ephemeral" as const } }],
    messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "Weather in Paris?", cache_control: { type: "ephemeral" as const } }] }],
  };
  fake.enqueue({ kind: "ok", text: ["ok"] }, { kind: "ok", text: ["ok"] });
  const first = await client.messages.create(body);
  const second = await client.messages.create(body);
  const total = (u: Anthropic.Usage) => u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
  assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 1000, JSON.stringify(first.usage));
  assert.equal(first.usage.cache_read_input_tokens, 0);
  assert.equal(first.usage.cache_creation?.ephemeral_5m_input_tokens, first.usage.cache_creation_input_tokens);
  assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
  assert.equal(second.usage.cache_creation_input_tokens, 0);
  assert.equal(total(first.usage), total(second.usage));
  // without a breakpoint nothing is cached
  fake.enqueue({ kind: "ok", text: ["ok"] });
  const plain = await client.messages.create({ ...params, thinking: { type: "disabled" }, system: long });
  assert.equal(plain.usage.cache_read_input_tokens, 0);
  assert.equal(plain.usage.cache_creation_input_tokens, 0);
});

test("the conversation checks of the real API: a result without its call, a call without its result, thinking missing from a tool-use loop", async () => {
  const { fake, client } = await setup();
  const call = { type: "tool_use" as const, id: "toolu_01X", name: "get_weather", input: { city: "Paris" } };
  const result = { type: "tool_result" as const, tool_use_id: "toolu_01X", content: "18°C" };
  const before = fake.requests.length;
  const orphan = await rejection(
    client.messages.create({ ...params, thinking: { type: "disabled" }, tools: [weatherTool], messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: [{ type: "text", text: "Hello" }] }, { role: "user", content: [result] }] }),
  );
  assert.equal(orphan.status, 400);
  assert.equal(orphan.error.error.type, "invalid_request_error");
  assert.equal(orphan.error.error.message, "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01X. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
  const unanswered = await rejection(
    client.messages.create({ ...params, thinking: { type: "disabled" }, tools: [weatherTool], messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: [call] }, { role: "user", content: "and?" }] }),
  );
  assert.match(unanswered.error.error.message, /^messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01X\./);
  const unthought = await rejection(client.messages.create({ ...params, tools: [weatherTool], messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: [call] }, { role: "user", content: [result] }] }));
  assert.match(unthought.error.error.message, /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`\. When `thinking` is enabled/);
  assert.equal(fake.requests.length, before + 3, "each refused request is recorded");
  // the same loop with its signed thinking first is accepted
  fake.enqueue({ kind: "ok", text: ["18°C in Paris."] });
  const ok = await client.messages.create({
    ...params,
    tools: [weatherTool],
    messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: [{ type: "thinking", thinking: "Check.", signature: "c2ln" }, call] }, { role: "user", content: [result] }],
  });
  assert.equal(ok.stop_reason, "end_turn");
});
