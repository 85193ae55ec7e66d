// Rerunning an agent's next step: the real @anthropic-ai/sdk and `openai` SDKs, through the
// providers, against the fake servers speaking each API's tool-use wire format. A hand-written
// airline-agent prefix (the neutral Conversation form: policy, tools declared, two lookups made)
// goes out; what the fake received must be that prefix, intact, in the provider's format (tools
// with their schemas, the turns in order, Anthropic's cache_control); what comes back must be the
// next turn as events: thinking, text, each tool call with its streamed argument fragments
// assembled, the stop reason, and the prompt-cache token counts. Also: many tiny fragments, two
// parallel calls, arguments that are not JSON, a prefix the server refuses (its 400 as a
// SamplingError with the server's words), and a prefix Claude would refuse, refused before any
// request.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Conversation } from "../src/core/conversation";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { OpenAIProvider } from "../src/sampling/openai";
import { runSamples } from "../src/sampling/engine";
import { priceOf } from "../src/sampling/prices";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "../src/sampling/types";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";

// ---------------------------------------------------------------------------------------------
// The prefix: a customer asks to cancel a booking; the agent has looked up the user and the
// reservation. What it does next (cancel at once, or first confirm with the customer as the
// policy says) is what the reruns sample.

const POLICY = [
  "# Airline agent policy",
  "The current time is 2024-05-15 15:00:00 EST.",
  "As an airline agent, you can help users book, modify, or cancel flight reservations.",
  "- Before taking consequential actions that update the booking database (booking, modifying flights, editing baggage, upgrading cabin class, or updating passenger information), you must list the action details and obtain explicit user confirmation (yes) to proceed.",
  "- You should not provide any information, knowledge, or procedures not provided by the user or available tools, or give subjective recommendations or comments.",
  "- You should only make one tool call at a time, and if you make a tool call, you should not respond to the user simultaneously. If you respond to the user, you should not make a tool call at the same time.",
  "- You should deny user requests that are against this policy.",
  "- You should transfer the user to a human agent if and only if the request cannot be handled within the scope of your actions.",
  "## Domain basics",
  "- Each user has a profile containing user id, email, addresses, date of birth, payment methods, reservation numbers, and membership tier.",
  "- Each reservation has a reservation id, user id, trip type (one way, round trip), flights, passengers, payment methods, created time, baggages, and travel insurance information.",
  "- Each flight has a flight number, an origin, destination, scheduled departure and arrival time (local time), and for each date: if the status is available, the flight has not taken off, available seats and prices are listed.",
  "## Cancel flight",
  "- The agent must first obtain the user id, and then ask for the reservation id if not provided.",
  "- The agent must also obtain the reason for cancellation (change of plan, airline cancelled flight, or other reasons).",
  "- All reservations can be cancelled within 24 hours of booking, or if the airline cancelled the flight. Otherwise, basic economy or economy flights can be cancelled only if travel insurance is bought and the condition is met, and business flights can always be cancelled. The rules are strict regardless of the membership status.",
  "- The agent can only cancel the whole trip that is not flown. If any of the segments are already used, the agent cannot help and transfer is needed.",
  "- The refund will go to the original payment methods in 5 to 7 business days.",
  "## Refund",
  "- If the user is silver/gold member or has travel insurance or flies business, and complains about cancelled flights in a reservation, the agent can offer a certificate as a gesture after confirming the facts, with the amount being $100 times the number of passengers.",
  "- If the user is silver/gold member or has travel insurance or flies business, and complains about delayed flights in a reservation and wants to change or cancel the reservation, the agent can offer a certificate as a gesture after confirming the facts and changing or cancelling the reservation, with the amount being $50 times the number of passengers.",
  "- Do not proactively offer these unless the user complains about the situation and explicitly asks for some compensation. Do not compensate if the user is a regular member and has no travel insurance and flies (basic) economy.",
].join("\n");

