// "Rerun from here" (the view's button on an agent's step): the prefix before a step of a run the
// panel shows, read from the panel's files — an imported trace set (with the policy kept as its
// system prompt) or a run file of next actions (its own prefix, then the sample's turn) — the
// view's message checked, and which steps carry the button.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { conversationAtStep, stepsFromConversation, type Conversation } from "../src/core/conversation";
import type { Step, TrajectoryStep } from "../src/core/types";
import { PointError, rerunPoint } from "../src/extension/rerunpoint";
import { importFiles } from "../src/import";
import { isViewMessage } from "../src/protocol/webview";
import { rerunnable } from "../webview/trajectory";
import { sharedFixture, skipWithout } from "./support/fixtures";

const dir = mkdtempSync(join(tmpdir(), "hotmess-point-"));

const STEPS: TrajectoryStep[] = [
  { kind: "user", text: "Cancel reservation EHGLP3 please. I am raj_brown_5782." },
  { kind: "text", text: "Let me look you up." },
  { kind: "tool_call", name: "get_user_details", arguments: { user_id: "raj_brown_5782" }, id: "c1" },
  { kind: "tool_result", text: '{"reservations": ["EHGLP3"]}', id: "c1" },
  { kind: "tool_call", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" }, id: "c2" },
  { kind: "tool_result", text: '{"status": "ok"}', id: "c2" },
  { kind: "user", text: "Yes, cancel it." },
  { kind: "tool_call", name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" }, id: "c3" },
];

function traceSet(): string {
  const f = join(dir, "agent.jsonl");
  const rec = { id: "task-9", prompt: STEPS[0]!.text, system: "# Policy\nAsk before cancelling.", samples: [{ text: "x", steps: STEPS, reward: 1 }, { text: "y", steps: STEPS.slice(0, 4), reward: 0 }] };
  writeFileSync(f, JSON.stringify({ id: "other", samples: [{ text: "a" }] }) + "\n" + JSON.stringify(rec) + "\n");
  return f;
}

test("from a trace set: the prefix before a call, the policy first, tools inferred, the recorded call offered as the expected action", () => {
  const file = traceSet();
  const p = rerunPoint({ kind: "traces", file }, { type: "rerun/from", prompt: "task-9", run: 0, step: 4 });
  assert.equal(p.conversation.system, "# Policy\nAsk before cancelling.");
  assert.deepEqual(
    p.conversation.messages.map((m) => [m.role, m.content.map((b) => b.type).join("+")]),
    [
      ["user", "text"],
      ["assistant", "text+tool_call"],
      ["user", "tool_result"],
    ],
  );
  assert.deepEqual(p.conversation.tools.map((t) => t.name).sort(), ["cancel_reservation", "get_reservation_details", "get_user_details"]);
  assert.equal(p.callsBefore, 1);
  assert.equal(p.title, "task-9 · run #0 · action 2");
  assert.equal(p.id, "task-9-run0-before-action2");
  assert.deepEqual(p.recorded, { name: "get_reservation_details", key: 'get_reservation_details({"reservation_id":"EHGLP3"})' });
  assert.match(p.label, /^The next turn of the conversation in run #0 of task-9 in agent\.jsonl, before its action 2 \(3 messages, 3 tools declared\), after: \[result of c1\]/);
});

test("from a trace set: what cannot be rerun from is refused with why", () => {
  const file = traceSet();
  const at = (prompt: string, run: number, step: number) => {
    try {
      rerunPoint({ kind: "traces", file }, { type: "rerun/from", prompt, run, step });
      return "no error";
    } catch (e) {
      assert.ok(e instanceof PointError, String(e));
      return e.message;
    }
  };
  assert.equal(at("task-1", 0, 1), 'agent.jsonl has no prompt "task-1" (it has other, task-9)');
  assert.equal(at("task-9", 5, 1), 'prompt "task-9" of agent.jsonl has no run #5 (it has 2)');
  assert.equal(at("task-9", 1, 9), 'run #1 of "task-9" has no step 9 (it has 4)');
  assert.match(at("task-9", 0, 3), /step 3 is a tool's result, not the agent's/);
  assert.match(at("task-9", 0, 0), /step 0 is a user turn/);
  assert.match(at("other", 0, 0), /not a trajectory/);
  assert.equal(at("task-9", 0, 7), "no error", "after a user turn: the prefix ends with it");
});

test("from a run file of next actions: its prefix, then the sample's turn up to the step", () => {
  const conversation: Conversation = {
    system: "be careful",
    messages: [
      { role: "user", content: [{ type: "text", text: "cancel EHGLP3" }] },
      { role: "assistant", content: [{ type: "thinking", thinking: "look it up", signature: "sig-1" }, { type: "tool_call", id: "toolu_1", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" } }] },
      { role: "user", content: [{ type: "tool_result", id: "toolu_1", content: "{}" }] },
    ],
    tools: [{ name: "get_reservation_details", inputSchema: { type: "object" } }, { name: "cancel_reservation", inputSchema: { type: "object" } }],
  };
  const header = { type: "header", schema: "hotmess.run/1", id: "next-1", prompt: "The next turn…", model: "claude-x", provider: "anthropic", parameters: { n: 2, maxTokens: 100, thinking: { type: "none" }, concurrency: 1 }, conversation, createdAt: "2026-12-05T00:00:00Z", tool: { name: "t", version: "1" } };
  const sample = { type: "sample", index: 3, text: "", thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "tool_use", steps: [{ kind: "text", text: "Cancelling now." }, { kind: "tool_call", name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" }, id: "toolu_9" }, { kind: "tool_result", text: "done", id: "toolu_9" }, { kind: "tool_call", name: "send_email", arguments: {}, id: "toolu_10" }] };
  const file = join(dir, "next.jsonl");
  writeFileSync(file, [header, sample].map((x) => JSON.stringify(x)).join("\n") + "\n");
  const p = rerunPoint({ kind: "runs", files: [join(dir, "agent.jsonl"), file] }, { type: "rerun/from", prompt: "next-1", run: 3, step: 3 });
  const c = p.conversation;
  assert.equal(c.system, "be careful");
  // the signed thinking of the prefix goes back as it was; the sample's turn and its result follow
  assert.deepEqual(c.messages[1]!.content[0], { type: "thinking", thinking: "look it up", signature: "sig-1" });
  assert.deepEqual(
    c.messages.map((m) => m.content.map((b) => (b.type === "tool_call" || b.type === "tool_result" ? `${b.type}:${b.id}` : b.type)).join("+")),
    ["text", "thinking+tool_call:toolu_1", "tool_result:toolu_1", "text+tool_call:toolu_9", "tool_result:toolu_9"],
  );
  // declared tools kept with their schemas; one the model named but was not given gets a declaration
  assert.deepEqual(c.tools.map((t) => t.name), ["get_reservation_details", "cancel_reservation", "send_email"]);
  assert.equal(p.id, "next-1-run3-before-action2");
  assert.throws(() => rerunPoint({ kind: "runs", files: [file] }, { type: "rerun/from", prompt: "next-2", run: 3, step: 0 }), /no run file of this view holds the prompt "next-2"/);
  assert.throws(() => rerunPoint({ kind: "runs", files: [file] }, { type: "rerun/from", prompt: "next-1", run: 0, step: 0 }), /has no finished run #0/);
});

test("stepsFromConversation and conversationAtStep read each other back", () => {
  const c = conversationAtStep(STEPS, 7, { system: "p" });
  assert.ok(!("error" in c), JSON.stringify(c));
  const again = conversationAtStep(stepsFromConversation(c), stepsFromConversation(c).length, { system: "p" });
  assert.ok(!("error" in again), JSON.stringify(again));
  assert.deepEqual(again.messages, c.messages);
  assert.equal(again.system, "p");
  // a plain prompt's reply that called tools: the prompt is the user turn it answered
  const reply: TrajectoryStep[] = [{ kind: "tool_call", name: "f", arguments: {}, id: "a" }, { kind: "tool_result", text: "1", id: "a" }, { kind: "tool_call", name: "g", arguments: {}, id: "b" }];
  const fromPrompt = conversationAtStep(reply, 2, { prompt: "compute" });
  assert.ok(!("error" in fromPrompt));
  assert.deepEqual(fromPrompt.messages[0], { role: "user", content: [{ type: "text", text: "compute" }], sources: ["the run's prompt"] });
  assert.deepEqual(fromPrompt.messages[1]!.sources, ["step 0"], "the run's own steps keep their numbers");
});

test("the view's message is checked before the host reads anything", () => {
  assert.ok(isViewMessage({ type: "rerun/from", prompt: "task-2", run: 0, step: 4 }));
  for (const bad of [{ prompt: "", run: 0, step: 1 }, { prompt: "a", run: -1, step: 1 }, { prompt: "a", run: 0, step: 1.5 }, { prompt: "a", run: "0", step: 1 }, { prompt: 3, run: 0, step: 1 }, { run: 0, step: 1 }])
    assert.equal(isViewMessage({ type: "rerun/from", ...bad }), false, JSON.stringify(bad));
});

test("the button: on every call and on the first step of each agent turn, never on users' turns or results", () => {
  const steps: Step[] = STEPS.map((s, i) => ({ text: s.text ?? s.name ?? "", start: 0, end: 0, kind: s.kind, source: i }));
  assert.deepEqual(
    steps.map((_, k) => rerunnable(steps, k)),
    [false, true, true, false, true, false, false, true],
  );
  // a step the view has no trajectory step for cannot be named to the host
  assert.equal(rerunnable([{ text: "x", start: 0, end: 1, kind: "tool_call" }], 0), false);
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("the τ-bench fixture: task-2's run 0 before its action 2 starts with the airline policy and ends with action 1's result", { skip: skipWithout(TAU) }, () => {
  const r = importFiles([{ path: "results.json", bytes: readFileSync(TAU!) }], "tau-bench");
  const file = join(dir, "tau.jsonl");
  writeFileSync(file, r.prompts.map((p) => JSON.stringify(p)).join("\n") + "\n");
  const rec = r.prompts.find((p) => p.id === "task-2")!;
  const steps = rec.samples[0]!.steps!;
  let calls = 0;
  const step = steps.findIndex((s) => s.kind === "tool_call" && ++calls === 2);
  const p = rerunPoint({ kind: "traces", file }, { type: "rerun/from", prompt: "task-2", run: 0, step });
  assert.match(p.conversation.system ?? "", /^# Airline Agent Policy/);
  assert.equal(p.callsBefore, 1);
  const last = p.conversation.messages.at(-1)!;
  assert.equal(last.role, "user");
  assert.equal(last.content.filter((b) => b.type === "tool_call").length, 0);
  assert.equal(p.conversation.messages.flatMap((m) => m.content).filter((b) => b.type === "tool_call").length, 1);
  assert.equal(p.recorded?.name, steps[step]!.name);
  // the tools: every tool the agent called anywhere in the trace set, not only this run's
  const names = new Set(r.prompts.flatMap((x) => x.samples.flatMap((s) => (s.steps ?? []).filter((st) => st.kind === "tool_call").map((st) => st.name))));
  assert.deepEqual(new Set(p.conversation.tools.map((t) => t.name)), names);
  assert.ok(names.has("cancel_reservation") && names.size > 10, `${names.size} tools: ${[...names].join(", ")}`);
});
