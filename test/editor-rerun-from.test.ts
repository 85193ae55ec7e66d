// "Rerun from here" through the extension's own activate() with the stand-in `vscode` module:
// the view's message on a step of an imported trace set asks N (input box) and the expected
// action (quick pick), then runs the next action against the fake Anthropic server (real SDK)
// into a run file named by the point, with the policy, the tools and the prefix; a message for a
// step that cannot be rerun from is refused with why and sends nothing; Retry of a rollout run
// file is refused with the command that continues it.
import "./stubs/install";
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { parseRunFile } from "../src/core";
import type { TrajectoryStep } from "../src/core/types";
import { until } from "./support/wait";
import { readSettings } from "../src/extension/config";

const ROOT = join(__dirname, "..");
const KEY = "hm-rerun-from-key-0123456789";

const STEPS: TrajectoryStep[] = [
  { kind: "user", text: "Cancel reservation EHGLP3 please. I am raj_brown_5782." },
  { kind: "tool_call", name: "get_user_details", arguments: { user_id: "raj_brown_5782" }, id: "c1" },
  { kind: "tool_result", text: '{"reservations": ["EHGLP3"]}', id: "c1" },
  { kind: "tool_call", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" }, id: "c2" },
  { kind: "tool_result", text: '{"status": "ok"}', id: "c2" },
  { kind: "text", text: "Shall I cancel it?" },
];

let fake: FakeAnthropic;
let tmp: string;
let ctx: ReturnType<typeof vscode.fakeContext>;
let extension: typeof import("../src/extension/extension");

before(async () => {
  fake = await startFakeAnthropic();
  extension = await import("../src/extension/extension");
});
after(() => fake.close());

beforeEach(async () => {
  vscode.reset();
  tmp = mkdtempSync(join(tmpdir(), "hm-rerun-from-"));
  mkdirSync(join(tmp, "workspace"));
  vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(join(tmp, "workspace")) }];
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", "anthropic.baseUrl": fake.url, n: 8, concurrency: 4 });
  ctx = vscode.fakeContext(join(tmp, "storage"), ROOT);
  await ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  extension.activate(ctx as never);
});
const cleanup = () => {
  for (const d of ctx.subscriptions) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
};

