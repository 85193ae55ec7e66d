// Sweeps in the editor (issue 18), through the extension's own activate() with the stand-in
// `vscode` module, against the fake batch APIs (the real SDKs on the wire): Run Sweep… live (the
// simulated reasoner, and the fake Anthropic Messages API with the stored key) and as a batch;
// a declined confirmation sends nothing; a batch kept in progress shows in the sweep's status
// bar item and the Runs view; a "reload" (dispose, activate again) polls again without a
// second submission; the collected sweep opens with every prompt; errored and expired requests
// are resubmitted as a batch of just those; a submission whose batch id was never recorded is
// looked up at the provider and polled, or reported, and never sent again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { until } from "./support/wait";
import { stubHost } from "./support/host";
import { writeSweepPrompts } from "./support/sweep-prompts";
import { startFakeAnthropicBatches, type FakeAnthropicBatchesOptions } from "./fakes/anthropic-batches";
import { startFakeOpenAIBatches } from "./fakes/openai-batches";
import { startFakeAnthropic } from "./fakes/anthropic";
import { AnthropicBatchClient } from "../src/sampling/batch-anthropic";
import { parseSweepFile, sweepProgress } from "../src/core/sweepfile";
import { loadAnalysis } from "../src/report/load";

const host = stubHost("hm-sweeps-");
const cleanup = () => host.cleanup();
const KEY = "sk-ant-editor-sweep-secret-0001";
const O_KEY = "sk-openai-editor-sweep-secret-0002";

type Item = { label: string; description?: string; contextValue?: string; command?: { command: string; arguments?: unknown[] }; tooltip?: { value: string } };
type Provider = { getChildren(n?: unknown): Promise<unknown[]>; getTreeItem(n: unknown): Item };
type Pick = { label: string; description?: string; mode?: string };
type Posted = { type: string; analysis?: { prompts: { id: string; n: number; brier: { estimate: number } | null }[]; pooled: { brier: { estimate: number } | null } } };

/** Two good prompts and three lines the sweep leaves out (named in the log). */
function promptsFile(): string {
  return writeSweepPrompts(join(host.workspace, "problems.jsonl"), " Answer: N");
}

function sweepFiles(): string[] {
  return existsSync(host.runs) ? readdirSync(host.runs).filter((f) => f.includes("-sweep-")).map((f) => join(host.runs, f)) : [];
}

const sweepItem = () => vscode.recorded.statusItems.get("hotmess.sweep");

async function sweepRows(): Promise<Item[]> {
  const tree = vscode.trees.get("hotmess.runs") as Provider;
  const groups = await tree.getChildren();
  const g = groups.find((x) => tree.getTreeItem(x).label === "Sweeps");
  if (!g) return [];
  return (await tree.getChildren(g)).map((n) => tree.getTreeItem(n));
}

/** The answers of a sweep's dialogs, in order: N, then Live or Batch. */
function answerSweep(n: number, mode: "live" | "batch", seen?: Pick[]): void {
  vscode.answers.inputBox.push(String(n));
  vscode.answers.quickPick.push((items) => {
    seen?.push(...(items as Pick[]));
    return (items as Pick[]).find((i) => i.mode === mode);
  });
}

/** "Reloads the window": what activate() registered is disposed, and activate() runs again (the same secret storage and settings). */
async function reload(): Promise<void> {
  for (const d of host.ctx.subscriptions) d.dispose();
  host.ctx.subscriptions.length = 0;
  vscode.registered.clear();
  vscode.trees.clear();
  const { activate } = await import("../src/extension/extension");
  activate(host.ctx as never);
}

/** A fake Message Batches API with the stored key and the settings pointing at it; its batches stay in progress until `opts.pollsInProgress` is set to 0. */
async function fakeBatches(t: { after(fn: () => unknown): void }, outcome?: FakeAnthropicBatchesOptions["outcome"]) {
  const opts: FakeAnthropicBatchesOptions = { pollsInProgress: 1_000_000, ...(outcome ? { outcome } : {}) };
  const fake = await startFakeAnthropicBatches(opts);
  t.after(() => fake.close());
  useAnthropicBatches(fake.url);
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  return { fake, opts };
}

