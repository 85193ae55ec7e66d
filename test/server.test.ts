// The language server through the real protocol: a client in this process speaks LSP (JSON-RPC
// with Content-Length framing) to the server, in process over in-memory streams, or as
// `node dist/server.js --stdio` / `--node-ipc`. Runs are recorded with the simulated reasoner,
// and every figure a hint shows is checked against the analysis `hotmess analyze` prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import {
  CodeActionRequest,
  CodeLensRefreshRequest,
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  InlayHintRefreshRequest,
  InlayHintRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeLens,
  type Diagnostic,
  type InlayHint,
  type MarkupContent,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";
import { createConnection } from "vscode-languageserver/node";
import type { ServerSettings } from "../src/protocol/lsp";
import { PromptAtRequest, RunsChangedNotification } from "../src/protocol/lsp-messages";
import { startServer, type ServerOptions } from "../src/server/session";
import { RunIndex } from "../src/server/runindex";
import { loadAnalysis } from "../src/report/load";
import { benchmarkPrompts } from "../src/sampling/benchmark";
import { SimulatedProvider } from "../src/sampling/simulated";
import { recordRun } from "../src/sampling/record";
import { DEFAULT_PRICES } from "../src/sampling/prices";
import { promptHash } from "../src/sampling/store";
import type { PromptAnalysis, RunHeader } from "../src/core";
import { classLabel } from "../src/core/label";

const root = join(__dirname, "..");
const tool = { name: "test", version: "0" };
const f2 = (x: number) => x.toFixed(2);

/** A run of a benchmark prompt on the simulated reasoner, recorded into `dir` as `hotmess run` does. */
async function simulatedRun(dir: string, prompt: { prompt: string; reference: string; spec: NonNullable<RunHeader["benchmark"]> }, source?: RunHeader["source"], n = 8): Promise<{ file: string; analysis: PromptAnalysis }> {
  const recorded = await recordRun({
    provider: new SimulatedProvider({ tokensPerSecond: 0 }),
    providerName: "simulated",
    request: { prompt: prompt.prompt, model: "simulated-reasoner", maxTokens: 16000, thinking: { type: "none" } },
    n,
    concurrency: 4,
    idleTimeoutMs: 10_000,
    retries: 0,
    prices: DEFAULT_PRICES,
    reference: prompt.reference,
    benchmark: prompt.spec,
    outDir: dir,
    tool,
    ...(source ? { source } : {}),
  });
  // what `hotmess analyze FILE` shows (its defaults: 1000 resamples, seed 1)
  const analysis = loadAnalysis([recorded.file], { generator: tool }).analysis.prompts[0]!;
  return { file: recorded.file, analysis };
}

async function waitFor<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (true) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The editor's side: answers configuration, counts refresh requests, keeps the latest diagnostics. */
class Client {
  readonly refreshes = { codeLens: 0, inlayHint: 0 };
  readonly diagnostics = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
  config: Partial<ServerSettings> = {};
  configRequests = 0;
  private versions = new Map<string, number>();

  constructor(readonly connection: ProtocolConnection) {
    connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configRequests++;
      return params.items.map(() => ({ ...this.config }));
    });
    connection.onRequest(CodeLensRefreshRequest.type, () => {
      this.refreshes.codeLens++;
    });
    connection.onRequest(InlayHintRefreshRequest.type, () => {
      this.refreshes.inlayHint++;
    });
    connection.onRequest(RegistrationRequest.type, () => {});
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, { ...(p.version !== undefined ? { version: p.version } : {}), diagnostics: p.diagnostics });
    });
    connection.onNotification("window/logMessage", () => {});
    connection.listen();
  }

  async initialize(folder: string | null, initializationOptions?: object) {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri: folder === null ? null : pathToFileURL(folder).href,
      workspaceFolders: folder === null ? null : [{ uri: pathToFileURL(folder).href, name: basename(folder) }],
      capabilities: {
        workspace: { configuration: true, codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: { codeLens: {}, inlayHint: {}, hover: { contentFormat: ["markdown"] }, publishDiagnostics: { versionSupport: true } },
      },
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string) {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "hotmess-prompt", version: 1, text } });
  }

  async replace(uri: string, text: string) {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string) {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  lenses(uri: string): Promise<CodeLens[]> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }).then((l) => l ?? []);
  }

  hints(uri: string): Promise<InlayHint[]> {
    return this.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100_000, character: 0 } } }).then((h) => h ?? []);
  }

  async hover(uri: string, line: number): Promise<string | null> {
    const h = await this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 0 } });
    return h ? (h.contents as MarkupContent).value : null;
  }

  /** The diagnostics published for a version of a document (waits for them). */
  diagnosticsFor(uri: string, version: number): Promise<Diagnostic[]> {
    return waitFor(`diagnostics of ${uri} v${version}`, () => {
      const d = this.diagnostics.get(uri);
      return d && d.version === version ? d.diagnostics : undefined;
    });
  }
}

