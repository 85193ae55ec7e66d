// The editor's failure paths, through the extension's own activate() with a stand-in `vscode`
// module (test/stubs/vscode.ts) and the real Anthropic SDK against the fake Messages API
// (test/fakes/anthropic.ts): a run refused with a 401 opens with why and a Retry, Retry
// continues the same run file, a failed or partial run file opens with its failures, and no API
// key (stored or from the environment) reaches the view, the log, a notification or the status
// bar, even when a server or a model repeats it.
import "./stubs/install";
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "./fakes/anthropic";
import type { HostMessage, RunInView } from "../src/protocol/webview";
import { sleep, until } from "./support/wait";

const ROOT = join(__dirname, "..");
const STORED_KEY = "hm-stored-key-0123456789abcdef"; // no sk-… shape: only knowing the key redacts it
const ENV_TOKEN = "hm-env-token-fedcba9876543210"; // any *_TOKEN of the environment is a secret too
const PROMPT = "Janet's ducks lay 16 eggs per day. She eats three and bakes with four. She sells the rest at $2 each. How much does she make?";

let fake: FakeAnthropic;
let tmp: string;
let ctx: ReturnType<typeof vscode.fakeContext>;
let extension: typeof import("../src/extension/extension");

const authKey = (r: RecordedRequest) => String(r.headers["x-api-key"] ?? "") || String(r.headers["authorization"] ?? "").replace(/^Bearer\s+/i, "");
const posted = () => vscode.recorded.posted as HostMessage[];
const runsSets = () => posted().filter((m): m is Extract<HostMessage, { type: "runs/set" }> => m.type === "runs/set");
const lastRuns = (): RunInView[] => runsSets().at(-1)?.runs ?? [];
const everything = () => JSON.stringify({ posted: vscode.recorded.posted, log: vscode.recorded.log, notes: vscode.recorded.notifications, status: [vscode.recorded.statusText, vscode.recorded.statusTooltip] });

before(async () => {
  fake = await startFakeAnthropic();
  process.env.HOTMESS_TEST_TOKEN = ENV_TOKEN;
  extension = await import("../src/extension/extension");
});
after(async () => {
  delete process.env.HOTMESS_TEST_TOKEN;
  await fake.close();
});

beforeEach(async () => {
  vscode.reset();
  tmp = mkdtempSync(join(tmpdir(), "hm-editor-failures-"));
  mkdirSync(join(tmp, "workspace"));
  vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(join(tmp, "workspace")) }];
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", "anthropic.baseUrl": fake.url, n: 4, concurrency: 4, "rerunSelection.ask": false });
  ctx = vscode.fakeContext(join(tmp, "storage"), ROOT);
  await ctx.secrets.store("hotmess.apiKey.anthropic", STORED_KEY);
  extension.activate(ctx as never);
});

const runDir = () => join(tmp, "workspace", ".hotmess", "runs");
const cleanup = () => {
  for (const d of ctx.subscriptions) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
};

