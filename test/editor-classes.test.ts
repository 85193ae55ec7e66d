// The answer classes changed from the view, through the extension's own activate() with the
// stand-in `vscode` module: "class by meaning…" with the simulated judge and with a model (the
// fake Anthropic server, through the SDK, after the cost is shown and confirmed); "merge…" and
// "split…" by hand, before any judge and after one; every choice lands in the run file, and the
// view is analysed again with the classes it makes and says which comparison made them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { until } from "./support/wait";
import { stubHost } from "./support/host";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";
import { parseRunFile } from "../src/core";

let fake: FakeAnthropic;
let openai: FakeOpenAI;
before(async () => {
  fake = await startFakeAnthropic();
  openai = await startFakeOpenAI();
});
after(async () => {
  await fake.close();
  await openai.close();
});
const host = stubHost("hm-classes-");
const cleanup = () => host.cleanup();

const EMAILS = ["Spam: it asks for your password.", "Legitimate: it is a receipt from your bank.", "Spam — it asks for the password.", "This is spam because it asks for your password.", "Legitimate, a receipt from the bank."];

function runFile(id: string, texts: string[]): string {
  const header = { type: "header", schema: "hotmess.run/1", id, createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt: "Is this email spam or legitimate? Say which and why.", parameters: { n: texts.length, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 } };
  const sample = (index: number, text: string) => ({ type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const f = join(host.tmp, "workspace", ".hotmess", "runs", `${id}.jsonl`);
  writeFileSync(f, [header, ...texts.map((t, i) => sample(i, t)), { type: "end", status: "complete", finishedAt: "2026-12-05T10:00:01.000Z" }].map((x) => JSON.stringify(x)).join("\n") + "\n");
  return f;
}

type Prompt = { comparison: string; classes: number; answers: { key: string | null; count: number; examples: string[] }[] };
type Posted = { type: string; analysis?: { prompts: Prompt[] } };
const analyses = () => (vscode.recorded.posted as Posted[]).filter((m) => m.type === "analysis/set").map((m) => m.analysis!.prompts[0]!);
type Item = { label: string; judge?: string; target?: string; text?: string };

async function open(file: string) {
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = await until("the run's panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await until("its analysis", () => analyses()[0]);
  return panel;
}
/** Sends a message and waits for the next analysis. */
async function change(panel: Awaited<ReturnType<typeof open>>, m: object): Promise<Prompt> {
  const seen = analyses().length;
  panel.webview.receive({ type: "classes/change", ...m });
  return until("the view analysed again", () => analyses()[seen]);
}

test("class by meaning with the simulated judge: the run file keeps the verdicts; the view shows two classes and says the judge made them", async (t) => {
  t.after(cleanup);
  const file = runFile("email", EMAILS);
  const panel = await open(file);
  assert.equal(analyses()[0]!.comparison, "exact");
  let offered: Item[] = [];
  vscode.answers.quickPick.push((items) => ((offered = items as Item[]), offered.find((i) => i.judge === "simulated")));
  const p = await change(panel, { prompt: "email", action: "judge" });
  // no key: the simulated judge alone is offered
  assert.deepEqual(
    offered.map((i) => i.judge),
    ["simulated"],
  );
  assert.equal(p.classes, 2);
  assert.match(p.comparison, /^semantic \(judge simulated-judge\)$/);
  assert.deepEqual(
    p.answers.map((a) => a.count),
    [3, 2],
  );
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.equal(run.verdicts?.length, 1);
  assert.equal(run.verdicts![0]!.judge, "simulated-judge");
  assert.ok(vscode.recorded.log.some((l) => /classed by meaning: 2 classes/.test(String(l))));
});

test("merge and split by hand after the judge: the choices are kept in the run file and win over its verdicts", async (t) => {
  t.after(cleanup);
  const file = runFile("email", EMAILS);
  const panel = await open(file);
  vscode.answers.quickPick.push((items) => (items as Item[])[0]);
  await change(panel, { prompt: "email", action: "judge" });
  // merge the class of run 1 (legitimate) into the other one
  let targets: Item[] = [];
  vscode.answers.quickPick.push((items) => ((targets = items as Item[]), targets[0]));
  const merged = await change(panel, { prompt: "email", action: "merge", run: 1 });
  assert.equal(targets.length, 1);
  assert.equal(merged.classes, 1);
  assert.match(merged.comparison, /semantic \(judge simulated-judge \+ 2 manual choices\)/);
  // split the two legitimate replies out again, as one class
  let offered: Item[] = [];
  vscode.answers.quickPick.push((items) => ((offered = items as Item[]), offered.filter((i) => /legitimate/i.test(i.text!))));
  const split = await change(panel, { prompt: "email", action: "split", run: 0 });
  assert.equal(offered.length, 5, "every wording of the merged class is offered");
  assert.equal(split.classes, 2);
  assert.deepEqual(
    split.answers.map((a) => a.count),
    [3, 2],
  );
  const lines = parseRunFile(readFileSync(file, "utf8")).verdicts!;
  assert.deepEqual(
    lines.map((l) => l.judge),
    ["simulated-judge", "manual", "manual"],
  );
  // reopened later, the run is classed the same way
  const { analyzeRun } = await import("../src/core");
  assert.equal(analyzeRun(parseRunFile(readFileSync(file, "utf8"))).prompts[0]!.classes, 2);
});

test("merge by hand before any judge: the classes are the run's own comparison with the choice applied, still labelled by their answers", async (t) => {
  t.after(cleanup);
  const texts = [18, 18, 18, 18, 26, 26, 8, 18].map((a) => `16 - 3 - 4 = 9\n9 * 2 = ${a}\nAnswer: ${a}`);
  texts[6] = "16 - 3 - 4 = 9\n9 * 2 = 18, minus 10 = 8\nAnswer: 8";
  const file = runFile("ducks", texts);
  const panel = await open(file);
  const first = analyses()[0]!;
  assert.deepEqual(
    first.answers.map((a) => [a.key, a.count]),
    [
      ["18", 5],
      ["26", 2],
      ["8", 1],
    ],
  );
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.label === "16 - 3 - 4 = 9 9 * 2 = 26 Answer: 26"));
  const p = await change(panel, { prompt: "ducks", action: "merge", run: 6 });
  assert.deepEqual(
    p.answers.map((a) => [a.key, a.count]),
    [
      ["18", 5],
      ["26", 3],
    ],
  );
  assert.equal(p.comparison, "exact + 1 manual choice");
  // splitting a class whose replies all read the same says so and changes nothing
  panel.webview.receive({ type: "classes/change", prompt: "ducks", action: "split", run: 7 });
  await until("the warning", () => vscode.recorded.notifications.find((n) => /nothing to split/.test(n.message)));
});

test("a model as judge: the pick shows the most it may cost, a modal asks again, and the fake Anthropic server answers through the SDK; dismissed, nothing is asked", async (t) => {
  t.after(cleanup);
  Object.assign(vscode.settings, { provider: "anthropic", "anthropic.baseUrl": fake.url, "judge.model": "claude-haiku-4-5" });
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", "sk-ant-test-key-0000000000");
  fake.setDefault((req) => {
    const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec((req.body as { messages: { content: string }[] }).messages[0]!.content)!;
    return { kind: "ok", thinking: [], text: [/spam/i.test(m[1]!) === /spam/i.test(m[2]!) ? "SAME" : "DIFFERENT"], inputTokens: 150, outputTokens: 2 };
  });
  const file = runFile("email", EMAILS);
  const panel = await open(file);
  const start = fake.requests.length;
  // dismissed at the modal: nothing asked, the file unchanged
  let offered: (Item & { detail?: string; description?: string })[] = [];
  vscode.answers.quickPick.push((items) => ((offered = items as typeof offered), offered.find((i) => i.judge === "model")));
  panel.webview.receive({ type: "classes/change", prompt: "email", action: "judge" });
  const modal = await until("the cost modal", () => vscode.recorded.notifications.find((n) => /^Ask claude-haiku-4-5 up to 10 verdicts for at most \$\d+\.\d{4}\?$/.test(n.message)));
  assert.deepEqual(modal.actions, ["Run Judge"]);
  assert.equal(offered[0]!.judge, "model");
  assert.match(offered[0]!.detail!, /^At most 10 verdicts \(one short request each\), about [\d,]+ input tokens, at most \$\d+\.\d{4}$/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(fake.requests.length, start);
  assert.equal(parseRunFile(readFileSync(file, "utf8")).verdicts, undefined);
  // confirmed
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.judge === "model"));
  vscode.answers.message.push("Run Judge");
  const p = await change(panel, { prompt: "email", action: "judge" });
  assert.equal(p.classes, 2);
  assert.equal(p.comparison, "semantic (judge claude-haiku-4-5)");
  const asked = fake.requests.length - start;
  assert.ok(asked >= 4 && asked <= 10, `${asked} verdicts`);
  const line = parseRunFile(readFileSync(file, "utf8")).verdicts![0]!;
  assert.equal(line.judge, "claude-haiku-4-5");
  assert.equal(line.verdicts.length, asked);
  assert.ok(typeof line.costUsd === "number" && line.costUsd > 0);
  // the key is in no line of the file
  assert.ok(!readFileSync(file, "utf8").includes("sk-ant-test-key"));
  // the simulated judge chosen again: its own verdicts (none yet) are asked of it, not the model's read as its own
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.judge === "simulated"));
  const back = await change(panel, { prompt: "email", action: "judge" });
  assert.equal(back.comparison, "semantic (judge simulated-judge)");
  assert.equal(fake.requests.length - start, asked, "the model is not asked again");
  // and the model once more: everything it said is in the file, nothing is asked, no modal
  const modals = vscode.recorded.notifications.length;
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.judge === "model"));
  const again = await change(panel, { prompt: "email", action: "judge" });
  assert.equal(again.comparison, "semantic (judge claude-haiku-4-5)");
  assert.equal(fake.requests.length - start, asked);
  assert.equal(vscode.recorded.notifications.length, modals, "no cost to confirm");
  assert.deepEqual(
    parseRunFile(readFileSync(file, "utf8")).verdicts!.map((l) => [l.judge, l.verdicts.length]),
    [
      ["claude-haiku-4-5", asked],
      ["simulated-judge", 5],
      ["claude-haiku-4-5", 0],
    ],
  );
});