/** Run Sweep on the prompts file as a batch of n reruns each, the cost confirmed. */
async function submitSweep(n = 2): Promise<void> {
  answerSweep(n, "batch");
  vscode.answers.message.push("Submit");
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(promptsFile()));
}

/** The window closes: what activate() registered is disposed, and the polling loops have time to close their files. */
async function closeWindow(ms = 300): Promise<void> {
  for (const d of host.ctx.subscriptions) d.dispose();
  host.ctx.subscriptions.length = 0;
  await new Promise((r) => setTimeout(r, ms));
}

function useAnthropicBatches(url: string): void {
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", thinking: "off", maxTokens: 256, "anthropic.baseUrl": url, "sweep.pollSeconds": 0.05 });
}

test("Run Sweep live on the simulated reasoner: the prompts read (problems in the log), N asked, Live only; the view opens with every prompt", async (t) => {
  t.after(cleanup);
  vscode.settings.provider = "simulated";
  const prompts = promptsFile();
  const offered: Pick[] = [];
  answerSweep(4, "live", offered);
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(prompts));
  assert.deepEqual(
    offered.map((i) => i.mode),
    ["live"],
    "the simulated reasoner runs live only",
  );
  assert.match(offered[0]!.description!, /^8 requests of the simulated reasoner/);
  for (const why of [/line 3: not valid JSON/, /line 4: the id "ducks" is used by an earlier line/, /line 5: no "prompt" text/]) assert.ok(vscode.recorded.log.some((l) => why.test(l)), `the log names ${why}`);
  const [file] = sweepFiles();
  assert.ok(file, "a sweep file in the run store");
  const s = parseSweepFile(readFileSync(file!, "utf8"));
  assert.equal(s.header.mode, "live");
  assert.equal(s.header.source, "problems.jsonl");
  assert.equal(s.end?.status, "complete");
  assert.equal(sweepProgress(s).succeeded, 8);
  const panel = await until("the sweep's view", () => vscode.recorded.panels[0]);
  assert.match(panel.title, /^Hot Mess: sweep problems\.jsonl · 2 prompts × 4$/);
  panel.webview.receive({ type: "ready" });
  const doc = await until("its analysis", () => (vscode.recorded.posted as Posted[]).find((m) => m.type === "analysis/set"));
  assert.deepEqual(
    doc.analysis!.prompts.map((p) => [p.id, p.n]),
    [
      ["ducks", 4],
      ["cows", 4],
    ],
  );
  // a file with no prompt at all: a clear message, nothing written
  const none = join(host.workspace, "none.jsonl");
  writeFileSync(none, "{not json\n");
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(none));
  assert.match(vscode.recorded.notifications.at(-1)!.message, /none\.jsonl has no prompt to sweep \(none\.jsonl line 1: not valid JSON/);
  assert.equal(sweepFiles().length, 1);
});

test("Run Sweep live against the Anthropic Messages API: the stored key, the configured endpoint; the key is in no sweep file", async (t) => {
  t.after(cleanup);
  const fake = await startFakeAnthropic();
  t.after(() => fake.close());
  // ducks: 2 of 3 right; cows: all right
  let ducks = 0;
  fake.setDefault((req) => ({ kind: "ok", thinking: [], text: [JSON.stringify(req.body).includes("ducks") ? (ducks++ === 1 ? "16 - 3 = 13\n13 * 2 = 26\nAnswer: 26" : "16 - 3 - 4 = 9\n9 * 2 = 18\nAnswer: 18") : "12 + 7 = 19\nAnswer: 19"] }));
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", thinking: "off", maxTokens: 256, "anthropic.baseUrl": fake.url });
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  answerSweep(3, "live");
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(promptsFile()));
  assert.equal(fake.requests.length, 6);
  assert.ok(fake.requests.every((r) => JSON.stringify(r.headers).includes(KEY)), "each request carries the stored key");
  const [file] = sweepFiles();
  const text = readFileSync(file!, "utf8");
  assert.ok(!text.includes(KEY), "no key in the sweep file");
  const s = parseSweepFile(text);
  assert.equal(s.end?.status, "complete");
  assert.match(s.header.baseURL ?? "", /^http:\/\/127\.0\.0\.1:\d+/, "the endpoint it went to is recorded");
  // the same figures as the export and the CLI read: the view's analysis is loadAnalysis's
  const a = loadAnalysis([file!], { generator: { name: "t", version: "0" } }).analysis;
  assert.deepEqual(
    a.prompts.map((p) => [p.id, p.n, p.classes]),
    [
      ["ducks", 3, 2],
      ["cows", 3, 1],
    ],
  );
});