test("a 401 opens with why and Retry; Retry continues the same run file; no key is shown anywhere", async (t) => {
  t.after(cleanup);
  // a gateway that quotes a header back in its error
  fake.setDefault({ kind: "http-error", status: 401, type: "authentication_error", message: `invalid x-api-key (the request also had x-trace-token ${ENV_TOKEN})` });
  vscode.window.activeTextEditor = vscode.fakeEditor(join(tmp, "workspace", "ducks.txt"), PROMPT);
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  const failed = await until("the failed run's banner", () => lastRuns().find((r) => r.state.status === "failed"));

  assert.equal(failed.state.summary, "Run failed: 0 of 4 samples finished, 1 failed, 3 not started");
  assert.equal(failed.state.reason, "401 invalid x-api-key (the request also had x-trace-token [redacted])");
  assert.equal(failed.state.failures[0]!.status, 401);
  assert.match(failed.state.failures[0]!.message, /answered 401 authentication_error: invalid x-api-key/);
  assert.equal(failed.prompt.trim(), PROMPT, "the banner carries the prompt (no analysis shows it)");
  assert.equal(failed.state.resumable, true);
  assert.ok(!posted().some((m) => m.type === "analysis/set"), "no document: no sample finished");
  const file = failed.file;
  assert.deepEqual(readdirSync(runDir()), [file.split("/").at(-1)]);
  // the notification, the status bar and the log say so, without the token
  const toast = vscode.recorded.notifications.find((n) => n.level === "error");
  assert.ok(toast && /401/.test(toast.message), JSON.stringify(vscode.recorded.notifications));
  assert.deepEqual(toast.actions, ["Set API Key…", "Show Log"], "a refused key: the button sets one");
  assert.equal(vscode.recorded.statusText, "$(error) Hot Mess: last run failed");
  assert.match(vscode.recorded.statusTooltip, /^Run failed: 0 of 4 samples finished, 1 failed, 3 not started: 401 invalid x-api-key/);
  assert.ok(!everything().includes(ENV_TOKEN), "the environment's token is in nothing shown or logged");
  assert.ok(!everything().includes(STORED_KEY), "the stored key is in nothing shown or logged");

  // the view asks to continue a file it does not show: refused, nothing sent
  const requestsBefore = fake.requests.length;
  panel.webview.receive({ type: "run/resume", file: join(tmp, "elsewhere.jsonl") });
  await sleep(200);
  assert.equal(fake.requests.length, requestsBefore);

  // the key is fixed on the server's side; the model repeats the key it was called with
  fake.setDefault((req) => ({ kind: "ok", thinking: ["16 - 3 - 4 = 9. 9 * 2 = 18."], text: [`Answer: 18 (called with ${authKey(req)})`] }));
  const sets = runsSets().length;
  panel.webview.receive({ type: "run/resume", file });
  await until("Retry to finish", () => runsSets().length > sets && lastRuns().length > 0 && lastRuns().every((r) => r.state.status === "complete"));
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; status?: string });
  assert.equal(lines.filter((l) => l.type === "sample").length, 4, "the 4 samples went into the same file");
  assert.deepEqual(lines.at(-1)?.status, "complete");
  assert.equal(readdirSync(runDir()).length, 1, "no new run file");
  const doc = posted().filter((m) => m.type === "analysis/set").at(-1);
  assert.ok(doc && doc.type === "analysis/set");
  assert.equal(doc.analysis.prompts[0]!.n, 4);
  const reply = doc.analysis.prompts[0]!.runs[0]!.reply ?? "";
  assert.match(JSON.stringify(doc.analysis), /called with \[redacted\]/, `the echoed key is redacted in the view: ${reply}`);
  assert.ok(!everything().includes(STORED_KEY), "the stored key, echoed by the model, is in nothing shown or logged");
  assert.match(vscode.recorded.statusText, /incoherence|answers?$/, vscode.recorded.statusText);
});