test("a judge that fails half-way: a rate limit is waited out; a 401 stops it with Set API Key, its verdicts are kept and not asked again", async (t) => {
  t.after(cleanup);
  Object.assign(vscode.settings, { provider: "anthropic", "anthropic.baseUrl": fake.url, "judge.model": "claude-haiku-4-5" });
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", "sk-ant-test-key-0000000000");
  const judgeOf = (req: { body: unknown }) => {
    const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec((req.body as { messages: { content: string }[] }).messages[0]!.content)!;
    return { kind: "ok" as const, thinking: [], text: [/spam/i.test(m[1]!) === /spam/i.test(m[2]!) ? "SAME" : "DIFFERENT"], inputTokens: 150, outputTokens: 2 };
  };
  fake.setDefault(judgeOf);
  const file = runFile("email", EMAILS);
  const panel = await open(file);
  const start = fake.requests.length;
  // the first verdict meets a rate limit (waited out), the third a 401
  fake.enqueue({ kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "0" });
  let n = 0;
  fake.setDefault((req) => (++n === 3 ? { kind: "http-error", status: 401, type: "authentication_error", message: "invalid x-api-key" } : judgeOf(req)));
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.judge === "model"));
  vscode.answers.message.push("Run Judge");
  panel.webview.receive({ type: "classes/change", prompt: "email", action: "judge" });
  const err = await until("the judge's error", () => vscode.recorded.notifications.find((x) => x.level === "error"));
  assert.match(err.message, /^Hot Mess: the judge stopped: .*invalid x-api-key.*\(HTTP 401\)\. The verdicts it gave are kept in email\.jsonl/);
  assert.deepEqual(err.actions, ["Set API Key…"]);
  const line = parseRunFile(readFileSync(file, "utf8")).verdicts!.at(-1)!;
  assert.equal(line.partial, true);
  assert.equal(line.verdicts.length, 2, "the two verdicts given before the 401");
  // a partial judge made no classes: reopened, the run is as it was
  const { analyzeRun } = await import("../src/core");
  assert.equal(analyzeRun(parseRunFile(readFileSync(file, "utf8"))).prompts[0]!.comparison, "exact");
  // the key mended: asked again, the judge is asked only what it has not answered
  fake.setDefault(judgeOf);
  const before = fake.requests.length;
  vscode.answers.quickPick.push((items) => (items as Item[]).find((i) => i.judge === "model"));
  vscode.answers.message.push("Run Judge");
  const p = await change(panel, { prompt: "email", action: "judge" });
  assert.equal(p.comparison, "semantic (judge claude-haiku-4-5)");
  assert.equal(p.classes, 2);
  const again = fake.requests.length - before;
  const lines = parseRunFile(readFileSync(file, "utf8")).verdicts!;
  assert.equal(lines.at(-1)!.verdicts.length, again, "only new pairs asked");
  assert.ok(!lines.at(-1)!.verdicts.some(([a, b]) => line.verdicts.some(([x, y]) => (a === x && b === y) || (a === y && b === x))), "no pair asked twice");
  assert.ok(fake.requests.length - start >= 4);
});

