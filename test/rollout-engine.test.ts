// Rollouts in the run engine (SampleRequest.rollout), against a scripted in-process provider that
// keeps every request it gets: each turn's tool calls get their results (the replay table first,
// then the tool command), the turn as the provider returned it (thinking with its signature) and
// a user turn of the results paired by id are appended, and the next turn is sampled, until the
// model answers, K actions were taken, a call has no result, the tool command cannot run, or a
// turn is cut at max tokens; the sample keeps every turn's steps and the results between them,
// usage and cost summed (priced per turn), one retry of a failed turn without resending the turns
// before it. Without a rollout a sample is one turn, as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Conversation, ConversationBlock } from "../src/core/conversation";
import { addTrajectory, emptyReplayTable, type ReplayTable } from "../src/core/replay";
import { runSamples } from "../src/sampling/engine";
import { ToolCommandError, type runToolCommand } from "../src/sampling/toolcommand";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "../src/sampling/types";

const PREFIX: Conversation = {
  system: "You are an airline agent.",
  tools: [
    { name: "get_user_details", inputSchema: { type: "object", properties: { user_id: { type: "string" } }, required: ["user_id"] } },
    { name: "get_reservation_details", inputSchema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
    { name: "cancel_reservation", inputSchema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
  ],
  messages: [{ role: "user", content: [{ type: "text", text: "Cancel EHGLP3, I am emma_kim_9957." }] }],
};

/** A recorded run that answered the first two lookups (not the cancellation). */
function table(): ReplayTable {
  const t = emptyReplayTable("recorded.jsonl");
  addTrajectory(
    t,
    [
      { kind: "tool_call", id: "r1", name: "get_user_details", arguments: { user_id: "emma_kim_9957" } },
      { kind: "tool_result", id: "r1", text: '{"name": "Emma Kim", "reservations": ["EHGLP3"]}' },
      { kind: "tool_call", id: "r2", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" } },
      { kind: "tool_result", id: "r2", text: '{"reservation_id": "EHGLP3", "status": "active"}' },
    ],
    "recorded run 0",
  );
  return t;
}

type Turn = { thinking?: string; signature?: string; text?: string; calls?: { id: string; name: string; arguments: string }[]; input?: number; output?: number; truncated?: boolean; fail?: SamplingError };

/** A provider that answers turn t (the number of assistant turns the request holds beyond the prefix) from `turns[t]`, keeping each request. */
function scripted(turns: (t: number, attempt: number) => Turn): Provider & { requests: SampleRequest[] } {
  const attempts = new Map<number, number>();
  const p = {
    id: "scripted",
    requests: [] as SampleRequest[],
    check: () => null,
    async *stream(r: SampleRequest): AsyncIterable<ProviderEvent> {
      p.requests.push(structuredClone({ ...r, rollout: undefined }));
      const t = (r.conversation!.messages.length - PREFIX.messages.length) / 2;
      const a = attempts.get(t) ?? 0;
      attempts.set(t, a + 1);
      const turn = turns(t, a);
      yield { type: "usage", inputTokens: turn.input ?? 100 };
      if (turn.fail) throw turn.fail;
      if (turn.thinking !== undefined) yield { type: "thinking", text: turn.thinking };
      if (turn.signature) yield { type: "thinking_signature", signature: turn.signature };
      if (turn.text) yield { type: "text", text: turn.text };
      for (const c of turn.calls ?? []) yield { type: "tool_call", ...c };
      yield { type: "usage", outputTokens: turn.output ?? 10 };
      yield { type: "stop", reason: turn.truncated ? "max_tokens" : turn.calls?.length ? "tool_use" : "end_turn", truncated: turn.truncated ?? false };
    },
  };
  return p;
}

const USER_CALL = { id: "t1", name: "get_user_details", arguments: '{"user_id": "emma_kim_9957"}' };
const RES_CALL = { id: "t2", name: "get_reservation_details", arguments: '{"reservation_id":"EHGLP3"}' };
const CANCEL_CALL = { id: "t3", name: "cancel_reservation", arguments: '{"reservation_id":"EHGLP3"}' };

/** Look up the user, then the reservation, then answer. */
const LOOKUPS = (t: number): Turn =>
  t === 0 ? { thinking: "Look up the user first.", signature: "sig-A", text: "Let me pull up your profile.", calls: [USER_CALL] }
  : t === 1 ? { thinking: "Now the reservation.", signature: "sig-B", calls: [RES_CALL] }
  : { thinking: "It is active.", signature: "sig-C", text: "Your reservation EHGLP3 is active. Shall I cancel it?" };

const base = (rollout: SampleRequest["rollout"]): SampleRequest => ({ prompt: "", conversation: PREFIX, model: "m", maxTokens: 1000, thinking: { type: "adaptive" }, ...(rollout ? { rollout } : {}) });

test("a rollout: each turn's calls answered from the replay table, the turn passed back with its signed thinking, results paired by id; the model answers on turn 3", async () => {
  const p = scripted(LOOKUPS);
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1, price: { input: 1, output: 2 } });
  assert.equal(r.status, "complete");
  assert.equal(p.requests.length, 3, "three turns, one request each");
  // the second request: the prefix, the first turn as returned, its result
  const second = p.requests[1]!.conversation!;
  assert.equal(second.messages.length, 3);
  assert.deepEqual(second.messages[1], {
    role: "assistant",
    content: [
      { type: "thinking", thinking: "Look up the user first.", signature: "sig-A" },
      { type: "text", text: "Let me pull up your profile." },
      { type: "tool_call", id: "t1", name: "get_user_details", arguments: { user_id: "emma_kim_9957" } },
    ],
  });
  assert.deepEqual(second.messages[2], { role: "user", content: [{ type: "tool_result", id: "t1", content: '{"name": "Emma Kim", "reservations": ["EHGLP3"]}' }] });
  assert.deepEqual(second.tools, PREFIX.tools);
  assert.equal(second.system, PREFIX.system);
  const third = p.requests[2]!.conversation!;
  assert.deepEqual(third.messages.slice(0, 3), second.messages, "the turns before are sent again as they were");
  assert.deepEqual(third.messages[4], { role: "user", content: [{ type: "tool_result", id: "t2", content: '{"reservation_id": "EHGLP3", "status": "active"}' }] });
  assert.deepEqual(PREFIX.messages.length, 1, "the request's own prefix is not changed");

  const s = r.samples[0]!;
  assert.deepEqual(
    s.steps!.map((st) => [st.kind, st.id ?? st.signature ?? ""]),
    [
      ["reasoning", "sig-A"],
      ["text", ""],
      ["tool_call", "t1"],
      ["tool_result", "t1"],
      ["reasoning", "sig-B"],
      ["tool_call", "t2"],
      ["tool_result", "t2"],
      ["reasoning", "sig-C"],
      ["text", ""],
    ],
  );
  assert.deepEqual(s.steps![3], { kind: "tool_result", id: "t1", name: "get_user_details", text: '{"name": "Emma Kim", "reservations": ["EHGLP3"]}' });
  assert.deepEqual(s.rolloutStop, { reason: "answered", turns: 3, actions: 2, results: { replay: 2, command: 0, ambiguous: 0 } });
  assert.equal(s.text, "Let me pull up your profile.\n\nYour reservation EHGLP3 is active. Shall I cancel it?");
  assert.equal(s.thinking, "Look up the user first.\n\nNow the reservation.\n\nIt is active.");
  assert.deepEqual(s.usage, { inputTokens: 300, outputTokens: 30 });
  assert.equal(s.costUsd, (300 * 1 + 30 * 2) / 1e6);
  assert.equal(s.stopReason, "end_turn");
  assert.equal(r.progress.inputTokens, 300);
});

test("the cost of a rollout is priced turn by turn (a long-prompt rate applies to the turns whose own prompt is long)", async () => {
  const p = scripted((t) => ({ ...LOOKUPS(t), input: t === 2 ? 500 : 100 }));
  const price = { input: 1, output: 2, longPrompt: { above: 400, input: 10, output: 20 } };
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1, price });
  const expected = (100 + 10 * 2 + (100 + 10 * 2) + (500 * 10 + 10 * 20)) / 1e6;
  assert.ok(Math.abs(r.samples[0]!.costUsd! - expected) < 1e-15, `${r.samples[0]!.costUsd} ≈ ${expected}`);
});

