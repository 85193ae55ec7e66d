// "Set as reference" through the extension's own activate() with the stand-in `vscode` module: a
// run of a prompt file without a reference shows no incoherence; the view's message on a class
// writes `reference:` into the prompt file's front matter and the view is analysed again with it
// (the incoherence is there); a run that came from no prompt file offers the line to paste.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { until } from "./support/wait";
import { stubHost } from "./support/host";

const host = stubHost("hm-setref-");
const cleanup = () => host.cleanup();

function runFile(source?: { file: string; prompt: number }): string {
  const header = { type: "header", schema: "hotmess.run/1", id: "ducks", createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt: "How many dollars?", parameters: { n: 8, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 }, ...(source ? { source } : {}) };
  const answers = [18, 18, 18, 18, 18, 26, 26, 8];
  const sample = (index: number, a: number) => ({ type: "sample", index, text: `16 - 3 = 13\nAnswer: ${a}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const f = join(host.tmp, "workspace", ".hotmess", "runs", "ducks.jsonl");
  writeFileSync(f, [header, ...answers.map((a, i) => sample(i, a)), { type: "end", status: "complete", finishedAt: "2026-12-05T10:00:01.000Z" }].map((x) => JSON.stringify(x)).join("\n") + "\n");
  return f;
}

type Posted = { type: string; analysis?: { prompts: { target: string; reference: string | null; brier: { incoherence: number | null } | null }[] } };
const analyses = () => (vscode.recorded.posted as Posted[]).filter((m) => m.type === "analysis/set");

test("Set as reference writes reference: into the prompt file's front matter and the view shows the incoherence against it", async (t) => {
  t.after(cleanup);
  const prompt = join(host.tmp, "workspace", "ducks.prompt.md");
  writeFileSync(prompt, "---\nn: 8\n---\nJanet's ducks lay 16 eggs. How many dollars?\n");
  const file = runFile({ file: "ducks.prompt.md", prompt: 0 });
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = await until("the run's panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  const first = await until("its analysis", () => analyses()[0]);
  assert.equal(first.analysis!.prompts[0]!.target, "none");
  assert.equal(first.analysis!.prompts[0]!.brier, null);
  panel.webview.receive({ type: "reference/set", prompt: "ducks", answer: "18" });
  const second = await until("the analysis with the reference", () => analyses()[1]);
  assert.equal(readFileSync(prompt, "utf8"), "---\nn: 8\nreference: 18\n---\nJanet's ducks lay 16 eggs. How many dollars?\n");
  const p = second.analysis!.prompts[0]!;
  assert.equal(p.target, "reference");
  assert.equal(p.reference, "18");
  assert.ok(p.brier && typeof p.brier.incoherence === "number", JSON.stringify(p.brier));
  assert.ok(vscode.recorded.log.some((l) => /reference set to 18 in ducks\.prompt\.md/.test(String(l))));
  // the run file keeps it: reopened later, the run is measured against it
  const { analyzeRun, parseRunFile } = await import("../src/core");
  const again = parseRunFile(readFileSync(file, "utf8"));
  assert.equal(again.referenceSet?.reference, "18");
  assert.equal(analyzeRun(again).prompts[0]!.target, "reference");
});

test("a run made from no prompt file: its run file keeps the reference, the view is measured against it, and the message offers the line for the prompt", async (t) => {
  t.after(cleanup);
  const file = runFile();
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = await until("the run's panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await until("its analysis", () => analyses()[0]);
  panel.webview.receive({ type: "reference/set", prompt: "ducks", answer: "18" });
  const second = await until("the analysis with the reference", () => analyses()[1]);
  assert.equal(second.analysis!.prompts[0]!.target, "reference");
  const note = await until("the notification", () => vscode.recorded.notifications.find((n) => /reference set to 18 in ducks\.jsonl/.test(n.message)));
  assert.match(note.message, /was not made from a prompt file.*add reference: 18 to the prompt/);
  assert.deepEqual(note.actions, ["Copy"]);
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; reference?: string });
  assert.deepEqual(lines.at(-1)!.type, "reference");
  assert.equal(lines.at(-1)!.reference, "18");
});

test("an imported trace set: nothing is edited, the message says why and offers the line", async (t) => {
  t.after(cleanup);
  const traces = join(host.tmp, "workspace", "set.jsonl");
  const text = JSON.stringify({ id: "q1", prompt: "2+2?", samples: [{ text: "Answer: 4" }, { text: "Answer: 5" }] }) + "\n";
  writeFileSync(traces, text);
  await vscode.commands.executeCommand("hotmess.openRunFile", traces);
  const panel = await until("the panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await until("its analysis", () => analyses()[0]);
  panel.webview.receive({ type: "reference/set", prompt: "q1", answer: "4" });
  const note = await until("the notification", () => vscode.recorded.notifications.find((n) => /cannot set the reference/.test(n.message)));
  assert.deepEqual(note.actions, ["Copy"]);
  assert.equal(readFileSync(traces, "utf8"), text);
  assert.equal(analyses().length, 1);
});

test("a reference/set message that is not one is refused by the protocol check", async () => {
  const { isViewMessage } = await import("../src/protocol/webview");
  assert.equal(isViewMessage({ type: "reference/set", prompt: "ducks", answer: "18" }), true);
  assert.equal(isViewMessage({ type: "reference/set", prompt: "", answer: "18" }), false);
  assert.equal(isViewMessage({ type: "reference/set", prompt: "ducks", answer: 18 }), false);
  assert.equal(isViewMessage({ type: "reference/set", prompt: "ducks" }), false);
});

test("Export Comparison proposes a file beside the prompt file, not in the run store; Markdown comes with the HTML view beside it, linked, and opens rendered", async (t) => {
  t.after(cleanup);
  const prompt = join(host.tmp, "workspace", "ducks.prompt.md");
  writeFileSync(prompt, "---\nn: 8\nreference: 18\n---\nJanet's ducks lay 16 eggs. How many dollars?\n");
  const file = runFile({ file: "ducks.prompt.md", prompt: 0 });
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = await until("the run's panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await until("its analysis", () => analyses()[0]);
  const out = join(host.tmp, "workspace", "ducks.hotmess.md");
  vscode.answers.saveDialog.push(vscode.Uri.file(out));
  vscode.answers.message.push("Open");
  await vscode.commands.executeCommand("hotmess.exportComparison", "md");
  assert.equal(vscode.recorded.saveDialogs[0]!.defaultUri!.fsPath, out, "proposed beside the prompt file");
  const md = readFileSync(out, "utf8");
  assert.match(md, /\[ducks\.hotmess\.html\]\(ducks\.hotmess\.html\)/);
  assert.match(readFileSync(join(host.tmp, "workspace", "ducks.hotmess.html"), "utf8"), /<html/);
  assert.match(vscode.recorded.notifications.at(-1)!.message, /exported Markdown to ducks\.hotmess\.md \(with the comparison view ducks\.hotmess\.html beside it, linked\)/);
  await until("the rendered preview", () => vscode.executed.find((e) => e.command === "markdown.showPreview"));
});
