// The walkthrough's steps are ticked by what they ask, through the extension's own activate()
// with the stand-in `vscode` module: each step of package.json's walkthrough completes on the
// context key src/extension/walkthrough.ts names for it (not on onCommand:, which VS Code never
// fires for a Runs view row or a code lens, and fires for a cancelled command), and the keys are
// set when a model is chosen, a run starts, a view loads and an export is written; not when the
// user backs out. (test/e2e/walkthrough.e2e.ts ticks them in a real VS Code.)
import "./stubs/install";
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WALKTHROUGH_STEPS } from "../src/extension/walkthrough";
import * as vscode from "./stubs/vscode";
import { until } from "./support/wait";
import { stubHost } from "./support/host";

const host = stubHost("hm-walkthrough-", { settings: () => ({ provider: "simulated", n: 4, concurrency: 4, "rerunSelection.ask": false }) });
const cleanup = () => host.cleanup();

/** The walkthrough's context keys set so far. */
const set = () => vscode.executed.filter((e) => e.command === "setContext" && String(e.args[0]).startsWith("hotmess.walkthrough.") && e.args[1] === true).map((e) => e.args[0] as string);
const key = (step: keyof typeof WALKTHROUGH_STEPS) => WALKTHROUGH_STEPS[step];

test("package.json: each step completes on its context key, and on no command", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { contributes: { walkthroughs: { id: string; steps: { id: string; completionEvents: string[] }[] }[] } };
  const steps = pkg.contributes.walkthroughs.find((w) => w.id === "hotmess.start")!.steps;
  assert.deepEqual(steps.map((s) => s.id), Object.keys(WALKTHROUGH_STEPS));
  for (const s of steps) {
    assert.ok(s.completionEvents.includes(`onContext:${key(s.id as keyof typeof WALKTHROUGH_STEPS)}`), `${s.id}: ${s.completionEvents.join(", ")}`);
    assert.ok(!s.completionEvents.some((e) => e.startsWith("onCommand:")), `${s.id}: ${s.completionEvents.join(", ")}`);
  }
});

test("choose a model: a pick backed out of sets nothing; the simulated one, or a key stored, ticks the step", async (t) => {
  t.after(cleanup);
  vscode.answers.quickPick.push(() => undefined);
  await vscode.commands.executeCommand("hotmess.selectModel");
  vscode.answers.quickPick.push(() => undefined);
  await vscode.commands.executeCommand("hotmess.setApiKey");
  assert.deepEqual(set(), []);
  vscode.answers.quickPick.push((items) => (items as { label: string }[]).find((i) => i.label === "Simulated reasoner"));
  await vscode.commands.executeCommand("hotmess.selectModel");
  assert.equal(vscode.settings["provider"], "simulated");
  assert.deepEqual(set(), [key("model")]);
  vscode.executed.length = 0;
  vscode.answers.inputBox.push("sk-ant-walkthrough-0001");
  await vscode.commands.executeCommand("hotmess.setApiKey", "anthropic");
  assert.deepEqual(set(), [key("model")]);
});

test("a rerun ticks the rerun step, the view it opens ticks Read the view once it has loaded; an export written ticks Export, a save dialog backed out of does not", async (t) => {
  t.after(cleanup);
  vscode.window.activeTextEditor = vscode.fakeEditor(join(host.workspace, "ducks.txt"), "Janet's ducks lay 16 eggs a day; she sells 9 at $2. How many dollars?");
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  const panel = await until("the view", () => vscode.recorded.panels[0]);
  assert.deepEqual(set(), [key("rerun")], "the view has not loaded yet");
  panel.webview.receive({ type: "ready" });
  await until("the run's analysis", () => (vscode.recorded.posted as { type: string }[]).find((m) => m.type === "analysis/set"));
  assert.deepEqual(set(), [key("rerun"), key("read")]);
  const running = () => vscode.executed.filter((e) => e.command === "setContext" && e.args[0] === "hotmess.running").map((e) => e.args[1]);
  await until("the run to end", () => (running().includes(true) && running().at(-1) === false ? true : undefined));

  // the view's Markdown button: the save dialog dismissed, then accepted
  vscode.answers.saveDialog.push(undefined);
  panel.webview.receive({ type: "export/request", format: "md" });
  await until("the save dialog", () => vscode.recorded.saveDialogs[0]);
  assert.ok(!set().includes(key("share")));
  const out = join(host.workspace, "ducks.md");
  vscode.answers.saveDialog.push(vscode.Uri.file(out));
  panel.webview.receive({ type: "export/request", format: "md" });
  await until("the export", () => (existsSync(out) && set().includes(key("share")) ? true : undefined));
  assert.deepEqual(set(), [key("rerun"), key("read"), key("share")]);
});