test("a call with no recorded result and no tool command stops the rerun there, recorded with its key", async () => {
  const p = scripted((t) => (t === 0 ? { calls: [USER_CALL] } : { calls: [CANCEL_CALL] }));
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 2 });
  assert.equal(r.status, "complete", "a stopped rollout is a finished sample");
  for (const s of r.samples) {
    assert.deepEqual(s.rolloutStop, { reason: "no-result", call: 'cancel_reservation{"reservation_id":"EHGLP3"}', turns: 2, actions: 2, results: { replay: 1, command: 0, ambiguous: 0 } });
    assert.deepEqual(
      s.steps!.map((st) => st.kind),
      ["tool_call", "tool_result", "tool_call"],
      "the call without a result is the last step",
    );
  }
  assert.equal(p.requests.length, 4);
});

test("the tool command answers what the replay table cannot; it gets the call with its id and parsed arguments", async () => {
  const asked: unknown[] = [];
  const runTool: typeof runToolCommand = async (argv, call) => {
    asked.push({ argv, call });
    return { text: "Cancelled.", isError: false, exitCode: 0, timedOut: false, cut: false };
  };
  const p = scripted((t) => (t === 0 ? { calls: [USER_CALL] } : t === 1 ? { calls: [CANCEL_CALL] } : { text: "Done." }));
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table(), command: ["tool", "--db", "x.json"] }), n: 1, runTool });
  const s = r.samples[0]!;
  assert.deepEqual(asked, [{ argv: ["tool", "--db", "x.json"], call: { id: "t3", name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" } } }], "only the call the table could not answer");
  assert.deepEqual(s.rolloutStop, { reason: "answered", turns: 3, actions: 2, results: { replay: 1, command: 1, ambiguous: 0 } });
  assert.deepEqual(s.steps!.at(-2), { kind: "tool_result", id: "t3", name: "cancel_reservation", text: "Cancelled." });
  // an error result goes to the model as an error
  const failing: typeof runToolCommand = async () => ({ text: "the tool command exited with status 2", isError: true, exitCode: 2, timedOut: false, cut: false });
  const q = scripted((t) => (t === 0 ? { calls: [CANCEL_CALL] } : { text: "Sorry." }));
  const e = await runSamples({ provider: q, request: base({ steps: 5, command: ["tool"] }), n: 1, runTool: failing });
  assert.deepEqual(q.requests[1]!.conversation!.messages[2], { role: "user", content: [{ type: "tool_result", id: "t3", content: "the tool command exited with status 2", isError: true }] });
  assert.equal(e.samples[0]!.steps!.find((st) => st.kind === "tool_result")?.isError, true);
});

test("a tool command that cannot be started stops the rerun as an error, saying why", async () => {
  const runTool: typeof runToolCommand = async () => {
    throw new ToolCommandError('cannot run the tool command "nope": no such program (give its path, or put it on PATH)');
  };
  const p = scripted(() => ({ calls: [CANCEL_CALL] }));
  const r = await runSamples({ provider: p, request: base({ steps: 5, command: ["nope"] }), n: 1, runTool });
  assert.deepEqual(r.samples[0]!.rolloutStop, {
    reason: "error",
    call: 'cancel_reservation{"reservation_id":"EHGLP3"}',
    message: 'cannot run the tool command "nope": no such program (give its path, or put it on PATH)',
    turns: 1,
    actions: 1,
    results: { replay: 0, command: 0, ambiguous: 0 },
  });
});

test("K actions: the turn that reaches them ends the rerun, and its calls are not answered", async () => {
  let ran = 0;
  const runTool: typeof runToolCommand = async () => {
    ran++;
    return { text: "ok", isError: false, exitCode: 0, timedOut: false, cut: false };
  };
  // two calls in the second turn: 1 + 2 ≥ 2 actions
  const p = scripted((t) => (t === 0 ? { calls: [USER_CALL] } : { calls: [RES_CALL, { ...CANCEL_CALL }] }));
  const r = await runSamples({ provider: p, request: base({ steps: 2, command: ["tool"] }), n: 1, runTool });
  assert.deepEqual(r.samples[0]!.rolloutStop, { reason: "steps", turns: 2, actions: 3, results: { replay: 0, command: 1, ambiguous: 0 } });
  assert.equal(ran, 1, "only the first turn's call was answered");
  // --steps 1: one turn, as a next-action run, with why it stopped
  const one = await runSamples({ provider: scripted(() => ({ calls: [USER_CALL] })), request: base({ steps: 1, replay: table() }), n: 1 });
  assert.deepEqual(one.samples[0]!.rolloutStop, { reason: "steps", turns: 1, actions: 1, results: { replay: 0, command: 0, ambiguous: 0 } });
});

test("a turn cut at max tokens ends the rerun as truncated", async () => {
  const p = scripted((t) => (t === 0 ? { calls: [USER_CALL] } : { thinking: "long…", truncated: true }));
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1 });
  const s = r.samples[0]!;
  assert.equal(s.rolloutStop?.reason, "truncated");
  assert.equal(s.truncated, true);
  assert.equal(s.stopReason, "max_tokens");
});

