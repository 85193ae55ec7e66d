// Rollouts through the real providers: the real @anthropic-ai/sdk and `openai` SDKs against the
// fake servers (test/fakes), and the offline simulated agent. Each rerun goes on for up to three
// actions with results from a replay table; what the fake received on the second and third
// requests must be the first turns as the API returned them — for Anthropic the thinking block
// with the very signature its signature_delta streamed (the fake refuses any other, as the API
// does) before the tool_use, then the tool_result paired by tool_use_id; for OpenAI the assistant
// message's tool_calls and a tool message per call with its tool_call_id. The simulated agent
// answers its own calls' results turn after turn, the same way whatever order the reruns' turns
// arrive in.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Conversation } from "../src/core/conversation";
import { addTrajectory, emptyReplayTable, type ReplayTable } from "../src/core/replay";
import { SIMULATED_MODEL } from "../src/core";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { runSamples } from "../src/sampling/engine";
import { OpenAIProvider } from "../src/sampling/openai";
import { SimulatedProvider } from "../src/sampling/simulated";
import type { runToolCommand } from "../src/sampling/toolcommand";
import type { SampleRequest } from "../src/sampling/types";
import { startFakeAnthropic, type FakeAnthropic, type AnthropicScenario } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI, type OpenAIScenario } from "./fakes/openai";