/** A server in this process and a client, joined by two in-memory streams (the real framing). */
function inProcess(options: ServerOptions = {}) {
  const up = new PassThrough();
  const down = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  const server = startServer(serverConnection, options);
  const client = new Client(createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up)));
  return {
    client,
    server,
    async close() {
      await client.connection.sendRequest(ShutdownRequest.type).catch(() => {});
      server.dispose();
      client.connection.dispose();
      serverConnection.dispose();
      up.end();
      down.end();
    },
  };
}

function workspace(): { folder: string; runs: string; promptFile: string; uri: string } {
  const folder = mkdtempSync(join(tmpdir(), "hotmess-lsp-"));
  mkdirSync(join(folder, "prompts"));
  const promptFile = join(folder, "prompts", "demo.prompt");
  return { folder, runs: join(folder, ".hotmess", "runs"), promptFile, uri: pathToFileURL(promptFile).href };
}

const [hard] = benchmarkPrompts(["hard"], 2); // a run of it forks (column 3 of its alignment)
const lastLineOf = (text: string) => text.split("\n").length - 1;

test("code lenses, inlay hints, hover, diagnostics and staleness follow the run store", async () => {
  const ws = workspace();
  mkdirSync(ws.runs, { recursive: true });
  const first = `---\nid: hard-2\nreference: x\n---\n${hard!.prompt}\n`;
  const second = `===\n---\nn: 4\n---\nsystem: You are terse.\nuser:\nWhat is 2 + 2?\n`;
  const text = first + second;
  writeFileSync(ws.promptFile, text);
  // watching only: the stat pass is off, so the watcher alone has to see the new run
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    const init = await client.initialize(ws.folder);
    assert.equal(init.serverInfo?.name, "hotmess-language-server");
    assert.ok(init.capabilities.codeLensProvider && init.capabilities.inlayHintProvider && init.capabilities.hoverProvider);
    await client.open(ws.uri, text);

    // no runs: ▶ Rerun ×N, N from the setting (8) or the front matter (4)
    let lenses = await client.lenses(ws.uri);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments]),
      [
        [0, "▶ Rerun ×8", "hotmess.rerunPrompt", [ws.uri, 0]],
        [lastLineOf(first) + 1, "▶ Rerun ×4", "hotmess.rerunPrompt", [ws.uri, 1]],
      ],
    );
    assert.ok(client.configRequests >= 1, "the settings are asked for with workspace/configuration");
    assert.deepEqual(await client.hints(ws.uri), []);
    assert.equal(await client.hover(ws.uri, 0), null);
    assert.deepEqual(await client.diagnosticsFor(ws.uri, 1), []);

    // a run of the first prompt arrives: the server asks for a refresh
    const before = { ...client.refreshes };
    const run = await simulatedRun(ws.runs, hard!, { file: "prompts/demo.prompt", prompt: 0, id: "hard-2" });
    await waitFor("workspace/codeLens/refresh", () => client.refreshes.codeLens > before.codeLens);
    await waitFor("workspace/inlayHint/refresh", () => client.refreshes.inlayHint > before.inlayHint);

    const b = run.analysis.brier!;
    const figure = `incoherence ${f2(b.estimate!)} [${f2(b.ci95![0])}–${f2(b.ci95![1])}]`;
    lenses = await client.lenses(ws.uri);
    assert.equal(lenses.length, 3);
    // the simulated reasoner's figures never show without saying so
    assert.equal(lenses[0]!.command!.title, `▶ Rerun ×8 · simulated · ${figure} · ${run.analysis.classes} answers`);
    assert.deepEqual(lenses[1]!.command, { title: "Open last run", command: "hotmess.openRunFile", arguments: [run.file] });
    assert.equal(lenses[1]!.range.start.line, 0);
    assert.equal(lenses[2]!.command!.title, "▶ Rerun ×4");

    // the inlay hint at the end of the front matter's first line (under the lens, seen without scrolling)
    const hints = await client.hints(ws.uri);
    assert.equal(hints.length, 1);
    const promptEnd = lastLineOf(first) - 1;
    assert.deepEqual(hints[0]!.position, { line: 1, character: "id: hard-2".length });
    const label = hints[0]!.label as { value: string; command?: { command: string; arguments?: unknown[] } }[];
    assert.equal(label[0]!.value, `simulated · ${figure}`);
    assert.deepEqual(label[0]!.command?.arguments, [run.file]);

    // the hover: decomposition, answers, fork step, and the link to the comparison
    const md = (await client.hover(ws.uri, promptEnd))!;
    assert.ok(md, "a hover on the prompt's last line");
    assert.equal(await client.hover(ws.uri, 0), md, "and on its first line");
    assert.equal(await client.hover(ws.uri, 6), null, "but not on every line of the prompt");
    assert.match(md, /\| bias² \| variance \| error \| incoherence \[95% CI\] \|/);
    assert.match(md, /`simulated-reasoner` \(simulated: no model was called, its answers are made up\)/);
    assert.ok(md.includes(`| ${b.bias2.toFixed(3)} | ${b.variance.toFixed(3)} | ${b.error.toFixed(3)} | ${b.estimate!.toFixed(3)} [${b.ci95![0].toFixed(3)}–${b.ci95![1].toFixed(3)}] |`), md);
    assert.ok(md.includes(`**Answers** (${run.analysis.classes} classes)`), md);
    const top = [...run.analysis.answers].filter((a) => a.count > 0).sort((x, y) => y.count - x.count)[0]!;
    assert.ok(md.includes(classLabel(top)), "the largest answer class is named (as the view names it)");
    const correct = run.analysis.answers.find((a) => a.reference)!.count;
    assert.ok(md.includes(`Reference answer \`${hard!.reference}\`: ${correct} of ${run.analysis.n} runs.`), md);
    const p = run.analysis;
    const col = p.columns[p.forkColumn!]!;
    const firstCell = col.cells.find((c) => c.group === 0)!;
    const forkText = p.runs[firstCell.run]!.steps[firstCell.step!]!.text;
    assert.ok(md.includes(`**Fork** at column ${p.forkColumn} of ${p.columns.length}`), md);
    assert.ok(md.includes(forkText.replace(/\s+/g, " ").trim().slice(0, 40)), `the fork step's text: ${forkText}`);
    assert.ok(md.includes(`](command:hotmess.openRunFile?${encodeURIComponent(JSON.stringify([run.file]))} `), "a command link that opens the run");

    // below the threshold (0.5): no warning; set it to 0.3 and the interval lies above it
    assert.ok(b.ci95![0] < 0.5 && b.ci95![0] > 0.3, `the test needs an interval from 0.3 to 0.5: ${b.ci95}`);
    assert.deepEqual(await client.diagnosticsFor(ws.uri, 1), []);
    client.config = { incoherenceWarningThreshold: 0.3 };
    client.diagnostics.delete(ws.uri);
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const warned = await client.diagnosticsFor(ws.uri, 1);
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!.severity, 2);
    assert.ok(warned[0]!.message.startsWith(`${figure} is above 0.3`), warned[0]!.message);
    assert.deepEqual(warned[0]!.range, { start: { line: 4, character: 0 }, end: { line: 4, character: hard!.prompt.split("\n")[0]!.length } });

    // the file is edited around the prompt: a new prompt above it; its hints follow it
    const above = `Say hello.\n===\n`;
    let v = await client.replace(ws.uri, above + text);
    lenses = await client.lenses(ws.uri);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command!.title]),
      [
        [0, "▶ Rerun ×8"],
        [2, `▶ Rerun ×8 · simulated · ${figure} · ${run.analysis.classes} answers`],
        [2, "Open last run"],
        [lastLineOf(above + first) + 1, "▶ Rerun ×4"],
      ],
    );
    assert.equal((await client.diagnosticsFor(ws.uri, v)).length, 1, "the warning moved with it");

    // the prompt itself changes: its figures are stale, and they no longer warn
    v = await client.replace(ws.uri, text);
    const body = first.split("\n");
    v = await client.edit(ws.uri, { start: { line: promptEnd, character: body[promptEnd]!.length }, end: { line: promptEnd, character: body[promptEnd]!.length } }, " Be brief.");
    lenses = await client.lenses(ws.uri);
    assert.equal(lenses[0]!.command!.title, `▶ Rerun ×8 · ⚠ stale · simulated · ${figure} · ${run.analysis.classes} answers`);
    assert.deepEqual(lenses[1]!.command!.arguments, [run.file]);
    const stale = await client.hints(ws.uri);
    assert.equal((stale[0]!.label as { value: string }[])[0]!.value, `⚠ stale · simulated · ${figure} (prompt changed since this run)`);
    assert.match((await client.hover(ws.uri, promptEnd))!, /⚠ \*\*stale\*\*/);
    assert.deepEqual(await client.diagnosticsFor(ws.uri, v), []);

    // hotmess/promptAt: what the client needs to rerun it
    const info = (await client.connection.sendRequest(PromptAtRequest.type, { textDocument: { uri: ws.uri }, position: { line: lastLineOf(first) + 3, character: 0 } }))!;
    assert.deepEqual([info.index, info.n, info.user, info.system, info.source, info.runDirectory], [1, 4, "What is 2 + 2?", "You are terse.", { file: "prompts/demo.prompt", prompt: 1 }, ws.runs]);
    assert.equal(info.hash, promptHash("What is 2 + 2?", "You are terse."));
    const info0 = (await client.connection.sendRequest(PromptAtRequest.type, { textDocument: { uri: ws.uri }, index: 0 }))!;
    assert.deepEqual(info0.lastRun, { file: run.file, stale: true });
    assert.deepEqual(info0.source, { file: "prompts/demo.prompt", prompt: 0, id: "hard-2" });
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});