/** A trace set of one agent task (two runs), opened in a panel as Import Traces does. */
async function openTraces(): Promise<string> {
  const file = join(tmp, "workspace", "agent.jsonl");
  const rec = { id: "task-9", prompt: STEPS[0]!.text, system: "# Policy\nAsk before cancelling.", samples: [{ text: "a", steps: STEPS, reward: 1 }, { text: "b", steps: STEPS.slice(0, 3), reward: 0 }] };
  writeFileSync(file, JSON.stringify(rec) + "\n");
  vscode.answers.openDialog.push([vscode.Uri.file(file)]);
  await vscode.commands.executeCommand("hotmess.importTraces");
  const panel = await until("the trace set's panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  return file;
}

test("Rerun from here: N and the expected action asked, the next action run 8 times from the prefix before the step, into a run file named by the point", async (t) => {
  t.after(cleanup);
  await openTraces();
  fake.setDefault((_r, i) => (i % 4 === 3 ? { kind: "ok", text: ["Shall I cancel it?"] } : { kind: "ok", text: [], toolCalls: [{ name: "get_reservation_details", input: { reservation_id: "EHGLP3" } }] }));
  const sent = fake.requests.length;
  const picks: string[][] = [];
  vscode.answers.inputBox.push("8");
  vscode.answers.quickPick.push((items) => {
    picks.push((items as { label: string }[]).map((x) => x.label));
    return items[0];
  });
  vscode.recorded.panels[0]!.webview.receive({ type: "rerun/from", prompt: "task-9", run: 0, step: 3 });
  const runs = join(tmp, "workspace", ".hotmess", "runs");
  const file = await until("the rerun's run file, ended", () => {
    if (!existsSync(runs)) return undefined;
    const f = readdirSync(runs, { withFileTypes: true }).find((d) => d.isFile() && d.name.endsWith(".jsonl"));
    return f && parseRunFile(readFileSync(join(runs, f.name), "utf8")).end ? join(runs, f.name) : undefined;
  });
  assert.deepEqual(picks, [["get_reservation_details", 'get_reservation_details({"reservation_id":"EHGLP3"})', "No expected action"]]);
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.match(run.header.id, /^task-9-run0-before-action2-/);
  assert.equal(run.header.expectedAction, "get_reservation_details");
  assert.equal(run.header.conversation?.system, "# Policy\nAsk before cancelling.");
  assert.equal(run.samples.length, 8);
  const reqs = fake.requests.slice(sent);
  assert.equal(reqs.length, 8);
  const body = reqs[0]!.body as { system: { text: string }[]; tools: { name: string }[]; messages: { role: string; content: { type: string }[] }[]; thinking?: unknown };
  assert.equal(body.system[0]!.text, "# Policy\nAsk before cancelling.");
  assert.deepEqual(body.tools.map((x) => x.name), ["get_user_details", "get_reservation_details"]);
  assert.deepEqual(body.messages.map((m) => `${m.role}:${m.content.map((b) => b.type).join("+")}`), ["user:text", "assistant:tool_use", "user:tool_result"]);
  // claude-sonnet-4-5 thinks with a budget by default: not on a prefix recorded without signed thinking
  assert.equal(body.thinking, undefined);
  assert.ok(vscode.recorded.log.some((l) => /thinking off for task-9 · run #0 · action 2/.test(String(l))), "the log says why thinking is off");
  // the new panel shows the split: 6 took the expected action, 2 replied
  const view = await until("the rerun's own panel", () => vscode.recorded.panels[1]);
  view.webview.receive({ type: "ready" });
  await until("its analysis", () => (vscode.recorded.posted as { type: string }[]).filter((m) => m.type === "analysis/set").length >= 2 || undefined);
  const p = (vscode.recorded.posted as { type: string; analysis?: { prompts: { answers: { key: string | null; count: number; reference: boolean }[]; expectedAction?: string }[] } }[]).filter((m) => m.type === "analysis/set").at(-1)!.analysis!.prompts[0]!;
  assert.equal(p.expectedAction, "get_reservation_details");
  // the prefix was cached by the first rerun and read by the others: the bar says so, and what a rerun costs
  const last = (vscode.recorded.posted as { type: string; progress?: { cacheReadTokens?: number; done: number; costUsd: number | null } }[]).filter((m) => m.type === "run/progress").at(-1)!.progress!;
  assert.ok((last.cacheReadTokens ?? 0) > 0, JSON.stringify(last));
  assert.equal(last.done, 8);
  assert.deepEqual(p.answers.map((a) => [a.count, a.reference]), [[6, true], [2, false]]);
});

test("Rerun from here on a step no agent's turn starts at is refused with why; nothing is sent", async (t) => {
  t.after(cleanup);
  await openTraces();
  const sent = fake.requests.length;
  vscode.recorded.panels[0]!.webview.receive({ type: "rerun/from", prompt: "task-9", run: 0, step: 2 });
  const err = await until("the refusal", () => vscode.recorded.notifications.find((n) => n.level === "error"));
  assert.match(err.message, /cannot rerun run #0 of "task-9" from there: step 2 is a tool's result, not the agent's/);
  vscode.recorded.panels[0]!.webview.receive({ type: "rerun/from", prompt: "task-7", run: 0, step: 1 });
  await until("the second refusal", () => vscode.recorded.notifications.filter((n) => n.level === "error")[1]);
  assert.match(vscode.recorded.notifications.filter((n) => n.level === "error")[1]!.message, /agent\.jsonl has no prompt "task-7" \(it has task-9\)/);
  assert.equal(fake.requests.length, sent);
});

test("Retry of a rollout run file says to continue it with hotmess run --resume and its replay file", async (t) => {
  t.after(cleanup);
  const dir = join(tmp, "workspace", ".hotmess", "runs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "2026-12-05T10-00-00Z-claude-sonnet-4-5.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "task-9-run0-before-action2-x", createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "claude-sonnet-4-5", baseURL: fake.url, prompt: "The next turn…", parameters: { n: 4, maxTokens: 8192, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 }, conversation: { messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], tools: [] }, rollout: { steps: 3, replay: "agent.jsonl" } };
  writeFileSync(file, JSON.stringify(header) + "\n" + JSON.stringify({ type: "end", status: "cancelled", finishedAt: "2026-12-05T10:00:01.000Z" }) + "\n");
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  const sent = fake.requests.length;
  panel.webview.receive({ type: "run/resume", file });
  const err = await until("the refusal", () => vscode.recorded.notifications.find((n) => n.level === "error"));
  assert.match(err.message, /is a rollout of up to 3 actions: continue it with `hotmess run --resume 2026-12-05T10-00-00Z-claude-sonnet-4-5\.jsonl --replay agent\.jsonl`/);
  assert.equal(fake.requests.length, sent);
});

test("with hotmess.rollout.steps, each rerun goes on: calls answered by the results the runs recorded, then by the tool command (a trusted workspace's), without a shell", async (t) => {
  t.after(cleanup);
  const script = join(tmp, "tool.js");
  writeFileSync(script, `let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => { const c = JSON.parse(s); process.stdout.write("cancelled " + c.arguments.reservation_id + " in " + process.cwd()); });`);
  Object.assign(vscode.settings, { "rollout.steps": 3, "rollout.toolCommand": [process.execPath, script], n: 2, concurrency: 1 });
  await openTraces();
  // by the turn: look the reservation up (recorded in run 0), cancel it (recorded nowhere: the command answers), then say so
  fake.setDefault((req) => {
    const turn = ((req.body as { messages: unknown[] }).messages.length - 3) / 2;
    if (turn === 0) return { kind: "ok", thinking: [], text: [], toolCalls: [{ name: "get_reservation_details", input: { reservation_id: "EHGLP3" } }] };
    if (turn === 1) return { kind: "ok", thinking: [], text: [], toolCalls: [{ name: "cancel_reservation", input: { reservation_id: "EHGLP3" } }] };
    return { kind: "ok", thinking: [], text: ["It is cancelled."] };
  });
  const sent = fake.requests.length;
  vscode.answers.inputBox.push("2");
  vscode.answers.quickPick.push((items) => items[0]);
  vscode.recorded.panels[0]!.webview.receive({ type: "rerun/from", prompt: "task-9", run: 0, step: 3 });
  const runs = join(tmp, "workspace", ".hotmess", "runs");
  const file = await until("the rollout's run file, ended", () => {
    if (!existsSync(runs)) return undefined;
    const f = readdirSync(runs).find((x) => x.endsWith(".jsonl"));
    return f && parseRunFile(readFileSync(join(runs, f), "utf8")).end ? join(runs, f) : undefined;
  }, 20_000);
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.deepEqual(run.header.rollout?.steps, 3);
  assert.equal(run.samples.length, 2);
  for (const s of run.samples) {
    assert.equal(s.rolloutStop?.reason, "answered", JSON.stringify(s.rolloutStop));
    assert.deepEqual([s.rolloutStop?.actions, s.rolloutStop?.results.replay, s.rolloutStop?.results.command], [2, 1, 1]);
    assert.deepEqual(s.steps!.map((st) => st.kind), ["tool_call", "tool_result", "tool_call", "tool_result", "text"]);
    assert.equal(s.steps![1]!.text, '{"status": "ok"}', "the result run 0 recorded for the same call");
    assert.equal(s.steps![3]!.text, `cancelled EHGLP3 in ${join(tmp, "workspace")}`, "the tool command's output, run in the workspace folder");
  }
  assert.equal(fake.requests.length - sent, 6, "three turns a rerun");
  assert.ok(vscode.recorded.log.some((l) => /run: rollouts: 2 answered; tool results given: 2 from the replay table, 2 from the tool command/.test(String(l))), "the log says how the rollouts ended");
});

test("the tool command is never read from an untrusted workspace", () => {
  Object.assign(vscode.settings, { "rollout.steps": 2, "rollout.toolCommand": ["sh", "-c", "rm -rf ~"] });
  vscode.workspace.isTrusted = false;
  try {
    const s = readSettings();
    assert.deepEqual([s.rolloutSteps, s.toolCommand], [2, []]);
  } finally {
    vscode.workspace.isTrusted = true;
  }
});