const TOOLS: Conversation["tools"] = [
  {
    name: "get_user_details",
    description: "Get the details of an user, including their reservations.",
    inputSchema: { type: "object", properties: { user_id: { type: "string", description: "The user id, such as 'sara_doe_496'." } }, required: ["user_id"] },
  },
  {
    name: "get_reservation_details",
    description: "Get the details of a reservation.",
    inputSchema: { type: "object", properties: { reservation_id: { type: "string", description: "The reservation id, such as '8JX2WO'." } }, required: ["reservation_id"] },
  },
  {
    name: "cancel_reservation",
    description: "Cancel the whole reservation.",
    inputSchema: { type: "object", properties: { reservation_id: { type: "string", description: "The reservation ID, such as 'ZFA04Y'." } }, required: ["reservation_id"] },
  },
  {
    name: "transfer_to_human_agents",
    description: "Transfer the user to a human agent, with a summary of the user's issue. Only transfer if the user explicitly asks for a human agent, or if the user's issue cannot be resolved by the agent with the available tools.",
    inputSchema: { type: "object", properties: { summary: { type: "string", description: "A summary of the user's issue." } }, required: ["summary"] },
  },
];

const USER = { user_id: "emma_kim_9957", name: { first_name: "Emma", last_name: "Kim" }, membership: "gold", reservations: ["EHGLP3", "MDCLVA"], payment_methods: { credit_card_5832574: { source: "credit_card", brand: "visa", last_four: "2151" } } };
const RESERVATION = {
  reservation_id: "EHGLP3",
  user_id: "emma_kim_9957",
  origin: "PHX",
  destination: "JFK",
  flight_type: "one_way",
  cabin: "economy",
  flights: [{ flight_number: "HAT156", origin: "PHX", destination: "SEA", date: "2024-05-20", price: 190 }, { flight_number: "HAT021", origin: "SEA", destination: "JFK", date: "2024-05-20", price: 178 }],
  passengers: [{ first_name: "Emma", last_name: "Kim", dob: "1976-11-30" }],
  created_at: "2024-05-14T09:12:33",
  total_baggages: 0,
  insurance: "no",
};
const SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4pyn6gGsaQmSNOvcMfTdoP8RtCqGi8QHasJl5ZAp1kj6nIUTvdQKmSFjXGpKh9sqKXD7jvo";