test("Run Sweep as a batch: the pick shows requests, tokens and both prices; a declined confirmation sends nothing and writes nothing", async (t) => {
  t.after(cleanup);
  const fake = await startFakeAnthropicBatches();
  t.after(() => fake.close());
  useAnthropicBatches(fake.url);
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  const offered: Pick[] = [];
  answerSweep(3, "batch", offered);
  vscode.answers.message.push(undefined); // the modal: dismissed
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(promptsFile()));
  assert.deepEqual(
    offered.map((i) => i.mode),
    ["live", "batch"],
  );
  assert.match(offered[0]!.description!, /^6 requests · ≈ \d+ input tokens, up to 1,536 output · at most \$\d+\.\d+ live \(\$\d+\.\d+ as a batch\)$/);
  assert.match(offered[1]!.description!, /^6 requests · ≈ \d+ input tokens, up to 1,536 output · at most \$\d+\.\d+ at the batch price \(\$\d+\.\d+ live\)$/);
  const modal = vscode.recorded.notifications.find((n) => /^Submit /.test(n.message));
  assert.ok(modal, "a confirmation was asked");
  assert.match(modal.message, /^Submit 6 requests as a batch for at most \$\d+\.\d+\?$/);
  assert.deepEqual(modal.actions, ["Submit"]);
  assert.equal(fake.batchesCreated(), 0, "declined: nothing submitted");
  assert.deepEqual(sweepFiles(), [], "declined: no sweep file");
});

