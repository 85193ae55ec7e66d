// "Hot Mess: Import Traces…" in the editor: a trace set opens as it is; another tool's log is
// imported as `hotmess import` does it, written to .hotmess/imports/ (keys redacted), said, and
// opened in the comparison view; a file of no known format is named with the formats there are.
import "./stubs/install";
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import type { HostMessage } from "../src/protocol/webview";

const ROOT = join(__dirname, "..");
const DATA = join(__dirname, "data");
let tmp: string;
let ctx: ReturnType<typeof vscode.fakeContext>;

beforeEach(async () => {
  vscode.reset();
  tmp = mkdtempSync(join(tmpdir(), "hm-import-editor-"));
  mkdirSync(join(tmp, "workspace"));
  vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(join(tmp, "workspace")) }];
  ctx = vscode.fakeContext(join(tmp, "storage"), ROOT);
  const extension = await import("../src/extension/extension");
  extension.activate(ctx as never);
});

const cleanup = () => {
  for (const d of ctx.subscriptions) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
};

const analyses = () => (vscode.recorded.posted as HostMessage[]).filter((m): m is Extract<HostMessage, { type: "analysis/set" }> => m.type === "analysis/set");

test("a chat log is imported to .hotmess/imports/, said, and opened with its trajectories", async (t) => {
  t.after(cleanup);
  vscode.answers.openDialog.push([vscode.Uri.file(join(DATA, "chat-openai.jsonl"))]);
  await vscode.commands.executeCommand("hotmess.importTraces");
  const dir = join(tmp, "workspace", ".hotmess", "imports");
  const written = readdirSync(dir);
  assert.deepEqual(written, ["chat-openai.chat.jsonl"]);
  const lines = readFileSync(join(dir, written[0]!), "utf8").trim().split("\n");
  assert.ok(lines.length > 0 && lines.every((l) => Array.isArray((JSON.parse(l) as { samples: unknown[] }).samples)));
  const said = vscode.recorded.notifications.find((n) => n.level === "info");
  assert.match(said?.message ?? "", /^Hot Mess: .+; format chat.*\. Written to .*chat-openai\.chat\.jsonl\./);
  vscode.recorded.panels[0]!.webview.receive({ type: "ready" });
  const shown = analyses().at(-1)!.analysis;
  assert.equal(shown.prompts.length, lines.length);
  assert.ok(shown.prompts.some((p) => p.agent && p.agent.toolCalls.some((c) => c > 0)), "the trajectories' tool calls are in the analysis");
});

test("a trace set opens as it is, nothing written; a file of no known format is named with the formats", async (t) => {
  t.after(cleanup);
  const set = join(tmp, "set.jsonl");
  writeFileSync(set, JSON.stringify({ id: "p", reference: 4, samples: [{ text: "2+2=4", answer: 4 }, { text: "2+2=5", answer: 5 }] }) + "\n");
  vscode.answers.openDialog.push([vscode.Uri.file(set)]);
  await vscode.commands.executeCommand("hotmess.importTraces");
  assert.equal(existsSync(join(tmp, "workspace", ".hotmess", "imports")), false);
  assert.equal(vscode.recorded.panels.length, 1);

  const notes = join(tmp, "notes.txt");
  writeFileSync(notes, "just some notes\n");
  vscode.answers.openDialog.push([vscode.Uri.file(notes)]);
  await vscode.commands.executeCommand("hotmess.importTraces");
  const error = vscode.recorded.notifications.find((n) => n.level === "error");
  assert.match(error?.message ?? "", /^Hot Mess: cannot tell which format .*notes\.txt is in; the formats are tau-bench \(τ-bench results\), inspect .*chat \(/);
});