const TOOLS: Conversation["tools"] = [
  { name: "get_user_details", description: "Get the details of a user, including their reservations.", inputSchema: { type: "object", properties: { user_id: { type: "string" } }, required: ["user_id"] } },
  { name: "get_reservation_details", description: "Get the details of a reservation.", inputSchema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
  { name: "cancel_reservation", description: "Cancel the whole reservation.", inputSchema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
];
const PREFIX: Conversation = {
  system: "You are an airline customer service agent. Follow the policy: confirm before cancelling.",
  tools: TOOLS,
  messages: [{ role: "user", content: [{ type: "text", text: "Hi, I'd like to cancel reservation EHGLP3. My user id is emma_kim_9957." }] }],
};
const USER = '{"user_id": "emma_kim_9957", "reservations": ["EHGLP3", "MDCLVA"]}';
const RESERVATION = '{"reservation_id": "EHGLP3", "created_at": "2024-05-14T09:12:33", "cabin": "economy", "insurance": "no"}';

function table(): ReplayTable {
  const t = emptyReplayTable("recorded.jsonl");
  addTrajectory(
    t,
    [
      { kind: "tool_call", id: "r1", name: "get_user_details", arguments: { user_id: "emma_kim_9957" } },
      { kind: "tool_result", id: "r1", text: USER },
      { kind: "tool_call", id: "r2", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" } },
      { kind: "tool_result", id: "r2", text: RESERVATION },
    ],
    "recorded run 0",
  );
  return t;
}

let anthropicFake: FakeAnthropic;
let openaiFake: FakeOpenAI;
before(async () => {
  anthropicFake = await startFakeAnthropic({ verifySignatures: true });
  openaiFake = await startFakeOpenAI();
});
after(async () => {
  await anthropicFake.close();
  await openaiFake.close();
});

type Body = { messages: { role: string; content: unknown; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[] };
/** The turn a request asks for: the assistant messages it holds (the prefix has none). */
const turnOf = (body: Body) => body.messages.filter((m) => m.role === "assistant").length;

test("Anthropic, real SDK: a 3-turn rollout sends each turn back with its signed thinking before its tool_use, and the results paired by tool_use_id", async () => {
  anthropicFake.setDefault((req): AnthropicScenario => {
    const t = turnOf(req.body as Body);
    if (t === 0) return { kind: "ok", thinking: ["The customer gave a user id: ", "look it up."], text: ["Let me pull up your profile."], toolCalls: [{ name: "get_user_details", input: { user_id: "emma_kim_9957" } }] };
    if (t === 1) return { kind: "ok", thinking: ["Now the reservation."], text: [], toolCalls: [{ name: "get_reservation_details", input: { reservation_id: "EHGLP3" } }] };
    return { kind: "ok", thinking: ["Booked yesterday: within 24 hours."], text: ["EHGLP3 can be cancelled for a full refund. Shall I go ahead?"] };
  });
  const before = anthropicFake.requests.length;
  const provider = new AnthropicProvider({ apiKey: "sk-ant-test-rollout-1", baseURL: anthropicFake.url });
  const request: SampleRequest = { prompt: "", conversation: PREFIX, model: "claude-sonnet-4-5", maxTokens: 4096, thinking: { type: "budget", budgetTokens: 2048 }, rollout: { steps: 3, replay: table() } };
  const r = await runSamples({ provider, request, n: 2, concurrency: 1 });
  assert.equal(r.status, "complete", r.message);
  const sent = anthropicFake.requests.slice(before);
  assert.equal(sent.length, 6, "three turns for each of the two reruns");
  for (const [k, s] of r.samples.entries()) {
    assert.deepEqual(s.rolloutStop, { reason: "answered", turns: 3, actions: 2, results: { replay: 2, command: 0, ambiguous: 0 } });
    const steps = s.steps!;
    assert.deepEqual(
      steps.map((st) => st.kind),
      ["reasoning", "text", "tool_call", "tool_result", "reasoning", "tool_call", "tool_result", "reasoning", "text"],
    );
    const signatures = steps.filter((st) => st.kind === "reasoning").map((st) => st.signature);
    assert.ok(signatures.every((x) => typeof x === "string" && x.length > 40), "each thinking block's signature, as streamed, kept on its step");
    const [call1, call2] = steps.filter((st) => st.kind === "tool_call");

    const second = sent[3 * k + 1]!.body as Body;
    assert.deepEqual(second.messages.map((m) => m.role), ["user", "assistant", "user"]);
    assert.deepEqual(second.messages[1]!.content, [
      { type: "thinking", thinking: "The customer gave a user id: look it up.", signature: signatures[0] },
      { type: "text", text: "Let me pull up your profile." },
      { type: "tool_use", id: call1!.id, name: "get_user_details", input: { user_id: "emma_kim_9957" } },
    ]);
    assert.match(call1!.id!, /^toolu_01/);
    assert.deepEqual(second.messages[2]!.content, [{ type: "tool_result", tool_use_id: call1!.id, content: USER, cache_control: { type: "ephemeral" } }]);

    const third = sent[3 * k + 2]!.body as Body;
    assert.deepEqual(third.messages.map((m) => m.role), ["user", "assistant", "user", "assistant", "user"]);
    assert.deepEqual(third.messages[1], { ...second.messages[1], role: "assistant" }, "the first turn again, as it was");
    assert.deepEqual(third.messages[3]!.content, [
      { type: "thinking", thinking: "Now the reservation.", signature: signatures[1] },
      { type: "tool_use", id: call2!.id, name: "get_reservation_details", input: { reservation_id: "EHGLP3" } },
    ]);
    assert.deepEqual(third.messages[4]!.content, [{ type: "tool_result", tool_use_id: call2!.id, content: RESERVATION, cache_control: { type: "ephemeral" } }]);
  }
  // usage summed over the turns: each request's input counted
  assert.ok(r.samples[0]!.usage.inputTokens > 0 && r.samples[0]!.usage.outputTokens > 0);

  // the fake checks signatures as the API does: a thinking block sent back altered is refused
  const tampered = structuredClone(sent[1]!.body as Body & Record<string, unknown>);
  (tampered.messages[1]!.content as { thinking: string }[])[0]!.thinking += " (edited)";
  const res = await fetch(`${anthropicFake.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" }, body: JSON.stringify(tampered) });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /^messages\.1\.content\.0: Invalid `signature` in `thinking` block$/);
  anthropicFake.setDefault({ kind: "ok" });
});

test("Anthropic: a call with no recorded result stops the rerun there (no request for a turn after it)", async () => {
  anthropicFake.setDefault((req): AnthropicScenario => {
    const t = turnOf(req.body as Body);
    return t === 0 ? { kind: "ok", thinking: ["Look it up."], text: [], toolCalls: [{ name: "get_user_details", input: { user_id: "emma_kim_9957" } }] } : { kind: "ok", thinking: ["Cancel at once."], text: [], toolCalls: [{ name: "cancel_reservation", input: { reservation_id: "EHGLP3" } }] };
  });
  const before = anthropicFake.requests.length;
  const provider = new AnthropicProvider({ apiKey: "sk-ant-test-rollout-2", baseURL: anthropicFake.url });
  const r = await runSamples({ provider, request: { prompt: "", conversation: PREFIX, model: "claude-sonnet-4-5", maxTokens: 4096, thinking: { type: "budget", budgetTokens: 2048 }, rollout: { steps: 3, replay: table() } }, n: 1 });
  assert.equal(anthropicFake.requests.length - before, 2);
  assert.deepEqual(r.samples[0]!.rolloutStop, { reason: "no-result", call: 'cancel_reservation{"reservation_id":"EHGLP3"}', turns: 2, actions: 2, results: { replay: 1, command: 0, ambiguous: 0 } });
  anthropicFake.setDefault({ kind: "ok" });
});

test("OpenAI, real SDK: a 3-step rollout sends the assistant message with its tool_calls and a tool message per call with its tool_call_id", async () => {
  openaiFake.setDefault((req): OpenAIScenario => {
    const t = turnOf(req.body as Body);
    if (t === 0) return { kind: "ok", text: [], toolCalls: [{ name: "get_user_details", arguments: { user_id: "emma_kim_9957" } }] };
    if (t === 1) return { kind: "ok", text: ["Checking the reservation."], toolCalls: [{ name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" } }] };
    return { kind: "ok", text: [], toolCalls: [{ name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" } }] };
  });
  const before = openaiFake.requests.length;
  const provider = new OpenAIProvider({ apiKey: "sk-test-rollout-3", baseURL: `${openaiFake.url}/v1` });
  const r = await runSamples({ provider, request: { prompt: "", conversation: PREFIX, model: "gpt-4o", maxTokens: 1024, thinking: { type: "none" }, rollout: { steps: 3, replay: table() } }, n: 1 });
  assert.equal(r.status, "complete", r.message);
  const sent = openaiFake.requests.slice(before).map((q) => q.body as Body);
  assert.equal(sent.length, 3);
  const s = r.samples[0]!;
  assert.deepEqual(s.rolloutStop, { reason: "steps", turns: 3, actions: 3, results: { replay: 2, command: 0, ambiguous: 0 } });
  const calls = s.steps!.filter((st) => st.kind === "tool_call");
  assert.ok(calls.every((c) => /^call_/.test(c.id!)), "the server's call ids");
  const second = sent[1]!;
  assert.deepEqual(second.messages.map((m) => m.role), ["system", "user", "assistant", "tool"]);
  assert.deepEqual(second.messages[2], { role: "assistant", content: null, tool_calls: [{ id: calls[0]!.id!, type: "function", function: { name: "get_user_details", arguments: '{"user_id":"emma_kim_9957"}' } }] });
  assert.deepEqual(second.messages[3], { role: "tool", tool_call_id: calls[0]!.id, content: USER });
  const third = sent[2]!;
  assert.deepEqual(third.messages.map((m) => m.role), ["system", "user", "assistant", "tool", "assistant", "tool"]);
  assert.deepEqual(third.messages[4], { role: "assistant", content: "Checking the reservation.", tool_calls: [{ id: calls[1]!.id!, type: "function", function: { name: "get_reservation_details", arguments: '{"reservation_id":"EHGLP3"}' } }] });
  assert.deepEqual(third.messages[5], { role: "tool", tool_call_id: calls[1]!.id, content: RESERVATION });
  assert.deepEqual(
    s.steps!.map((st) => st.kind),
    ["tool_call", "tool_result", "text", "tool_call", "tool_result", "tool_call"],
  );
  openaiFake.setDefault({ kind: "ok" });
});

test("the simulated agent rolls out offline: its own calls answered turn after turn, each result paired by id, the same runs whatever order the turns arrive in", async () => {
  // a tool command that answers anything; with delays, the earlier a call comes the longer it
  // takes, so the reruns' next turns arrive in the reverse order of their first
  let asked = 0;
  const runTool = (delays: boolean): typeof runToolCommand => async (_argv, call) => {
    if (delays) await new Promise((r) => setTimeout(r, Math.max(0, 80 - 8 * asked++)));
    return { text: call.name === "get_user_details" ? USER : call.name === "get_reservation_details" ? RESERVATION : `{"ok": true, "tool": "${call.name}"}`, isError: false, exitCode: 0, timedOut: false, cut: false };
  };
  const request: SampleRequest = { prompt: "", conversation: PREFIX, model: SIMULATED_MODEL, maxTokens: 4000, thinking: { type: "adaptive" }, rollout: { steps: 3, command: ["answer-anything"] } };
  const once = async (delays: boolean, concurrency: number, seed: number) => runSamples({ provider: new SimulatedProvider({ tokensPerSecond: 0, spread: 0.3, seed }), request, n: 12, concurrency, runTool: runTool(delays) });
  // (seeds where reruns with the same first turn part later: were the next turns drawn by
  // arrival order, 6 of the 12 reruns of seed 3 and 7 of seed 7 would differ)
  for (const seed of [3, 7]) {
    asked = 0;
    const a = await once(false, 1, seed);
    const b = await once(true, 6, seed);
    assert.equal(a.status, "complete");
    assert.deepEqual(
      b.samples.map((s) => [s.index, s.steps, s.rolloutStop]),
      a.samples.map((s) => [s.index, s.steps, s.rolloutStop]),
      `seed ${seed}: the same reruns, one at a time or six at once with tool results arriving out of order`,
    );
  }
  const a = await once(false, 1, 7);
  const turns = a.samples.map((s) => s.rolloutStop!.turns);
  assert.ok(turns.some((t) => t >= 2), `some reruns go on past their first turn: ${turns.join(",")}`);
  for (const s of a.samples) {
    const open = new Set<string>();
    for (const st of s.steps!) {
      if (st.kind === "tool_call") open.add(st.id!);
      if (st.kind === "tool_result") assert.ok(open.delete(st.id!), `${st.id} answers a call before it`);
    }
    const stop = s.rolloutStop!;
    assert.ok(stop.reason === "answered" || stop.reason === "steps", JSON.stringify(stop));
    assert.equal(stop.actions, s.steps!.filter((st) => st.kind === "tool_call").length);
  }
  // reruns part over the turns after the first: the trajectories are not all alike
  assert.ok(new Set(a.samples.map((s) => JSON.stringify(s.steps!.filter((st) => st.kind === "tool_call").map((st) => [st.name, st.arguments])))).size >= 3);
});