test("a batch kept in progress shows in the status bar and the Runs view; a reload polls again without a second submission; released, it is collected and opens with every prompt", async (t) => {
  t.after(cleanup);
  const { fake, opts } = await fakeBatches(t, (id) => ({ type: "succeeded", text: `Answer: ${id.includes("_p0-") ? 18 : id.endsWith("_p1-r0") ? 20 : 19}` }));
  await submitSweep(3);
  assert.equal(fake.batchesCreated(), 1);
  const [sweep] = sweepFiles();
  assert.ok(sweep);
  // polled: the status bar item says where the sweep stands
  const text = await until("the sweep's status bar item", () => (/Sweep 0\/6 · 1 batch processing/.test(sweepItem()?.text ?? "") && sweepItem()?.visible ? sweepItem()!.text : undefined));
  assert.equal(text, "$(cloud-upload) Sweep 0/6 · 1 batch processing");
  assert.deepEqual((sweepItem()!.command as { command: string; arguments: unknown[] }).arguments, [sweep]);
  assert.match(sweepItem()!.tooltip, /problems\.jsonl · 2 prompts × 3 of claude-sonnet-4-5 \(anthropic batch\)\. Polled every 0\.05 s/);
  // the Runs view: the sweep under Sweeps, with its counts
  const [row] = await sweepRows();
  assert.ok(row, "the sweep has a row");
  assert.equal(row.label, "problems.jsonl");
  assert.match(row.description!, /^2 × 3 · batch · 0\/6 · 1 batch processing · just now$/);
  assert.equal(row.contextValue, "hotmess.sweep.open");
  // the status pick: the batch's counts (once polled), then the actions
  await until("a status polled", () => /"type":"status"/.test(readFileSync(sweep, "utf8")));
  let picked: Pick[] = [];
  vscode.answers.quickPick.push((items) => ((picked = items as Pick[]), undefined));
  await vscode.commands.executeCommand("hotmess.sweepStatus", sweep);
  assert.equal(picked[0]!.label, "$(sync~spin) 6 processing · 0 succeeded · 0 errored · 0 expired");
  assert.match(picked[0]!.description!, /^in_progress · msgbatch_\w+$/);
  assert.deepEqual(
    picked.slice(2).map((i) => i.label),
    ["$(go-to-file) Open", "$(debug-stop) Cancel Batch"],
  );

  // the window reloads: the sweep polls again, nothing is submitted again
  const before = readFileSync(sweep, "utf8").split("\n").filter((l) => l.includes('"type":"submit"')).length;
  await reload();
  await until("polling again after the reload", () => vscode.recorded.log.some((l) => /polling again \(1 batch out: 0\/6 · 1 batch processing\)/.test(l)));
  await until("the status bar item after the reload", () => sweepItem()?.visible && /Sweep 0\/6 · 1 batch processing/.test(sweepItem()!.text));
  assert.equal(fake.batchesCreated(), 1, "never submitted twice");
  assert.equal(readFileSync(sweep, "utf8").split("\n").filter((l) => l.includes('"type":"submit"')).length, before, "no new submission line");

  // the provider finishes: collected, the notification opens the view
  vscode.answers.message.push("Open");
  opts.pollsInProgress = 0;
  const note = await until("the collected notification", () => vscode.recorded.notifications.find((n) => /is collected/.test(n.message)));
  assert.equal(note.message, "Hot Mess: the batch sweep problems.jsonl · 2 prompts × 3 is collected: 6 of 6 replies.");
  assert.deepEqual(note.actions, ["Open"]);
  const panel = await until("the sweep's view", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  const doc = await until("its analysis", () => (vscode.recorded.posted as Posted[]).find((m) => m.type === "analysis/set"));
  assert.deepEqual(
    doc.analysis!.prompts.map((p) => [p.id, p.n]),
    [
      ["ducks", 3],
      ["cows", 3],
    ],
  );
  assert.ok(doc.analysis!.pooled.brier !== null, "a pooled incoherence over the sweep's prompts");
  assert.equal(fake.batchesCreated(), 1);
  assert.equal(parseSweepFile(readFileSync(sweep, "utf8")).end?.status, "complete");
  await until("the status bar item hidden", () => sweepItem()?.visible === false);
  const [done] = await sweepRows();
  assert.match(done!.description!, /^2 × 3 · batch · 6\/6 · pooled incoherence \d\.\d\d \[\d\.\d\d–\d\.\d\d\] · just now$/);
  assert.equal(done!.contextValue, "hotmess.sweep");
  assert.ok(!readFileSync(sweep, "utf8").includes(KEY), "no key in the sweep file");
});

test("errored and expired requests: the notification offers Resubmit Failed, which lists them with the cost and sends a batch of just those", async (t) => {
  t.after(cleanup);
  // the first time each is sent: p0-r1 overloaded, p1-r2 expired; resubmitted, they succeed
  const sent = new Set<string>();
  const fake = await startFakeAnthropicBatches({
    outcome: (id) => {
      const again = sent.has(id);
      sent.add(id);
      if (!again && id.endsWith("_p0-r1")) return { type: "errored", errorType: "overloaded_error", message: "Overloaded" };
      if (!again && id.endsWith("_p1-r2")) return { type: "expired" };
      return { type: "succeeded", text: `Answer: ${id.startsWith("p0") ? 18 : 19}` };
    },
  });
  t.after(() => fake.close());
  useAnthropicBatches(fake.url);
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  answerSweep(3, "batch");
  // Submit; the "submitted" note; the collected note's Resubmit Failed…; the modal's Resubmit; the next notes
  vscode.answers.message.push("Submit", undefined, "Resubmit Failed…", "Resubmit");
  await vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(promptsFile()));
  const first = await until("the collected notification", () => vscode.recorded.notifications.find((n) => /is collected/.test(n.message)));
  assert.equal(first.message, "Hot Mess: the batch sweep problems.jsonl · 2 prompts × 3 is collected: 4 of 6 replies, 2 failed.");
  assert.deepEqual(first.actions, ["Open", "Resubmit Failed…"]);
  const modal = await until("the resubmission's confirmation", () => vscode.recorded.notifications.find((n) => /^Resubmit /.test(n.message)));
  assert.match(modal.message, /^Resubmit 2 failed requests \((1 overloaded, 1 expired|1 expired, 1 overloaded)\) as a new batch, for at most \$\d+\.\d+\?$/);
  assert.ok(vscode.recorded.log.some((l) => /ducks rerun 1: overloaded: .*Overloaded/.test(l)), "the log lists each failed request with its reason");
  assert.ok(vscode.recorded.log.some((l) => /cows rerun 2: expired/.test(l)));
  await until("the second collection", () => vscode.recorded.notifications.filter((n) => /is collected/.test(n.message)).length === 2);
  assert.equal(fake.batchesCreated(), 2);
  const second = [...fake.params.values()][1]!;
  assert.deepEqual(second.map((x) => x.custom_id.replace(/^[A-Za-z0-9]+_/, "")).sort(), ["p0-r1", "p1-r2"], "a batch of just the failed requests");
  const [sweep] = sweepFiles();
  const s = parseSweepFile(readFileSync(sweep!, "utf8"));
  assert.equal(s.end?.status, "complete");
  assert.equal(sweepProgress(s).succeeded, 6);
  assert.deepEqual(s.batches[1]!.submit.resubmits, [s.batches[0]!.batchId]);
});