test("a prompt whose last run failed, or partly failed: the lens, the hint and the hover say so and why, with Retry", async () => {
  const ws = workspace();
  mkdirSync(ws.runs, { recursive: true });
  const text = "Say hello.\n===\nWhat is 2 + 2?\n";
  writeFileSync(ws.promptFile, text);
  const header = (prompt: string, n: number) => ({ type: "header", schema: "hotmess.run/1", id: `r-${n}`, createdAt: new Date().toISOString(), tool, provider: "anthropic", model: "claude-sonnet-4-5", prompt, promptHash: promptHash(prompt), parameters: { n, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 } });
  const sample = (index: number) => ({ type: "sample", index, text: "Answer: 4", thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: new Date().toISOString() });
  const write = (name: string, lines: object[]) => {
    writeFileSync(join(ws.runs, name), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    return join(ws.runs, name);
  };
  // refused at once: no sample, the API's error on the end line (what the engine writes for a 401)
  const failed = write("failed.jsonl", [header("Say hello.", 8), { type: "end", status: "failed", message: "Anthropic answered 401 authentication_error: invalid x-api-key", finishedAt: new Date().toISOString() }]);
  const limited = { type: "failure", kind: "rate_limit", message: "Anthropic answered 429 rate_limit_error: Number of requests has exceeded your rate limit", attempts: 1, status: 429, retryable: true, retryAfterMs: 600_000 };
  const partial = write("partial.jsonl", [header("What is 2 + 2?", 8), ...[0, 1, 2, 3, 4].map(sample), ...[5, 6, 7].map((index) => ({ ...limited, index })), { type: "end", status: "partial", finishedAt: new Date().toISOString() }]);
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    await client.initialize(ws.folder);
    await client.open(ws.uri, text);
    // the summaries are computed in the background: ask until both runs are read
    let lenses = await client.lenses(ws.uri);
    for (const until = Date.now() + 10_000; (lenses.length < 4 || lenses.some((x) => /reading/.test(x.command?.title ?? ""))) && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 20));
      lenses = await client.lenses(ws.uri);
    }
    assert.deepEqual(
      lenses.map((l) => l.command!.title),
      ["▶ Rerun ×8 · ✖ last run failed: 401 invalid x-api-key", "Open last run", "▶ Rerun ×8 · disagreement 0.00 (no reference) · 1 answer · ⚠ 5 of 8 finished, 3 failed: 429 Number of requests has exceeded your rate limit", "Open last run"],
    );
    assert.deepEqual(lenses[1]!.command!.arguments, [failed]);
    const hints = await client.hints(ws.uri);
    // without a front matter, at the end of each prompt's first line
    assert.deepEqual(
      hints.map((h) => h.position),
      [
        { line: 0, character: "Say hello.".length },
        { line: 2, character: "What is 2 + 2?".length },
      ],
    );
    assert.deepEqual(hints.map((h) => (h.label as { value: string }[])[0]!.value), ["✖ last run failed: 401 invalid x-api-key", "disagreement 0.00 (no reference) · ⚠ 5 of 8 finished, 3 failed: 429 Number of requests has exceeded your rate limit"]);
    const md = (await client.hover(ws.uri, 0))!;
    assert.ok(md.includes("0 of 8 runs (failed)"), md);
    assert.ok(md.includes("✖ **Run failed: 0 of 8 samples finished**: `Anthropic answered 401 authentication_error: invalid x-api-key`"), md);
    assert.ok(!md.includes("no samples yet"), md);
    assert.ok(md.includes(`[Retry the run](command:hotmess.resumeRun?${encodeURIComponent(JSON.stringify([failed]))} `), md);
    const md2 = (await client.hover(ws.uri, 2))!;
    assert.ok(md2.includes("⚠ **Partial: 5 of 8 samples finished, 3 failed**: `Anthropic answered 429 rate_limit_error: Number of requests has exceeded your rate limit`"), md2);
    assert.ok(md2.includes("**Answers**"), "the figures of the finished samples are still there");
    assert.ok(md2.includes(`command:hotmess.resumeRun?${encodeURIComponent(JSON.stringify([partial]))}`), md2);
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});