test("a model as judge through OpenAI's protocol: the fake OpenAI server answers through the SDK, and the run is classed the same", async (t) => {
  t.after(cleanup);
  Object.assign(vscode.settings, { provider: "openai", "openai.baseUrl": `${openai.url}/v1`, "judge.model": "gpt-4o-mini" });
  await host.ctx.secrets.store("hotmess.apiKey.openai", "sk-test-openai-judge-0000");
  openai.setDefault((req) => {
    const content = (req.body as { messages: { role: string; content: string }[] }).messages.at(-1)!.content;
    const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec(content)!;
    return { kind: "ok", text: [/spam/i.test(m[1]!) === /spam/i.test(m[2]!) ? "SAME" : "DIFFERENT"] };
  });
  const file = runFile("email", EMAILS);
  const panel = await open(file);
  const start = openai.requests.length;
  let offered: (Item & { description?: string })[] = [];
  vscode.answers.quickPick.push((items) => ((offered = items as typeof offered), offered.find((i) => i.judge === "model")));
  vscode.answers.message.push("Run Judge");
  const p = await change(panel, { prompt: "email", action: "judge" });
  assert.match(offered[0]!.description!, /^openai/);
  assert.equal(p.comparison, "semantic (judge gpt-4o-mini)");
  assert.deepEqual(
    p.answers.map((a) => a.count),
    [3, 2],
  );
  const asked = openai.requests.length - start;
  assert.ok(asked >= 4 && asked <= 10, `${asked} verdicts`);
  const body = openai.requests.at(-1)!.body as { model: string; messages: { role: string; content: string }[] };
  assert.equal(body.model, "gpt-4o-mini");
  assert.match(body.messages[0]!.content, /Reply with exactly one word: SAME/);
  assert.ok(!readFileSync(file, "utf8").includes("sk-test-openai-judge"));
});