test("OpenAI's Batch API: a sweep submitted through the Files API, polled and collected", async (t) => {
  t.after(cleanup);
  const fake = await startFakeOpenAIBatches({ pollsInProgress: 2 });
  t.after(() => fake.close());
  Object.assign(vscode.settings, { provider: "openai", model: "gpt-4.1", maxTokens: 256, "openai.baseUrl": `${fake.url}/v1`, "sweep.pollSeconds": 0.05 });
  await host.ctx.secrets.store("hotmess.apiKey.openai", O_KEY);
  await submitSweep();
  await until("the collected notification", () => vscode.recorded.notifications.find((n) => /is collected: 4 of 4 replies\.$/.test(n.message)));
  assert.equal(fake.batchesCreated(), 1);
  const [sweep] = sweepFiles();
  assert.ok(!readFileSync(sweep!, "utf8").includes(O_KEY), "no key in the sweep file");
});

test("a submission whose batch id was never recorded is found at the provider on activation and polled, never sent again (other sweeps' batches are never it); when a batch no sweep records could be it too, nothing is sent", async (t) => {
  t.after(cleanup);
  const { fake, opts } = await fakeBatches(t);
  await submitSweep();
  const [sweep] = sweepFiles();
  await until("polled once", () => /"type":"status"/.test(readFileSync(sweep!, "utf8")));
  await closeWindow();
  // as if the window had closed between sending the batch and writing its id
  writeFileSync(
    sweep!,
    readFileSync(sweep!, "utf8")
      .split("\n")
      .filter((l) => !/"type":"(batch|status)"/.test(l))
      .join("\n"),
  );
  await reload();
  // found at the provider (a batch of 4 requests created then) and polled again
  await until("the batch adopted", () => /"type":"batch".*"adopted":true/.test(readFileSync(sweep!, "utf8")));
  await until("polling again", () => sweepItem()?.visible === true);
  opts.pollsInProgress = 0;
  await until("collected", () => parseSweepFile(readFileSync(sweep!, "utf8")).end?.status === "complete");
  assert.equal(fake.batchesCreated(), 1, "never resent");
  assert.equal(sweepProgress(parseSweepFile(readFileSync(sweep!, "utf8"))).succeeded, 4);

  // a batch of the same size at the same time that no sweep file records (another machine's, a
  // script's): Anthropic's batches have no metadata to tell it from this one
  await closeWindow(0);
  opts.pollsInProgress = 1_000_000;
  await reload();
  await submitSweep();
  const fresh = sweepFiles().filter((f) => f !== sweep);
  assert.equal(fresh.length, 1);
  await until("polled once", () => /"type":"status"/.test(readFileSync(fresh[0]!, "utf8")));
  const outside = new AnthropicBatchClient({ apiKey: KEY, baseURL: fake.url });
  await outside.submit(["a", "b", "c", "d"].map((x) => ({ customId: `elsewhere-${x}`, request: { prompt: x, model: "claude-haiku-4-5", maxTokens: 10, thinking: { type: "none" } } })));
  await closeWindow();
  writeFileSync(fresh[0]!, readFileSync(fresh[0]!, "utf8").split("\n").filter((l) => !/"type":"(batch|status)"/.test(l)).join("\n"));
  const created = fake.batchesCreated();
  await reload();
  const warning = await until("the warning", () => vscode.recorded.notifications.find((n) => /without a recorded batch id/.test(n.message)));
  assert.match(warning.message, /has 1 submission sent without a recorded batch id: part 0: 2 batches at the provider could be it \(msgbatch_\w+, msgbatch_\w+\).*Nothing is sent again\./);
  const row = (await sweepRows()).find((r) => /1 batch id not recorded/.test(r.description ?? ""));
  assert.ok(row, "the Runs view says so");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(fake.batchesCreated(), created, "never resent");
});