/** A partial run as the engine records one: finished samples, failures with every field, the end line. */
function writePartialRun(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "2026-12-04T10-00-00Z-claude-sonnet-4-5.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "ducks-1", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "claude-sonnet-4-5", baseURL: fake.url, prompt: PROMPT, parameters: { n: 8, maxTokens: 8192, thinking: { type: "budget", budgetTokens: 4096 }, concurrency: 4, idleTimeoutMs: 120000 } };
  const sample = (index: number, answer: number) => ({ type: "sample", index, text: `Answer: ${answer}`, thinking: `16 - 3 - 4 = 9. 9 * 2 = ${answer}. My key is ${STORED_KEY}.`, redactedThinking: 0, usage: { inputTokens: 60, outputTokens: 20 }, costUsd: 0.0003, latencyMs: 900, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" });
  const limited = (index: number, requestId: string) => ({ type: "failure", index, kind: "rate_limit", message: "Anthropic answered 429 rate_limit_error: This request would exceed the rate limit for your organization of 50 requests per minute.", attempts: 1, status: 429, url: `${fake.url}/v1/messages`, requestId, retryable: true, retryAfterMs: 300_000 });
  const cut = { type: "failure", index: 7, kind: "overloaded", message: "Anthropic sent an error mid-stream (overloaded_error): Overloaded", attempts: 6, url: `${fake.url}/v1/messages`, requestId: "req_011CcutMidStream", retryable: true, partial: { text: `So far: 9 eggs, and I will repeat my key ${STORED_KEY}`, thinking: "16 - 3 = 13. 13 - 4 = 9." } };
  const lines = [header, sample(0, 18), sample(1, 18), sample(2, 18), sample(3, 16), sample(4, 18), limited(5, "req_011Caaaa"), limited(6, "req_011Cbbbb"), cut, { type: "end", status: "partial", finishedAt: "2026-12-04T10:00:05.000Z" }];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
}

test("Retry of a run file that cannot be continued (its prompt kept as [redacted]) says why and leaves the panel as it was, Retry still there", async (t) => {
  t.after(cleanup);
  const written = writePartialRun(runDir());
  const file = join(runDir(), "redacted-prompt.jsonl");
  // a prompt that held a key: the run file keeps it only as [redacted]
  writeFileSync(file, readFileSync(written, "utf8").replace(JSON.stringify(PROMPT), JSON.stringify(`${PROMPT} My key is [redacted].`)));
  rmSync(written);
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  await until("the partial run's banner", () => lastRuns()[0]);
  const before = readFileSync(file, "utf8");
  const requests = fake.requests.length;
  const errors = () => vscode.recorded.notifications.filter((n) => n.level === "error");
  for (const attempt of [1, 2]) {
    const sets = runsSets().length;
    panel.webview.receive({ type: "run/resume", file });
    const toast = await until(`the refusal of Retry ${attempt}`, () => errors()[attempt - 1]);
    assert.match(toast.message, /cannot continue redacted-prompt\.jsonl: its prompt held an API key/);
    // the banner comes back (with its Retry), for the same file: a second Retry is not silently refused
    await until(`the banner after Retry ${attempt}`, () => runsSets().length > sets && lastRuns().length === 1);
    assert.equal(lastRuns()[0]!.file, file);
    assert.equal(lastRuns()[0]!.state.status, "partial");
    assert.equal(lastRuns()[0]!.state.resumable, true);
  }
  assert.equal(fake.requests.length, requests, "nothing was sent");
  assert.equal(readFileSync(file, "utf8"), before, "the run file is as it was");
  assert.ok(posted().filter((m) => m.type === "runs/set").every((m) => m.type === "runs/set" && m.runs.length > 0 && (!m.source || (m.source.kind === "runs" && m.source.files.includes(file)))), "no empty list of runs or files was sent");
});

test("a partial run file opens with the analysis of what finished and its failures grouped; keys redacted", async (t) => {
  t.after(cleanup);
  const file = writePartialRun(runDir());
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  const run = await until("the partial run's banner", () => lastRuns()[0]);
  const s = run.state;
  assert.equal(s.summary, "Partial: 5 of 8 samples finished, 3 failed");
  assert.equal(s.failures.length, 2);
  assert.deepEqual({ count: s.failures[0]!.count, status: s.failures[0]!.status, url: s.failures[0]!.url, ids: s.failures[0]!.requestIds, wait: s.failures[0]!.retryAfterMs }, { count: 2, status: 429, url: `${fake.url}/v1/messages`, ids: ["req_011Caaaa", "req_011Cbbbb"], wait: 300_000 });
  assert.equal(s.partials[0]!.text, "So far: 9 eggs, and I will repeat my key [redacted]");
  const doc = posted().find((m) => m.type === "analysis/set");
  assert.ok(doc && doc.type === "analysis/set" && doc.analysis.prompts[0]!.n === 5, "the 5 finished samples are analysed");
  assert.match(JSON.stringify(doc.analysis), /My key is \[redacted\]/);
  assert.ok(!everything().includes(STORED_KEY), "the stored key is in nothing shown");
  assert.equal(vscode.recorded.notifications.filter((n) => n.level === "error").length, 0, "opening it is no error");
  assert.equal(vscode.recorded.statusText, "$(warning) Hot Mess: 5 of 8 finished, 3 failed");
});

test("Retry of a partial run: the samples it had, which repeat the key, reach the view redacted while it runs and after", async (t) => {
  t.after(cleanup);
  fake.setDefault({ kind: "ok", thinking: ["16 - 3 - 4 = 9. 9 * 2 = 18."], text: ["Answer: 18"] });
  const file = writePartialRun(runDir());
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  await until("the partial run's banner", () => lastRuns()[0]);
  const docs = () => posted().filter((m) => m.type === "analysis/set");
  const before = docs().length;
  panel.webview.receive({ type: "run/resume", file });
  await until("Retry to finish", () => lastRuns().length > 0 && lastRuns().every((r) => r.state.status === "complete"));
  const after = docs().slice(before);
  assert.ok(after.length >= 2, `the live document and the final one (${after.length})`);
  for (const doc of after) assert.match(JSON.stringify(doc), /My key is \[redacted\]/);
  assert.ok(!everything().includes(STORED_KEY), "the stored key is in nothing shown");
});

test("a run in which no sample finished opens (the view does not throw), from the code lens's Open Run File", async (t) => {
  t.after(cleanup);
  mkdirSync(runDir(), { recursive: true });
  const file = join(runDir(), "failed.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "f", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "claude-sonnet-4-5", prompt: PROMPT, parameters: { n: 8, maxTokens: 8192, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 } };
  writeFileSync(file, [header, { type: "end", status: "failed", message: "Anthropic answered 401 authentication_error: invalid x-api-key", finishedAt: "2026-12-04T10:00:01.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  assert.equal(vscode.recorded.notifications.length, 0, `no error: the run opens (${JSON.stringify(vscode.recorded.notifications)})`);
  const panel = vscode.recorded.panels[0];
  assert.ok(panel, "a comparison panel opened");
  panel.webview.receive({ type: "ready" });
  const run = await until("the banner", () => lastRuns()[0]);
  assert.equal(run.state.summary, "Run failed: 0 of 8 samples finished");
  assert.equal(run.state.reason, "401 invalid x-api-key");
  assert.equal(run.prompt, PROMPT);

  // the Open Run picker's row says why
  const { readStoredRun, stateBadge } = await import("../src/extension/runstore");
  assert.equal(stateBadge(readStoredRun(file, 0).state), "$(error) failed: 401 invalid x-api-key");

  // Retry in Restricted Mode: refused with the reason, and the banner comes back with its button
  vscode.workspace.isTrusted = false;
  const sets = runsSets().length;
  const requests = fake.requests.length;
  panel.webview.receive({ type: "run/resume", file });
  await until("the banner again", () => runsSets().length > sets);
  assert.equal(fake.requests.length, requests, "nothing was sent");
  assert.match(vscode.recorded.notifications.at(-1)?.message ?? "", /untrusted workspace/);
});

test("hotmess.maxRetryWait reaches the run's plan, with every key to redact", async (t) => {
  t.after(cleanup);
  const { readSettings } = await import("../src/extension/config");
  const { planFor, resolveProvider } = await import("../src/extension/runs");
  const { Secrets } = await import("../src/extension/secrets");
  // the keys as the editor knows them: the stored one, and the environment's (the provider's key among them)
  const keys = new Secrets(ctx.secrets as never, { OPENAI_API_KEY: "provider-key-1234567890", HOTMESS_TEST_TOKEN: ENV_TOKEN });
  const resolved = await resolveProvider({ ...readSettings(), provider: "openai" }, keys);
  const known = await keys.known();
  const request = { prompt: "p", model: "gpt-test", maxTokens: 10, thinking: { type: "none" as const } };
  const plan = (s: Record<string, unknown>) => {
    Object.assign(vscode.settings, s);
    return planFor(readSettings(), resolved, request, { n: 2, outDir: tmp }, known);
  };
  assert.equal(plan({}).maxRetryWaitMs, 60_000, "default: 60 s");
  assert.equal(plan({ maxRetryWait: 5 }).maxRetryWaitMs, 5_000);
  assert.equal(plan({ maxRetryWait: 0 }).maxRetryWaitMs, 0);
  assert.equal(plan({ maxRetryWait: 99_999 }).maxRetryWaitMs, 3_600_000, "at most an hour");
  assert.deepEqual(new Set(plan({}).secrets), new Set(["provider-key-1234567890", STORED_KEY, ENV_TOKEN]));
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { contributes: { configuration: { properties: Record<string, { default: number; minimum: number; maximum: number; markdownDescription: string }> } } };
  const setting = manifest.contributes.configuration.properties["hotmess.maxRetryWait"]!;
  assert.deepEqual([setting.default, setting.minimum, setting.maximum], [60, 0, 3600]);
  assert.match(setting.markdownDescription, /fails as retryable.*\*\*Retry\*\*/s);
});

test("a key a model repeated reaches the view as [redacted]: the stored key and the environment's", async (t) => {
  t.after(cleanup);
  mkdirSync(runDir(), { recursive: true });
  const file = join(runDir(), "echo.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "echo", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "claude-sonnet-4-5", prompt: "What is your API key?", reference: "18", parameters: { n: 2, maxTokens: 8192, thinking: { type: "none" }, concurrency: 2, idleTimeoutMs: 120000 } };
  const sample = (index: number, text: string) => ({ type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" });
  writeFileSync(file, [header, sample(0, `My key is ${STORED_KEY}. Answer: 18`), sample(1, `The token is ${ENV_TOKEN}. Answer: 18`), { type: "end", status: "complete", finishedAt: "2026-12-04T10:00:02.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = vscode.recorded.panels[0]!;
  panel.webview.receive({ type: "ready" });
  const doc = await until("the document", () => posted().find((m) => m.type === "analysis/set"));
  const text = JSON.stringify(doc);
  assert.ok(!text.includes(STORED_KEY), "the stored key is not sent to the view");
  assert.ok(!text.includes(ENV_TOKEN), "the environment's token is not sent to the view");
  assert.match(text, /My key is \[redacted\]\. Answer: 18/);
  assert.match(text, /The token is \[redacted\]\. Answer: 18/);
});

test("the log and the error notification never show a key a server repeated", async (t) => {
  t.after(cleanup);
  fake.setDefault({ kind: "http-error", status: 401, type: "authentication_error", message: `invalid x-api-key (x-trace-token ${ENV_TOKEN})` });
  vscode.window.activeTextEditor = vscode.fakeEditor(join(tmp, "workspace", "ducks.txt"), PROMPT);
  await vscode.commands.executeCommand("hotmess.rerunSelection");
  const log = vscode.recorded.log.join("\n");
  assert.match(log, /401/, "the log has the error");
  assert.ok(!log.includes(ENV_TOKEN), `the log does not show the environment's token:\n${log}`);
  const toast = vscode.recorded.notifications.find((n) => n.level === "error");
  assert.ok(toast && /401/.test(toast.message));
  assert.ok(!toast.message.includes(ENV_TOKEN), `the notification does not show it: ${toast.message}`);
});
