// The example conversation prompt (examples/airline-agent.prompt.md, its tools in
// examples/airline-tools.json) rerun from its code lens in the editor, as a user would: the
// extension's hotmess.rerunPrompt parses it, reads the tools file beside it, and runs its next
// action 8 times on the simulated agent through the same RunManager as any run. The run file
// keeps the prefix and the tools as the parser read them and the prompt hash the language
// server looks the run up by; the analysis classes the next actions.
import "./stubs/install";
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as vscode from "./stubs/vscode";
import { analyzeRuns, parsePromptFile, parseRunFile } from "../src/core";
import { promptHash } from "../src/sampling/store";
import { until } from "./support/wait";

const ROOT = join(__dirname, "..");
const EXAMPLE = join(ROOT, "examples", "airline-agent.prompt.md");
let tmp: string;
let ctx: ReturnType<typeof vscode.fakeContext>;

beforeEach(async () => {
  vscode.reset();
  tmp = mkdtempSync(join(tmpdir(), "hm-prompt-conversation-"));
  mkdirSync(join(tmp, "workspace"));
  vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(join(tmp, "workspace")) }];
  Object.assign(vscode.settings, { provider: "simulated" });
  ctx = vscode.fakeContext(join(tmp, "storage"), ROOT);
  const extension = await import("../src/extension/extension");
  extension.activate(ctx as never);
});

const cleanup = () => {
  for (const d of ctx.subscriptions) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
};

test("the example's tools file is read beside it and the prefix checks out", () => {
  const [p] = parsePromptFile(readFileSync(EXAMPLE, "utf8"), promptHash, { readToolsFile: (f) => ({ text: readFileSync(join(dirname(EXAMPLE), f), "utf8") }) });
  assert.deepEqual(p!.problems, []);
  assert.deepEqual(p!.conversation!.tools.map((t) => t.name), ["get_user_details", "get_reservation_details", "cancel_reservation", "transfer_to_human_agents"]);
  assert.deepEqual(p!.conversation!.messages.map((m) => m.role), ["user", "assistant", "user", "assistant", "user"]);
  assert.equal(p!.settings.n, 8);
});

test("Rerun next action ×8 on the example: the run carries the prefix, its tools and the prompt's hash; 8 next actions, classed", async (t) => {
  t.after(cleanup);
  const running = vscode.commands.executeCommand("hotmess.rerunPrompt", vscode.Uri.file(EXAMPLE), 0);
  const panel = await until("the live panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await running;
  assert.deepEqual(vscode.recorded.notifications.filter((n) => n.level !== "info"), []);

  const runs = join(tmp, "workspace", ".hotmess", "runs");
  const files = readdirSync(runs).filter((f) => f.endsWith(".jsonl"));
  assert.equal(files.length, 1);
  const run = parseRunFile(readFileSync(join(runs, files[0]!), "utf8"));
  const [p] = parsePromptFile(readFileSync(EXAMPLE, "utf8"), promptHash, { readToolsFile: (f) => ({ text: readFileSync(join(dirname(EXAMPLE), f), "utf8") }) });
  const h = run.header;
  assert.equal(h.provider, "simulated");
  assert.equal(h.prompt, p!.user);
  assert.equal(h.system, p!.system);
  assert.equal(h.promptHash, p!.hash, "the hash the language server finds the run by");
  assert.deepEqual(h.conversation, p!.conversation, "the prefix as the prompt file holds it, tools declared");
  assert.equal(h.conversation!.tools.find((t) => t.name === "cancel_reservation")?.description, "Cancel a whole reservation and refund it to its original payment methods. Only for a cancellation the policy allows, after the user has confirmed it.");
  assert.deepEqual(h.source, { file: EXAMPLE, prompt: 0, id: "airline-cancel" });
  // the prompt's reference is its expected next action, not an answer to compare
  assert.equal(h.reference, undefined);
  assert.equal(h.expectedAction, "cancel_reservation");
  assert.equal(run.samples.length, 8);

  const declared = new Set(p!.conversation!.tools.map((x) => x.name));
  for (const s of run.samples) {
    assert.ok(s.steps && s.steps.length > 0, "each sample keeps its next turn as steps");
    for (const st of s.steps) if (st.kind === "tool_call") assert.ok(declared.has(st.name!), `a declared tool: ${st.name}`);
  }
  const a = analyzeRuns([run]).prompts[0]!;
  assert.equal(a.n, 8);
  assert.ok(a.agent, "the next actions are trajectories");
  const classes = a.answers.filter((c) => c.count > 0);
  assert.ok(classes.length >= 2, `the next actions split: ${classes.map((c) => `${c.key} ×${c.count}`).join(", ")}`);
  const top = [...classes].sort((x, y) => y.count - x.count)[0]!;
  assert.equal(top.key, 'cancel_reservation{"reservation_id":"ehglp3"}', "the simulated agent's most plausible action: the cancellation the user said yes to");
  assert.equal(a.answers.reduce((n, c) => n + c.count, 0), 8, "every rerun is in one class");
});