const CONVERSATION: Conversation = {
  system: POLICY,
  tools: TOOLS,
  messages: [
    { role: "user", content: [{ type: "text", text: "Hi, I need to cancel my flight to New York, reservation EHGLP3. My user id is emma_kim_9957." }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "The policy says: get the user id (given), the reservation id (given), and the reason. First look up the user.", signature: SIGNATURE },
        { type: "text", text: "Let me pull up your profile." },
        { type: "tool_call", id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", name: "get_user_details", arguments: { user_id: "emma_kim_9957" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", content: JSON.stringify(USER) }] },
    { role: "assistant", content: [{ type: "tool_call", id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" } }] },
    { role: "user", content: [{ type: "tool_result", id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", content: JSON.stringify(RESERVATION) }] },
  ],
};

// ---------------------------------------------------------------------------------------------

let anthropicFake: FakeAnthropic;
let openaiFake: FakeOpenAI;
let anthropic: AnthropicProvider;
let openai: OpenAIProvider;
before(async () => {
  anthropicFake = await startFakeAnthropic();
  openaiFake = await startFakeOpenAI();
  anthropic = new AnthropicProvider({ apiKey: "sk-ant-test-000", baseURL: anthropicFake.url });
  openai = new OpenAIProvider({ apiKey: "sk-test-000", baseURL: `${openaiFake.url}/v1` });
});
after(async () => {
  await anthropicFake.close();
  await openaiFake.close();
});

const claudeRequest: SampleRequest = { prompt: "", conversation: CONVERSATION, model: "claude-sonnet-4-5", maxTokens: 4096, thinking: { type: "budget", budgetTokens: 2048 } };
const gptRequest: SampleRequest = { prompt: "", conversation: CONVERSATION, model: "gpt-4o-mini", maxTokens: 1024, thinking: { type: "none" } };

async function collect(p: Provider, r: SampleRequest): Promise<ProviderEvent[]> {
  assert.equal(p.check(r), null, "the request passes the provider's checks");
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(r, new AbortController().signal)) events.push(e);
  return events;
}

async function failure(p: Provider, r: SampleRequest): Promise<SamplingError> {
  try {
    for await (const _ of p.stream(r, new AbortController().signal)) void _;
  } catch (e) {
    assert.ok(e instanceof SamplingError, `a SamplingError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a failure");
}

const toolCalls = (events: ProviderEvent[]) => events.filter((e): e is Extract<ProviderEvent, { type: "tool_call" }> => e.type === "tool_call");
const joined = (events: ProviderEvent[], type: "thinking" | "text") => events.map((e) => (e.type === type ? e.text : "")).join("");
/** The last value of a usage field (each usage event holds the latest known values). */
function usage(events: ProviderEvent[], field: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens"): number | undefined {
  let v: number | undefined;
  for (const e of events) if (e.type === "usage" && e[field] !== undefined) v = e[field];
  return v;
}
/** A JSON text in pieces of one to three characters. */
function tinyPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % 3) + 1) out.push(text.slice(i, i + n));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Anthropic

test("Anthropic: the prefix arrives intact — system, the turns in order with the signed thinking passed back, tool_use / tool_result paired by id, the tools with their schemas, cache_control on the last tool and the last block", async () => {
  anthropicFake.enqueue({ kind: "ok", thinking: ["Confirm first."], text: [], toolCalls: [{ name: "cancel_reservation", input: { reservation_id: "EHGLP3" } }] });
  await collect(anthropic, claudeRequest);
  const body = anthropicFake.requests.at(-1)!.body;
  assert.equal(body.stream, true);
  // the system prompt is one cached text block (a breakpoint of its own, with the tools and the last block)
  assert.deepEqual(body.system, [{ type: "text", text: POLICY, cache_control: { type: "ephemeral" } }]);
  assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 2048, display: "summarized" });
  assert.deepEqual(
    body.tools,
    TOOLS.map((t, i) => ({ name: t.name, description: t.description, input_schema: t.inputSchema, ...(i === TOOLS.length - 1 ? { cache_control: { type: "ephemeral" } } : {}) })),
  );
  assert.deepEqual(body.messages, [
    { role: "user", content: [{ type: "text", text: "Hi, I need to cancel my flight to New York, reservation EHGLP3. My user id is emma_kim_9957." }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "The policy says: get the user id (given), the reservation id (given), and the reason. First look up the user.", signature: SIGNATURE },
        { type: "text", text: "Let me pull up your profile." },
        { type: "tool_use", id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", name: "get_user_details", input: { user_id: "emma_kim_9957" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", content: JSON.stringify(USER) }] },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", name: "get_reservation_details", input: { reservation_id: "EHGLP3" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", content: JSON.stringify(RESERVATION), cache_control: { type: "ephemeral" } }] },
  ]);
});

test("Anthropic: the next turn as events — thinking, text, the tool call assembled from one-to-three-character input_json_delta pieces, stop tool_use; the prefix written to the cache, then read from it", async () => {
  const args = { reservation_id: "EHGLP3", reason: "change of plan" };
  const pieces = tinyPieces(JSON.stringify(args));
  assert.ok(pieces.length > 20);
  const scenario = {
    kind: "ok" as const,
    thinking: ["Created 2024-05-14, ", "within 24 hours: ", "cancellable. The policy wants a confirmation first…"],
    text: ["I can cancel EHGLP3 for you."],
    toolCalls: [{ id: "toolu_01C3nV8bT2wXyZ4qPr6sLmJk", name: "cancel_reservation", input: args, json: pieces }],
    outputTokens: 95,
  };
  // a fake of its own: its prompt cache has not seen this prefix yet
  const fake = await startFakeAnthropic();
  after(() => fake.close());
  const provider = new AnthropicProvider({ apiKey: "sk-ant-test-000", baseURL: fake.url });
  fake.enqueue(scenario, scenario);
  const first = await collect(provider, claudeRequest);
  assert.equal(joined(first, "thinking"), "Created 2024-05-14, within 24 hours: cancellable. The policy wants a confirmation first…");
  assert.equal(joined(first, "text"), "I can cancel EHGLP3 for you.");
  const calls = toolCalls(first);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.id, "toolu_01C3nV8bT2wXyZ4qPr6sLmJk");
  assert.equal(calls[0]!.name, "cancel_reservation");
  assert.equal(calls[0]!.arguments, JSON.stringify(args), "the raw text, the pieces joined");
  assert.deepEqual(JSON.parse(calls[0]!.arguments), args);
  // the call comes after the thinking (closed by its signature) and the text, before the stop
  const order = first.map((e) => e.type).filter((t) => t !== "usage");
  assert.deepEqual([...new Set(order)], ["thinking", "thinking_signature", "text", "tool_call", "stop"]);
  const signature = first.find((e) => e.type === "thinking_signature");
  assert.ok(signature?.type === "thinking_signature" && signature.signature.length > 40, "the signature_delta's signature, as streamed");
  assert.deepEqual(first.at(-1), { type: "stop", reason: "tool_use", truncated: false });
  assert.equal(usage(first, "outputTokens"), 95);

  // the first rerun of this prefix wrote it to the cache; the second reads it back
  const total = usage(first, "inputTokens")!;
  assert.ok((usage(first, "cacheWriteTokens") ?? 0) > 1000, "the prefix written");
  assert.equal(usage(first, "cacheReadTokens"), undefined);
  const second = await collect(provider, claudeRequest);
  assert.equal(usage(second, "cacheReadTokens"), usage(first, "cacheWriteTokens"), "the prefix read back");
  assert.equal(usage(second, "cacheWriteTokens"), undefined);
  assert.equal(usage(second, "inputTokens"), total, "inputTokens stays the whole prompt");
  assert.deepEqual(JSON.parse(toolCalls(second)[0]!.arguments), args);
});

test("Anthropic: arguments that are not JSON are still recorded, raw; a call with no input piece is \"\"", async () => {
  anthropicFake.enqueue({
    kind: "ok",
    thinking: ["Hmm."],
    text: [],
    toolCalls: [
      { name: "cancel_reservation", json: ['{"reservation_id": "EHG', "LP3"] },
      { name: "transfer_to_human_agents", json: [] },
    ],
  });
  const calls = toolCalls(await collect(anthropic, claudeRequest));
  assert.deepEqual(
    calls.map((c) => [c.name, c.arguments]),
    [
      ["cancel_reservation", '{"reservation_id": "EHGLP3'],
      ["transfer_to_human_agents", ""],
    ],
  );
  assert.throws(() => JSON.parse(calls[0]!.arguments));
});

test("Anthropic: a prefix the API refuses (a tool result whose call is not in the message before) is a request SamplingError with the server's words", async () => {
  const broken: Conversation = { ...CONVERSATION, messages: [CONVERSATION.messages[0]!, CONVERSATION.messages[2]!] };
  const before = anthropicFake.requests.length;
  const e = await failure(anthropic, { ...claudeRequest, conversation: broken, thinking: { type: "none" } });
  assert.equal(anthropicFake.requests.length, before + 1);
  assert.equal(e.kind, "request");
  assert.equal(e.status, 400);
  assert.equal(e.retryable, false);
  assert.match(e.message, /answered 400 invalid_request_error: messages\.1\.content\.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01A1aJ9zN6Q9vT3mFqv2sDkE\. Each `tool_result` block must have a corresponding `tool_use` block in the previous message\./);
});

test("Anthropic, thinking budget: a tool-use loop opened without its signed thinking block is refused before any request (the server would refuse it too)", async () => {
  // as an imported OpenAI trajectory would be: no thinking, no signatures
  const unthought: Conversation = {
    ...CONVERSATION,
    messages: CONVERSATION.messages.map((m) => ({ ...m, content: m.content.filter((b) => b.type !== "thinking") })),
  };
  const refused = anthropic.check({ ...claudeRequest, conversation: unthought });
  assert.ok(refused);
  assert.match(refused, /\(message 2\) starts with its thinking block, signature included.*--thinking off/);
  // a thinking block whose signature was not recorded counts as none
  const unsigned: Conversation = { ...CONVERSATION, messages: CONVERSATION.messages.map((m, i) => (i === 1 ? { ...m, content: m.content.map((b) => (b.type === "thinking" ? { type: "thinking" as const, thinking: b.thinking } : b)) } : m)) };
  assert.ok(anthropic.check({ ...claudeRequest, conversation: unsigned }));
  // fine: with thinking off, adaptive thinking (the model may not have thought), or a prefix ending on the user's own words
  assert.equal(anthropic.check({ ...claudeRequest, conversation: unthought, thinking: { type: "none" } }), null);
  assert.equal(anthropic.check({ ...claudeRequest, conversation: CONVERSATION }), null);
  const asked = [...unthought.messages, { role: "assistant" as const, content: [{ type: "text" as const, text: "Shall I cancel it?" }] }, { role: "user" as const, content: [{ type: "text" as const, text: "Yes, cancel it." }] }];
  assert.equal(anthropic.check({ ...claudeRequest, conversation: { ...unthought, messages: asked } }), null);
  // what the server says when it is sent anyway
  const e = await failure(anthropic, { ...claudeRequest, conversation: unthought });
  assert.equal(e.status, 400);
  assert.match(e.message, /messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `text`/);
});

test("Anthropic through the engine: four reruns of the prefix, the first writes the cache and the others read it, each priced at the cache rates", async () => {
  anthropicFake.setDefault({ kind: "ok", thinking: ["Check the policy."], text: [], toolCalls: [{ name: "get_reservation_details", input: { reservation_id: "MDCLVA" } }], outputTokens: 60 });
  // a prefix of its own (nothing cached yet): the customer's last words differ
  const conversation: Conversation = { ...CONVERSATION, messages: [...CONVERSATION.messages, { role: "assistant", content: [{ type: "text", text: "Why do you want to cancel?" }] }, { role: "user", content: [{ type: "text", text: "Plans changed. Also check MDCLVA." }] }] };
  const price = priceOf("claude-sonnet-4-5")!;
  const r = await runSamples({ provider: anthropic, request: { ...claudeRequest, conversation }, n: 4, concurrency: 1, price });
  anthropicFake.setDefault({ kind: "ok" });
  assert.equal(r.status, "complete");
  const samples = [...r.samples].sort((a, b) => a.index - b.index);
  assert.ok(samples[0]!.usage.cacheWriteTokens! > 1000);
  for (const s of samples.slice(1)) assert.equal(s.usage.cacheReadTokens, samples[0]!.usage.cacheWriteTokens);
  const input = samples[0]!.usage.inputTokens;
  const cached = samples[0]!.usage.cacheWriteTokens!;
  assert.equal(samples[0]!.costUsd, ((input - cached) * price.input + cached * price.cacheWrite! + 60 * price.output) / 1e6);
  assert.equal(samples[1]!.costUsd, ((input - cached) * price.input + cached * price.cacheRead! + 60 * price.output) / 1e6);
  assert.ok(samples[1]!.costUsd! < samples[0]!.costUsd!);
  assert.equal(r.progress.cacheReadTokens, 3 * cached);
  assert.equal(r.progress.cacheWriteTokens, cached);
  assert.equal(samples[0]!.stopReason, "tool_use");
});

// ---------------------------------------------------------------------------------------------
// OpenAI

test("OpenAI: the prefix arrives intact — the system message, the assistant's text and tool_calls, one tool message per result, the functions with their parameters", async () => {
  openaiFake.enqueue({ kind: "ok", text: [], toolCalls: [{ name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" } }] });
  await collect(openai, gptRequest);
  const body = openaiFake.requests.at(-1)!.body;
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.deepEqual(
    body.tools,
    TOOLS.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.inputSchema } })),
  );
  assert.deepEqual(body.messages, [
    { role: "system", content: POLICY },
    { role: "user", content: "Hi, I need to cancel my flight to New York, reservation EHGLP3. My user id is emma_kim_9957." },
    { role: "assistant", content: "Let me pull up your profile.", tool_calls: [{ id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", type: "function", function: { name: "get_user_details", arguments: '{"user_id":"emma_kim_9957"}' } }] },
    { role: "tool", tool_call_id: "toolu_01A1aJ9zN6Q9vT3mFqv2sDkE", content: JSON.stringify(USER) },
    { role: "assistant", content: null, tool_calls: [{ id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", type: "function", function: { name: "get_reservation_details", arguments: '{"reservation_id":"EHGLP3"}' } }] },
    { role: "tool", tool_call_id: "toolu_01B7kQ2xR5pWmL8nYc3dTgHu", content: JSON.stringify(RESERVATION) },
  ]);
});

test("OpenAI: two parallel tool calls in one reply, each assembled from tiny fragments by index, finish_reason tool_calls; the repeated prefix reported as cached", async () => {
  const a = { reservation_id: "EHGLP3" };
  const b = { user_id: "emma_kim_9957" };
  const scenario = {
    kind: "ok" as const,
    text: [],
    toolCalls: [
      { id: "call_R4kYw1dXq0bN7sVmE2hJtPzL", name: "get_reservation_details", arguments: a, pieces: tinyPieces(JSON.stringify(a)) },
      { id: "call_Z8pTn3cUf6gH1aQoK5rWyDxB", name: "get_user_details", arguments: b, pieces: tinyPieces(JSON.stringify(b)) },
    ],
    completionTokens: 44,
  };
  // a fake of its own: its prompt cache has not seen this prefix yet
  const fake = await startFakeOpenAI();
  after(() => fake.close());
  const provider = new OpenAIProvider({ apiKey: "sk-test-000", baseURL: `${fake.url}/v1` });
  fake.enqueue(scenario, scenario);
  const first = await collect(provider, gptRequest);
  const calls = toolCalls(first);
  assert.deepEqual(
    calls.map((c) => [c.id, c.name, JSON.parse(c.arguments)]),
    [
      ["call_R4kYw1dXq0bN7sVmE2hJtPzL", "get_reservation_details", a],
      ["call_Z8pTn3cUf6gH1aQoK5rWyDxB", "get_user_details", b],
    ],
  );
  assert.equal(calls[0]!.arguments, JSON.stringify(a));
  assert.deepEqual(first.at(-1), { type: "stop", reason: "tool_calls", truncated: false });
  assert.equal(joined(first, "text"), "");
  assert.equal(usage(first, "outputTokens"), 44);
  // OpenAI caches by itself: the same prefix again is mostly cached (in 128-token steps past 1024)
  assert.equal(usage(first, "cacheReadTokens"), undefined);
  const second = await collect(provider, gptRequest);
  const cached = usage(second, "cacheReadTokens")!;
  assert.ok(cached >= 1024 && (cached - 1024) % 128 === 0, String(cached));
  assert.ok(cached <= usage(second, "inputTokens")!);
  assert.equal(toolCalls(second).length, 2);
});

test("OpenAI: arguments that are not JSON are still recorded, raw", async () => {
  openaiFake.enqueue({ kind: "ok", text: ["Cancelling now."], toolCalls: [{ name: "cancel_reservation", pieces: ["{'reservation_id': ", "'EHGLP3'}"] }] });
  const events = await collect(openai, gptRequest);
  assert.equal(joined(events, "text"), "Cancelling now.");
  const calls = toolCalls(events);
  assert.deepEqual(calls.map((c) => [c.name, c.arguments]), [["cancel_reservation", "{'reservation_id': 'EHGLP3'}"]]);
  assert.throws(() => JSON.parse(calls[0]!.arguments));
});

test("OpenAI: a prefix the API refuses (a tool message with no tool_calls before it) is a request SamplingError with the server's words", async () => {
  const broken: Conversation = { ...CONVERSATION, messages: [CONVERSATION.messages[0]!, CONVERSATION.messages[2]!] };
  const e = await failure(openai, { ...gptRequest, conversation: broken });
  assert.equal(e.kind, "request");
  assert.equal(e.status, 400);
  assert.match(e.message, /answered 400 invalid_request_error: Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'\./);
});

test("a conversation without tools declares none (OpenAI refuses an empty list); a plain prompt is sent as before", async () => {
  const chat: Conversation = { system: "Be brief.", tools: [], messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }] };
  openaiFake.enqueue({ kind: "ok", text: ["Hi."] });
  assert.equal(joined(await collect(openai, { ...gptRequest, conversation: chat }), "text"), "Hi.");
  const body = openaiFake.requests.at(-1)!.body;
  assert.equal("tools" in body, false);
  assert.deepEqual(body.messages, [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }]);
  anthropicFake.enqueue({ kind: "ok", text: ["Hi."] });
  await collect(anthropic, { ...claudeRequest, conversation: chat });
  assert.equal("tools" in anthropicFake.requests.at(-1)!.body, false);
  // no conversation: the one user prompt, no tools, no cache_control
  anthropicFake.enqueue({ kind: "ok" });
  await collect(anthropic, { ...claudeRequest, conversation: undefined, prompt: "2 + 2?" });
  const plain = anthropicFake.requests.at(-1)!.body;
  assert.deepEqual(plain.messages, [{ role: "user", content: "2 + 2?" }]);
  assert.equal("tools" in plain, false);
});