test("a failed turn is retried on its own: the turns before it are not sampled again", async () => {
  const p = scripted((t, attempt) => (t === 1 && attempt === 0 ? { fail: new SamplingError("overloaded", "Overloaded") } : LOOKUPS(t)));
  const events: string[] = [];
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1, backoffBaseMs: 1, sleep: async () => {}, onEvent: (e) => void (e.type === "retry" && events.push(`retry ${e.index} attempt ${e.attempt}: ${e.reason}`)) });
  assert.equal(r.status, "complete");
  assert.equal(p.requests.length, 4, "turn 1, turn 2 (failed), turn 2 again, turn 3");
  assert.deepEqual(
    p.requests.map((q) => q.conversation!.messages.length),
    [1, 3, 3, 5],
  );
  assert.deepEqual(events, ["retry 0 attempt 2: Overloaded"]);
  const s = r.samples[0]!;
  assert.equal(s.retries, 1);
  assert.equal(s.rolloutStop?.reason, "answered");
  assert.equal(s.steps!.filter((st) => st.kind === "tool_call").length, 2, "the failed attempt left no steps");
});

test("a turn that fails for good fails the sample, with what the earlier turns said", async () => {
  const p = scripted((t) => (t === 1 ? { fail: new SamplingError("server", "Internal server error") } : LOOKUPS(t)));
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1, maxRetries: 1, sleep: async () => {} });
  assert.equal(r.status, "failed");
  assert.equal(r.samples.length, 0);
  assert.deepEqual(r.failures[0]!.partial, { text: "Let me pull up your profile.", thinking: "Look up the user first." });
  assert.equal(r.failures[0]!.attempts, 3, "one for the first turn, two for the second");
});