test("a misspelt front-matter key: the diagnostic says which key it meant, and its quick fix writes it", async () => {
  const ws = workspace();
  const text = ["---", "refrence: 18", "Max-Tokens: 300", "temprature: 0.2", "colour: red", "---", "Hello!"].join("\n");
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    await client.initialize(ws.folder);
    await client.open(ws.uri, text);
    const d = await client.diagnosticsFor(ws.uri, 1);
    assert.deepEqual(
      d.map((x) => [x.range.start.line, x.message.replace(/ \(n, provider.*$/, "")]),
      [
        [1, 'unknown key "refrence": did you mean "reference"?'],
        [2, 'unknown key "Max-Tokens": did you mean "max_tokens"?'],
        [3, 'unknown key "temprature": did you mean "temperature"?'],
        [4, 'unknown key "colour": use n, provider, model, reference, answer, compare, temperature, thinking, thinking_budget, max_tokens, vars, id, tools'],
      ],
    );
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: ws.uri }, range: d[0]!.range, context: { diagnostics: d } })) as { title: string; isPreferred?: boolean; edit?: { changes?: Record<string, { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]> } }[];
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred]),
      [
        ['Change to "reference"', true],
        ['Change to "max_tokens"', true],
        ['Change to "temperature"', true],
      ],
    );
    const edit = actions[0]!.edit!.changes![ws.uri]![0]!;
    assert.deepEqual([edit.range.start, edit.range.end, edit.newText], [{ line: 1, character: 0 }, { line: 1, character: 8 }, "reference"]);
    // applied, the key is known
    const fixed = text.replace("refrence", "reference").replace("Max-Tokens", "max_tokens").replace("temprature", "temperature").replace("colour: red\n", "");
    const v = await client.replace(ws.uri, fixed);
    assert.deepEqual(await client.diagnosticsFor(ws.uri, v), []);
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});