test("a refused submission is recorded as such (nothing sent); Continue Sweep submits its requests after confirming their cost", async (t) => {
  t.after(cleanup);
  const fake = await startFakeAnthropicBatches();
  t.after(() => fake.close());
  useAnthropicBatches(fake.url);
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  fake.refuseNext(529, "overloaded_error", "Overloaded");
  await submitSweep();
  const err = await until("the refusal", () => vscode.recorded.notifications.find((n) => n.level === "error"));
  assert.match(err.message, /Overloaded.*nothing was submitted; .* records the refusal/);
  assert.equal(fake.batchesCreated(), 0);
  const [sweep] = sweepFiles();
  assert.equal(sweepProgress(parseSweepFile(readFileSync(sweep!, "utf8"))).unsent, 4, "refused: its requests are still to send");
  const [row] = await sweepRows();
  assert.equal(row!.contextValue, "hotmess.sweep.continue");
  assert.match(row!.description!, /0\/4 · 4 not sent/);
  // declined: still nothing; confirmed: one batch of the 4, polled and collected
  vscode.answers.message.push(undefined);
  await vscode.commands.executeCommand("hotmess.continueSweep", sweep);
  assert.match(vscode.recorded.notifications.at(-1)!.message, /^Submit the 4 requests of the sweep problems\.jsonl · 2 prompts × 2 never sent, for at most \$\d+\.\d+\?$/);
  assert.equal(fake.batchesCreated(), 0);
  vscode.answers.message.push("Submit");
  await vscode.commands.executeCommand("hotmess.continueSweep", sweep);
  await until("collected", () => vscode.recorded.notifications.find((n) => /is collected: 4 of 4 replies\.$/.test(n.message)));
  assert.equal(fake.batchesCreated(), 1);
});

test("a live sweep cancelled from its progress notification keeps what finished; Continue Sweep runs only the rest", async (t) => {
  t.after(cleanup);
  const fake = await startFakeAnthropic();
  t.after(() => fake.close());
  // each reply streams slowly: the cancel lands with some done and some not
  fake.setDefault(() => ({ kind: "ok", thinking: [], text: ["Let me see. ", "12 + 7 = 19. ", "Answer: 19"], chunkDelayMs: 60 }));
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", thinking: "off", maxTokens: 256, concurrency: 2, "anthropic.baseUrl": fake.url });
  await host.ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  answerSweep(4, "live");
  const running = vscode.commands.executeCommand("hotmess.runSweep", vscode.Uri.file(promptsFile()));
  const file = await until("the sweep file", () => sweepFiles()[0]);
  await until("two replies", () => (readFileSync(file, "utf8").match(/"type":"sample"/g) ?? []).length >= 2, 30_000);
  vscode.progressCancel!();
  await running;
  const cut = parseSweepFile(readFileSync(file, "utf8"));
  const kept = sweepProgress(cut).succeeded;
  assert.equal(cut.end?.status, "cancelled");
  assert.ok(kept >= 2 && kept < 8, `cancelled part-way: ${kept} of 8 kept`);
  assert.match(vscode.recorded.notifications.find((n) => /cancelled/.test(n.message))!.message, new RegExp(`sweep cancelled with ${kept} of 8 replies \\(kept\\)`));
  assert.ok(vscode.recorded.panels[0], "the view opens with what finished");
  const [row] = await sweepRows();
  assert.equal(row!.contextValue, "hotmess.sweep.continue");
  const sent = fake.requests.length;
  await vscode.commands.executeCommand("hotmess.continueSweep", file);
  const done = parseSweepFile(readFileSync(file, "utf8"));
  assert.equal(sweepProgress(done).succeeded, 8);
  assert.equal(done.end?.status, "complete");
  for (const p of done.prompts) assert.equal(done.samples.get(p.key)!.size, 4, "each prompt has exactly its n replies");
  assert.equal(fake.requests.length - sent, 8 - kept, "only the missing reruns were sent");
});