test("without a rollout a sample is one turn, as before: no results, no rolloutStop", async () => {
  const p = scripted(LOOKUPS);
  const r = await runSamples({ provider: p, request: base(undefined), n: 1 });
  const s = r.samples[0]!;
  assert.equal(p.requests.length, 1);
  assert.equal(s.rolloutStop, undefined);
  assert.deepEqual(
    s.steps!.map((st) => st.kind),
    ["reasoning", "text", "tool_call"],
  );
  assert.equal(s.steps![0]!.signature, "sig-A", "the signature is kept on its reasoning step");
});

test("a call streamed without an id gets one, so its result can be paired", async () => {
  const p = scripted((t) => (t === 0 ? { calls: [{ ...USER_CALL, id: "" }] } : { text: "Done." }));
  const r = await runSamples({ provider: p, request: base({ steps: 5, replay: table() }), n: 1 });
  const [assistant, user] = p.requests[1]!.conversation!.messages.slice(1) as { content: ConversationBlock[] }[];
  const call = assistant!.content.find((b) => b.type === "tool_call") as Extract<ConversationBlock, { type: "tool_call" }>;
  assert.equal(call.id, "hotmess_call_0_0");
  assert.equal((user!.content[0] as Extract<ConversationBlock, { type: "tool_result" }>).id, "hotmess_call_0_0");
  assert.equal(r.samples[0]!.steps![0]!.id, "hotmess_call_0_0");
});