test("front-matter problems are errors at their ranges; undefined variables are warnings", async () => {
  const ws = workspace();
  const text = ["---", "n: 0", "provider: nobody", "colour: red", "---", "Hello {{name}}!", "===", "---", "n: 2.5", "---", "Fine."].join("\n");
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    await client.initialize(ws.folder);
    await client.open(ws.uri, text);
    const d = await client.diagnosticsFor(ws.uri, 1);
    const got = d.map((x) => ({ line: x.range.start.line, from: x.range.start.character, to: x.range.end.character, severity: x.severity, message: x.message }));
    assert.deepEqual(
      got.map(({ message: _m, ...rest }) => rest),
      [
        { line: 1, from: 3, to: 4, severity: 1 },
        { line: 2, from: 10, to: 16, severity: 1 },
        { line: 3, from: 0, to: 6, severity: 1 },
        { line: 5, from: 6, to: 14, severity: 2 },
        { line: 8, from: 3, to: 6, severity: 1 },
      ],
    );
    assert.match(got[0]!.message, /^n must be a whole number/);
    assert.match(got[1]!.message, /^unknown provider "nobody"/);
    assert.match(got[2]!.message, /^unknown key "colour": use n, provider/);
    assert.match(got[3]!.message, /\{\{name\}\} is not defined/);
    assert.ok(d.every((x) => x.source === "hotmess"));
    // fixed, they go
    const v = await client.replace(ws.uri, text.replace("n: 0", "n: 3").replace("provider: nobody", "provider: simulated").replace("colour: red", "vars: { name: Ada }").replace("n: 2.5", "n: 2"));
    assert.deepEqual(await client.diagnosticsFor(ws.uri, v), []);
    const lenses = await client.lenses(ws.uri);
    assert.deepEqual(
      lenses.map((l) => l.command!.title),
      ["▶ Rerun ×3", "▶ Rerun ×2"],
    );
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});

