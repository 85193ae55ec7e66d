// Sampling an agent's next action (issue "rerun an agent from any point"): the engine keeps the
// reply as a trajectory's steps (thinking, text, tool calls in order, arguments parsed), the run
// file carries them (a malformed step list is dropped with a warning, the text kept), and the
// analysis classes the samples by their first tool call's key, with `expectedAction` (a tool's
// name, or a full key) deciding which are right, so pass^k is "took the expected action".
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRun, isExpectedAction, parseRunFile, RUN_SCHEMA, type RunHeader } from "../src/core";
import { StepRecorder } from "../src/sampling/engine";

test("StepRecorder: thinking and text merge while they last; each tool call a step, its arguments parsed or kept raw", () => {
  const r = new StepRecorder();
  for (const ev of [
    { type: "thinking", text: "The user gave " },
    { type: "thinking", text: "a reservation id." },
    { type: "text", text: "Let me look it up." },
    { type: "tool_call", id: "toolu_1", name: "get_reservation_details", arguments: '{"reservation_id": "JG7FMM"}' },
    { type: "tool_call", id: "toolu_2", name: "calculate", arguments: '{"expression": "1+' },
    { type: "tool_call", id: "", name: "list_all_airports", arguments: "" },
    { type: "usage", inputTokens: 5 },
    { type: "stop", reason: "tool_use", truncated: false },
  ] as const)
    r.add(ev);
  assert.deepEqual(r.steps, [
    { kind: "reasoning", text: "The user gave a reservation id." },
    { kind: "text", text: "Let me look it up." },
    { kind: "tool_call", name: "get_reservation_details", arguments: { reservation_id: "JG7FMM" }, id: "toolu_1" },
    { kind: "tool_call", name: "calculate", arguments: '{"expression": "1+', id: "toolu_2" },
    { kind: "tool_call", name: "list_all_airports", arguments: {} },
  ]);
});

test("isExpectedAction: a tool's name matches any call of it; a key matches canonically, in either spelling", () => {
  const call = { kind: "tool_call" as const, name: "get_reservation_details", arguments: { reservation_id: "JG7FMM", verbose: false } };
  assert.ok(isExpectedAction(call, "get_reservation_details"));
  assert.ok(!isExpectedAction(call, "get_user_details"));
  assert.ok(isExpectedAction(call, 'get_reservation_details{"verbose":false,"reservation_id":"JG7FMM"}'));
  assert.ok(isExpectedAction(call, 'get_reservation_details({"reservation_id": "JG7FMM", "verbose": false})'));
  assert.ok(!isExpectedAction(call, 'get_reservation_details{"reservation_id":"XXXXXX","verbose":false}'));
  assert.ok(isExpectedAction({ kind: "tool_call", name: "list_all_airports" }, "list_all_airports()"));
});

function header(extra: Partial<RunHeader> = {}): RunHeader {
  return {
    type: "header",
    schema: RUN_SCHEMA,
    id: "next-action",
    createdAt: "2026-12-05T12:00:00Z",
    tool: { name: "hotmess", version: "test" },
    provider: "simulated",
    model: "sim",
    prompt: "task-2 run 0, before action 3",
    parameters: { n: 6, maxTokens: 1024, thinking: { type: "none" }, concurrency: 2, idleTimeoutMs: 1000 },
    ...extra,
  };
}

function sampleLine(index: number, steps: unknown, text = "") {
  return { type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 1000, outputTokens: 20, cacheReadTokens: 900 }, costUsd: null, latencyMs: 5, retries: 0, truncated: false, stopReason: "tool_use", finishedAt: "2026-12-05T12:00:01Z", steps };
}

const call = (name: string, args: unknown) => ({ kind: "tool_call", name, arguments: args });

function runText(expected?: string): string {
  const lines: unknown[] = [header(expected ? { expectedAction: expected } : {})];
  const choices = [
    call("get_reservation_details", { reservation_id: "JG7FMM" }),
    call("get_reservation_details", { reservation_id: "JG7FMM" }),
    call("get_reservation_details", { reservation_id: "JG7FMM" }),
    call("get_reservation_details", { reservation_id: "ABC123" }),
    call("get_user_details", { user_id: "sara_doe_496" }),
  ];
  choices.forEach((c, i) => lines.push(sampleLine(i, [{ kind: "reasoning", text: "thinking" }, c])));
  lines.push(sampleLine(5, [{ kind: "text", text: "Could you confirm the reservation id?" }], "Could you confirm the reservation id?"));
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

test("a run of next actions: classes by the first call's key, the fork at action 1, right when it took the expected action", () => {
  const a = analyzeRun(parseRunFile(runText("get_reservation_details")));
  const p = a.prompts[0]!;
  assert.equal(p.n, 6);
  assert.equal(p.target, "flags");
  assert.equal(p.expectedAction, "get_reservation_details", "the analysis says what the correct flags were measured against");
  assert.deepEqual(
    p.answers.map((c) => [c.key, c.count, c.reference]),
    [
      ["(correct)", 4, true],
      ['get_user_details{"user_id":"sara_doe_496"}', 1, false],
      // the turn that answered in text: an action of its own (its label is the raw answer, "reply without a tool call")
      ["replywithoutatoolcall", 1, false],
    ],
  );
  assert.deepEqual(p.answers[2]!.examples, ["reply without a tool call"]);
  assert.equal(p.agent?.forkAction, 0);
  assert.deepEqual(p.agent?.toolCalls, [1, 1, 1, 1, 1, 0]);
  // pass^k = C(4,k)/C(6,k)
  assert.deepEqual(p.passHatK?.slice(0, 3).map((x) => +x.toFixed(6)), [+(4 / 6).toFixed(6), +(6 / 15).toFixed(6), +(4 / 20).toFixed(6)]);
  // a full key as the reference: only the three calls with JG7FMM (the class key is the answer
  // normalised as METRICS.md §2 says: lower case)
  const key = analyzeRun(parseRunFile(runText('get_reservation_details{"reservation_id":"JG7FMM"}'))).prompts[0]!;
  assert.deepEqual(
    key.answers.filter((c) => c.reference).map((c) => [c.key, c.count]),
    [['get_reservation_details{"reservation_id":"jg7fmm"}', 3]],
  );
  // no expected action: classes without a target
  const none = analyzeRun(parseRunFile(runText())).prompts[0]!;
  assert.equal(none.target, "none");
  assert.equal(none.answers[0]!.key, 'get_reservation_details{"reservation_id":"jg7fmm"}');
  assert.equal(none.answers[0]!.count, 3);
});

test("a run file's malformed steps are left out with a warning naming the sample; its text is kept", () => {
  const text = [JSON.stringify(header()), JSON.stringify(sampleLine(0, [{ kind: "tool_call" }], "hi")), JSON.stringify(sampleLine(1, [call("a", {})]))].join("\n") + "\n";
  const run = parseRunFile(text);
  assert.equal(run.samples.length, 2);
  assert.equal(run.samples[0]!.steps, undefined);
  assert.equal(run.samples[0]!.text, "hi");
  assert.deepEqual(run.samples[1]!.steps, [{ kind: "tool_call", name: "a", arguments: {} }]);
  assert.equal(run.warnings.length, 1);
  assert.match(run.warnings[0]!.message, /^sample 0: "steps"\[0\] \(tool_call\) needs a "name".*its steps are left out \(its text is kept\)$/);
  assert.equal(run.warnings[0]!.line, 2);
});
