// The Runs view (activity bar) through the extension's own activate() with the stand-in `vscode`
// module: the run store grouped by prompt file (runs of no file last), newest first; each run
// with its status, n, the headline incoherence with its interval (or what stands for it) and
// its age; a partial run says why; clicking opens it; Delete asks first and removes the file;
// Rerun Its Prompt reruns the prompt file's prompt.
import { test } from "node:test";
import { until } from "./support/wait";
import assert from "node:assert/strict";
import { existsSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { stubHost } from "./support/host";

const host = stubHost("hm-runs-view-");
const cleanup = () => host.cleanup();

function runFile(name: string, o: { id: string; answers: number[]; reference?: number; source?: { file: string; prompt: number }; n?: number; end?: "complete" | "partial"; ageMin: number }): string {
  const header = { type: "header", schema: "hotmess.run/1", id: o.id, createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt: `How many dollars? (${o.id})`, ...(o.reference !== undefined ? { reference: o.reference } : {}), parameters: { n: o.n ?? o.answers.length, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 }, ...(o.source ? { source: o.source } : {}) };
  const sample = (index: number, a: number) => ({ type: "sample", index, text: `16 - 3 = 13\nAnswer: ${a}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const lines: object[] = [header, ...o.answers.map((a, i) => sample(i, a))];
  if (o.end === "partial") lines.push({ type: "failure", index: o.answers.length, kind: "rate_limit", message: "429 rate_limit_error: slow down", attempts: 3, status: 429 }, { type: "end", status: "partial", finishedAt: "2026-12-05T10:00:01.000Z" });
  else lines.push({ type: "end", status: "complete", finishedAt: "2026-12-05T10:00:01.000Z" });
  const f = join(host.tmp, "workspace", ".hotmess", "runs", name);
  writeFileSync(f, lines.map((x) => JSON.stringify(x)).join("\n") + "\n");
  const t = (Date.now() - o.ageMin * 60_000) / 1000;
  utimesSync(f, t, t);
  return f;
}

type Item = { label: string; description?: string; contextValue?: string; command?: { command: string; arguments?: unknown[] }; tooltip?: { value: string } };
type Provider = { getChildren(n?: unknown): Promise<unknown[]>; getTreeItem(n: unknown): Item };

test("the Runs view: runs by prompt file, newest group first and runs of no file last; status, n, incoherence with its interval, age; a partial run says why", async (t) => {
  t.after(cleanup);
  runFile("a-old.jsonl", { id: "ducks", answers: [18, 18, 18, 26, 18, 18, 26, 18], reference: 18, source: { file: "ducks.prompt.md", prompt: 0 }, ageMin: 180 });
  runFile("a-new.jsonl", { id: "ducks", answers: [18, 18, 18, 18, 18, 18, 26, 18], reference: 18, source: { file: "ducks.prompt.md", prompt: 0 }, ageMin: 5 });
  runFile("b.jsonl", { id: "selection-1a2b3c4d", answers: [4, 4, 5], ageMin: 60 });
  runFile("c.jsonl", { id: "eggs", answers: [9, 9, 9, 8, 9], reference: 9, n: 8, end: "partial", source: { file: "eggs.prompt.md", prompt: 0 }, ageMin: 30 });
  const tree = vscode.trees.get("hotmess.runs") as Provider;
  assert.ok(tree, "the view's provider is registered");
  const groups = await tree.getChildren();
  assert.deepEqual(
    groups.map((g) => tree.getTreeItem(g).label),
    ["ducks.prompt.md", "eggs.prompt.md", "Selections and imports"],
  );
  const ducks = (await tree.getChildren(groups[0])).map((n) => tree.getTreeItem(n));
  assert.equal(ducks.length, 2);
  assert.equal(ducks[0]!.label, "ducks");
  assert.match(ducks[0]!.description!, /^n 8 · incoherence \d\.\d\d \[\d\.\d\d–\d\.\d\d\] · 5 min ago$/);
  assert.match(ducks[1]!.description!, /· 3 h ago$/);
  assert.deepEqual(ducks[0]!.command, { title: "Open Run", command: "hotmess.openRunFile", arguments: [join(host.tmp, "workspace", ".hotmess", "runs", "a-new.jsonl")] });
  assert.equal(ducks[0]!.contextValue, "hotmess.run.fromFile");
  const eggs = tree.getTreeItem((await tree.getChildren(groups[1]))[0]);
  assert.match(eggs.description!, /^n 5\/8 · partial: .*429.* · 30 min ago$/);
  assert.equal(eggs.contextValue, "hotmess.run.fromFile.resumable");
  const sel = tree.getTreeItem((await tree.getChildren(groups[2]))[0]);
  // a generated id: named by its prompt's first line; no reference: the disagreement, said as such
  assert.equal(sel.label, "How many dollars? (selection-1a2b3c4d)");
  assert.match(sel.description!, /^n 3 · disagreement 0\.44 \(no reference\) · 1 h ago$/);
  assert.match(sel.tooltip!.value, /simulated · simulated-reasoner · n 3/);
});

test("Delete asks first, then removes the run; Rerun Its Prompt reruns the prompt file's prompt", async (t) => {
  t.after(cleanup);
  const f = runFile("d.jsonl", { id: "ducks", answers: [18, 18, 26], reference: 18, source: { file: "ducks.prompt.md", prompt: 2 }, ageMin: 1 });
  writeFileSync(join(host.tmp, "workspace", "ducks.prompt.md"), "How many?\n");
  const tree = vscode.trees.get("hotmess.runs") as Provider;
  const node = (await tree.getChildren((await tree.getChildren())[0]))[0];
  await vscode.commands.executeCommand("hotmess.deleteRun", node);
  assert.ok(existsSync(f), "dismissed: kept");
  assert.match(vscode.recorded.notifications.at(-1)!.message, /^Delete the run d\.jsonl\?$/);
  vscode.answers.message.push("Delete");
  await vscode.commands.executeCommand("hotmess.deleteRun", node);
  assert.ok(!existsSync(f), "deleted");
  // rerun: the prompt file and the prompt's index go to the lens's command
  runFile("e.jsonl", { id: "ducks", answers: [18], reference: 18, source: { file: "ducks.prompt.md", prompt: 2 }, ageMin: 1 });
  const again = (await tree.getChildren((await tree.getChildren())[0]))[0];
  const calls = vscode.executed.length;
  await vscode.commands.executeCommand("hotmess.rerunRun", again).catch(() => undefined);
  const rerun = vscode.executed.slice(calls).find((e) => e.command === "hotmess.rerunPrompt");
  assert.ok(rerun, "hotmess.rerunPrompt was asked");
  assert.equal((rerun.args[0] as { fsPath: string }).fsPath, join(host.tmp, "workspace", "ducks.prompt.md"));
  assert.equal(rerun.args[1], 2);
});

test("two runs selected: Compare opens both in one view, the older first; one run says how to select two", async (t) => {
  t.after(cleanup);
  const older = runFile("v1.jsonl", { id: "ducks", answers: [18, 26, 26, 18, 8], reference: 18, source: { file: "ducks.prompt.md", prompt: 0 }, ageMin: 90 });
  const newer = runFile("v2.jsonl", { id: "ducks", answers: [18, 18, 18, 18, 26], reference: 18, source: { file: "ducks.prompt.md", prompt: 0 }, ageMin: 2 });
  const tree = vscode.trees.get("hotmess.runs") as Provider;
  const [a, b] = await tree.getChildren((await tree.getChildren())[0]);
  await vscode.commands.executeCommand("hotmess.compareSelectedRuns", a, [a, b]);
  const panel = await until("the comparison's view", () => vscode.recorded.panels[0]);
  // its tab: each run by its prompt's name and when it ran
  assert.match(panel.title, /^Hot Mess: ducks · \d{1,2} Dec \d\d:\d\d → ducks · \d{1,2} Dec \d\d:\d\d$/);
  panel.webview.receive({ type: "ready" });
  const doc = await until("its analysis", () => (vscode.recorded.posted as { type: string; analysis?: { prompts: { n: number }[] }; source?: { files: string[]; compare?: boolean } }[]).find((m) => m.type === "analysis/set"));
  assert.deepEqual(doc.source!.files, [older, newer]);
  assert.equal(doc.source!.compare, true, "the view is told they are two versions (it heads them with the change)");
  assert.equal(doc.analysis!.prompts.length, 2);
  await vscode.commands.executeCommand("hotmess.compareSelectedRuns", a, [a]);
  assert.match(vscode.recorded.notifications.at(-1)!.message, /select two runs/);
});