test("two batch sweeps poll at once; Cancel Batch cancels one at the provider (its requests come back canceled, for Resubmit Failed) while the other is collected", async (t) => {
  t.after(cleanup);
  const { fake, opts } = await fakeBatches(t);
  await submitSweep();
  await submitSweep();
  const files = sweepFiles().sort();
  assert.equal(files.length, 2);
  await until("both polled", () => files.every((f) => /"type":"status"/.test(readFileSync(f, "utf8"))));
  await until("the status bar item says both", () => sweepItem()?.text === "$(cloud-upload) Sweep 0/4 · 1 batch processing (+1 more)");
  // Cancel Batch on the first, confirmed in its modal
  vscode.answers.message.push("Cancel Batch");
  await vscode.commands.executeCommand("hotmess.cancelSweepBatch", files[0]);
  const canceled = await until("the first collected as canceled", () => {
    const s = parseSweepFile(readFileSync(files[0]!, "utf8"));
    return s.end ? s : undefined;
  });
  assert.equal(sweepProgress(canceled).failed, 4);
  assert.deepEqual([...canceled.failures.values()].flat().map((f) => f.kind), ["canceled", "canceled", "canceled", "canceled"]);
  const note = await until("its notification", () => vscode.recorded.notifications.find((n) => /is collected: 0 of 4 replies/.test(n.message)));
  assert.ok(note.actions.includes("Resubmit Failed…") || note.actions.some((a) => /Resubmit/.test(a)), `Resubmit offered: ${note.actions.join(", ")}`);
  // the second goes on, and is collected when the provider finishes
  assert.equal(parseSweepFile(readFileSync(files[1]!, "utf8")).end, null);
  opts.pollsInProgress = 0;
  await until("the second collected", () => parseSweepFile(readFileSync(files[1]!, "utf8")).end?.status === "complete");
  assert.equal(fake.batchesCreated(), 2);
});

test("in an untrusted workspace nothing polls on activation (polling writes to the workspace's files)", async (t) => {
  t.after(cleanup);
  const { fake, opts } = await fakeBatches(t);
  await submitSweep();
  const [file] = sweepFiles();
  await until("polled", () => /"type":"status"/.test(readFileSync(file!, "utf8")));
  await closeWindow(200);
  const gets = () => fake.requests.filter((r) => r.method === "GET").length;
  const before = gets();
  const lines = readFileSync(file!, "utf8");
  vscode.workspace.isTrusted = false;
  await reload();
  opts.pollsInProgress = 0;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(gets(), before, "no request to the provider");
  assert.equal(readFileSync(file!, "utf8"), lines, "the sweep file is untouched");
  assert.notEqual(sweepItem()?.visible, true, "no status bar item");
  // trusted again: the next activation polls and collects it
  vscode.workspace.isTrusted = true;
  await reload();
  await until("collected once trusted", () => parseSweepFile(readFileSync(file!, "utf8")).end?.status === "complete");
  assert.equal(fake.batchesCreated(), 1);
});