test("hotmess/runsChanged, and the stat pass when nothing watches; the run directory setting", async () => {
  const ws = workspace();
  const text = `${hard!.prompt}\n`;
  writeFileSync(ws.promptFile, text);
  const store = join(ws.folder, "elsewhere");
  for (const mode of ["notification", "poll"] as const) {
    rmSync(store, { recursive: true, force: true });
    // the run directory does not exist yet; nothing watches it
    const { client, close } = inProcess({ index: { watch: false, pollIntervalMs: mode === "poll" ? 100 : 0 } });
    try {
      client.config = { runDirectory: "elsewhere" };
      await client.initialize(ws.folder);
      await client.open(ws.uri, text);
      assert.equal((await client.lenses(ws.uri))[0]!.command!.title, "▶ Rerun ×8");
      const run = await simulatedRun(store, hard!, undefined, 6);
      if (mode === "notification") {
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(client.refreshes.codeLens, 0, "nothing noticed the run by itself");
        await client.connection.sendNotification(RunsChangedNotification.type, { files: [run.file] });
      }
      await waitFor("workspace/codeLens/refresh", () => client.refreshes.codeLens > 0);
      const title = (await client.lenses(ws.uri))[0]!.command!.title;
      assert.ok(title.startsWith(`▶ Rerun ×8 · simulated · incoherence ${f2(run.analysis.brier!.estimate!)}`), `${mode}: ${title}`);
    } finally {
      await close();
    }
  }
  rmSync(ws.folder, { recursive: true, force: true });
});

test("without a workspace folder: the client's fallback run store, and the file's absolute path as its source", async () => {
  const ws = workspace();
  const store = join(ws.folder, "global-storage", "runs");
  const text = `${hard!.prompt}\n`;
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    await client.initialize(null, { fallbackRunDirectory: store });
    await client.open(ws.uri, text);
    const info = (await client.connection.sendRequest(PromptAtRequest.type, { textDocument: { uri: ws.uri }, index: 0 }))!;
    assert.deepEqual([info.runDirectory, info.source], [store, { file: ws.promptFile, prompt: 0 }]);
    mkdirSync(store, { recursive: true });
    const run = await simulatedRun(store, hard!, info.source!, 5);
    await client.connection.sendNotification(RunsChangedNotification.type, { files: [run.file] });
    await waitFor("workspace/codeLens/refresh", () => client.refreshes.codeLens > 0);
    const figure = `incoherence ${f2(run.analysis.brier!.estimate!)}`;
    assert.ok((await client.lenses(ws.uri))[0]!.command!.title.startsWith(`▶ Rerun ×8 · simulated · ${figure}`));
    await client.replace(ws.uri, text.replace("step by step", "one step at a time"));
    assert.ok((await client.lenses(ws.uri))[0]!.command!.title.startsWith(`▶ Rerun ×8 · ⚠ stale · simulated · ${figure}`));
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});