test("a trace set or an agent's run cannot be classed by meaning: the message says why; the protocol check refuses malformed messages", async (t) => {
  t.after(cleanup);
  const { isViewMessage } = await import("../src/protocol/webview");
  assert.equal(isViewMessage({ type: "classes/change", prompt: "email", action: "judge" }), true);
  assert.equal(isViewMessage({ type: "classes/change", prompt: "email", action: "merge", run: 2 }), true);
  assert.equal(isViewMessage({ type: "classes/change", prompt: "email", action: "merge" }), false);
  assert.equal(isViewMessage({ type: "classes/change", prompt: "email", action: "split", run: -1 }), false);
  assert.equal(isViewMessage({ type: "classes/change", prompt: "email", action: "delete", run: 1 }), false);
  assert.equal(isViewMessage({ type: "classes/change", prompt: "", action: "judge" }), false);
  const traces = join(host.tmp, "workspace", "set.jsonl");
  writeFileSync(traces, JSON.stringify({ id: "q1", prompt: "2+2?", samples: [{ text: "4" }, { text: "5" }] }) + "\n");
  await vscode.commands.executeCommand("hotmess.openRunFile", traces);
  const panel = await until("the panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await until("its analysis", () => analyses()[0]);
  panel.webview.receive({ type: "classes/change", prompt: "q1", action: "judge" });
  const note = await until("the message", () => vscode.recorded.notifications.find((n) => /cannot change the classes of "q1"/.test(n.message)));
  assert.match(note.message, /set\.jsonl is a trace set/);
});
