// Rerun Selection asks how many reruns and, optionally, the right answer, in one input, through
// the extension's own activate() with the stand-in `vscode` module: "5 18" runs 5 reruns against
// the reference 18 (the view has its incoherence); Escape runs nothing; a benchmark prompt, whose
// answer is known, is not asked about; the setting turns the input off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { until } from "./support/wait";
import { stubHost } from "./support/host";

const PROMPT = "Janet's ducks lay 16 eggs per day. She eats 3 and bakes with 4, and sells the rest at $2 each. How many dollars a day?";
const host = stubHost("hm-rerun-input-", { runStore: false, settings: () => ({ provider: "simulated", n: 8, concurrency: 4 }) });
const cleanup = () => host.cleanup();
const runDir = () => join(host.tmp, "workspace", ".hotmess", "runs");
const headers = () => {
  try {
    return readdirSync(runDir()).map((f) => JSON.parse(readFileSync(join(runDir(), f), "utf8").split("\n")[0]!) as { parameters: { n: number }; reference?: string });
  } catch {
    return [];
  }
};

test("\"5 18\": 5 reruns against the reference 18; the view has its incoherence", async (t) => {
  t.after(cleanup);
  vscode.window.activeTextEditor = vscode.fakeEditor(join(host.tmp, "workspace", "ducks.txt"), PROMPT);
  vscode.answers.inputBox.push("5 18");
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  const panel = await until("the view", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  const h = await until("the run file", () => headers()[0]);
  assert.equal(h.parameters.n, 5);
  assert.equal(h.reference, "18");
  const doc = await until("the view's analysis", () => (vscode.recorded.posted as { type: string; analysis?: { prompts: { n: number; target: string }[] } }[]).filter((m) => m.type === "analysis/set").at(-1));
  assert.equal(doc.analysis!.prompts[0]!.target, "reference");
});

test("Escape at the input runs nothing; with the setting off, hotmess.n reruns without asking", async (t) => {
  t.after(cleanup);
  vscode.window.activeTextEditor = vscode.fakeEditor(join(host.tmp, "workspace", "ducks.txt"), PROMPT);
  vscode.answers.inputBox.push(undefined);
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  assert.equal(vscode.recorded.panels.length, 0, "no view opened");
  assert.deepEqual(headers(), []);
  vscode.settings["rerunSelection.ask"] = false;
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  const h = await until("the run file", () => headers()[0]);
  assert.equal(h.parameters.n, 8);
  assert.equal(h.reference, undefined);
});