test("the run index reads a growing run file from where it left off, and other files not at all", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-index-"));
  try {
    const other = await simulatedRun(dir, hard!, undefined, 4);
    // a run being written: the header and two samples, then more as they finish
    const whole = (await simulatedRun(mkdtempSync(join(tmpdir(), "hotmess-index-src-")), benchmarkPrompts(["easy"], 3)[0]!, undefined, 6)).file;
    const lines = (await import("node:fs")).readFileSync(whole, "utf8").split("\n").filter(Boolean);
    const samples = lines.filter((l) => l.includes('"type":"sample"'));
    const end = lines.find((l) => l.includes('"type":"end"'))!;
    const live = join(dir, "live.jsonl");
    writeFileSync(live, [lines[0]!, samples[0]!, samples[1]!].join("\n") + "\n");
    const index = new RunIndex(dir, { watch: false, pollIntervalMs: 0 });
    let changes = 0;
    index.onDidChange(() => changes++);
    index.start();
    await waitFor("the first summaries", () => changes > 0 && !index.busy);
    const hash = JSON.parse(lines[0]!).promptHash as string;
    assert.equal(index.latest(hash)!.summary!.n, 2);
    assert.equal(index.latest(hash)!.summary!.status, "unfinished");
    assert.equal(index.latest(JSON.parse((await import("node:fs")).readFileSync(other.file, "utf8").split("\n")[0]!).promptHash)!.summary!.n, 4);
    assert.deepEqual({ ...index.stats, syncs: 0 }, { syncs: 0, headerReads: 2, fullReads: 2, tailReads: 0, summaries: 2 });

    // two more samples and half of a third (a line being written)
    const half = samples[4]!.slice(0, 50);
    appendFileSync(live, samples[2]! + "\n" + samples[3]! + "\n" + half);
    assert.equal(index.sync(), true);
    await waitFor("the grown run", () => index.latest(hash)!.summary!.n === 4 && !index.busy);
    assert.deepEqual({ ...index.stats, syncs: 0 }, { syncs: 0, headerReads: 2, fullReads: 2, tailReads: 1, summaries: 3 });
    // the rest of that line, the last sample and the end
    appendFileSync(live, samples[4]!.slice(50) + "\n" + samples[5]! + "\n" + end + "\n");
    index.sync();
    await waitFor("the finished run", () => index.latest(hash)!.summary!.status === "complete" && !index.busy);
    const s = index.latest(hash)!.summary!;
    assert.equal(s.n, 6);
    assert.equal(index.stats.tailReads, 2);
    assert.equal(index.stats.fullReads, 2, "neither file was read whole again");
    // the same figures as the analysis of the whole file
    const full = loadAnalysis([live], { generator: tool }).analysis.prompts[0]!;
    assert.equal(s.brier!.incoherence, full.brier!.incoherence);
    assert.deepEqual(s.brier!.ci95, full.brier!.ci95);
    assert.equal(index.latest(hash)!.retained, null, "a finished run keeps only its summary");
    // nothing changed: a stat pass reads nothing
    const reads = { ...index.stats };
    assert.equal(index.sync(), false);
    assert.deepEqual({ ...index.stats, syncs: 0 }, { ...reads, syncs: 0 });
    // a file removed is forgotten
    rmSync(other.file);
    assert.equal(index.sync(), true);
    assert.equal(index.size, 1);
    index.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** dist/server.js, built from the current sources with esbuild.mjs's options when it is missing or older. */
async function serverBundle(): Promise<string> {
  const out = join(root, "dist", "server.js");
  const newest = (dir: string): number => Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  const sources = Math.max(newest(join(root, "src", "server")), newest(join(root, "src", "core")), statSync(join(root, "src", "protocol", "lsp.ts")).mtimeMs);
  if (!existsSync(out) || statSync(out).mtimeMs < sources) {
    const { build } = await import("esbuild");
    await build({ entryPoints: [join(root, "src/server/server.ts")], outfile: out, bundle: true, sourcemap: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" });
  }
  return out;
}

async function roundTrip(client: Client, child: ChildProcess) {
  const ws = workspace();
  try {
    mkdirSync(ws.runs, { recursive: true });
    const text = `${hard!.prompt}\n`;
    const run = await simulatedRun(ws.runs, hard!, undefined, 5);
    const init = await client.initialize(ws.folder);
    assert.equal(init.serverInfo?.name, "hotmess-language-server");
    await client.open(ws.uri, text);
    // the first scan may still be summarising: the refresh it sends is the cue to ask again
    let title = "";
    for (const until = Date.now() + 10_000; !title.includes("incoherence") && Date.now() < until; await new Promise((r) => setTimeout(r, 20))) title = (await client.lenses(ws.uri))[0]?.command?.title ?? "";
    assert.ok(title.startsWith(`▶ Rerun ×8 · simulated · incoherence ${f2(run.analysis.brier!.estimate!)}`), title);
    await client.connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    await client.connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    client.connection.dispose();
    child.kill();
    rmSync(ws.folder, { recursive: true, force: true });
  }
}

test("node dist/server.js --stdio: initialize and a code lens round trip", async () => {
  const bundle = await serverBundle();
  const child = spawn(process.execPath, [bundle, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const client = new Client(createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!)));
  await roundTrip(client, child);
});

test("node dist/server.js --node-ipc (how VS Code starts it)", async () => {
  const bundle = await serverBundle();
  const child = fork(bundle, ["--node-ipc"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const client = new Client(createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child)));
  await roundTrip(client, child);
});

test("the server says how to start it", async () => {
  const bundle = await serverBundle();
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bundle], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("exit", (code) => resolve({ code, err }));
  });
  assert.equal(r.code, 2);
  assert.match(r.err, /--stdio \| --node-ipc/);
});

test("the lens says what changed since the prompt's previous version: the incoherence before → now, B − A with its interval, and opens both runs", async () => {
  const ws = workspace();
  mkdirSync(ws.runs, { recursive: true });
  const v1 = "What is 17 * 24 + 3? Think it through.";
  const v2 = "What is 17 * 24 + 3? Multiply first, then add. Give the number only.";
  writeFileSync(ws.promptFile, `---\nreference: 411\n---\n${v2}\n`);
  const run = (name: string, prompt: string, minutes: number, answers: number[]) => {
    const header = { type: "header", schema: "hotmess.run/1", id: `calc-${name}`, createdAt: new Date(Date.now() - minutes * 60_000).toISOString(), tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt, promptHash: promptHash(prompt), reference: "411", source: { file: "prompts/demo.prompt", prompt: 0 }, parameters: { n: answers.length, maxTokens: 100, thinking: { type: "none" }, concurrency: 4 } };
    const lines = [header, ...answers.map((a, i) => ({ type: "sample", index: i, text: `17 * 24 = 408\n408 + 3 = ${a}\nAnswer: ${a}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" })), { type: "end", status: "complete", finishedAt: new Date().toISOString() }];
    const f = join(ws.runs, `${name}.jsonl`);
    writeFileSync(f, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    return f;
  };
  // before: 3 of 10 right, the rest scattered (a hot mess); now: 9 of 10 right
  const before = run("v1", v1, 60, [411, 411, 411, 412, 405, 398, 421, 400, 388, 430]);
  const after = run("v2", v2, 1, [411, 411, 411, 411, 411, 411, 411, 411, 411, 410]);
  const { client, close } = inProcess({ index: { pollIntervalMs: 0 } });
  try {
    await client.initialize(ws.folder);
    await client.open(ws.uri, readFileSync(ws.promptFile, "utf8"));
    let since: CodeLens | undefined;
    for (let i = 0; i < 200 && !since; i++) {
      since = (await client.lenses(ws.uri)).find((l) => /^Δ since the previous version/.test(l.command?.title ?? ""));
      if (!since) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(since, `a lens of the change: ${JSON.stringify((await client.lenses(ws.uri)).map((l) => l.command?.title))}`);
    // the accuracy rose well beyond rerun noise; the incoherence rose too (the one miss left is all variance), within noise
    assert.match(since!.command!.title, /^Δ since the previous version: accuracy 30% → 90% \(\+60 pts \[\+\d+, \+\d+\]\) significant · incoherence 0\.67 → 1\.00 \(\+0\.33 \[−0\.\d\d, 0\.\d\d\]\) within rerun noise$/);
    assert.deepEqual(since!.command!.arguments, [before, after]);
    assert.equal(since!.command!.command, "hotmess.compareRuns");
  } finally {
    await close();
    rmSync(ws.folder, { recursive: true, force: true });
  }
});
