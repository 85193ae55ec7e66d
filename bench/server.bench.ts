// Language-server benchmark: a 1,000-line prompt file (100 prompts) and 200 run files in the
// workspace's run store; the server runs as `node --import tsx src/server/server.ts --stdio` and
// is driven through the real protocol, as an editor would:
//   1. start-up: initialize, open the file, until every prompt with a run shows its figures;
//   2. per edit (200 small edits, each changing one prompt's text and then changing it back, so
//      half the time a prompt is "stale"): the code lenses, the inlay hints and the diagnostics
//      of that version, each timed from its request (diagnostics: from the didChange that
//      causes them) to the answer; target: p95 < 20 ms each;
//   3. a run file that grows by one sample: the time until the server asks for a refresh.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CodeLensRefreshRequest,
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlayHintRefreshRequest,
  InlayHintRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { mulberry32 } from "../src/core";
import { promptHash } from "../src/sampling/store";

const PROMPTS = 100;
const RUNS = 200;
const EDITS = 200;
const SAMPLES = 12;
const TARGET_MS = 20;

const rng = mulberry32;

interface Problem {
  id: string;
  lines: string[];
  a: number;
  b: number;
  c: number;
}

/** Ten lines a prompt: front matter (4), a five-line word problem, the separator. */
function problem(k: number): Problem {
  const a = 10 + ((k * 7) % 40);
  const b = 3 + ((k * 5) % 17);
  const c = 2 + ((k * 3) % 11);
  return {
    id: `farm-${k}`,
    a,
    b,
    c,
    lines: [
      `A farmer has ${a} apples in the barn on day ${k}.`,
      `She buys ${b} more apples at the market,`,
      `then gives ${c} apples to her neighbour.`,
      `Think step by step, and show each computation on its own line.`,
      `How many apples does she have left? End with "Answer: N".`,
    ],
  };
}

/** A rerun of a problem: mostly right, sometimes a slip in one step. */
function trace(p: Problem, r: () => number): { thinking: string; text: string } {
  const slip = r();
  const s = p.a + p.b + (slip < 0.15 ? 1 : 0);
  const left = slip > 0.85 ? s + p.c : s - p.c;
  const steps = [
    `She starts with ${p.a} apples.`,
    `After the market: ${p.a} + ${p.b} = ${s}.`,
    slip > 0.85 ? `She receives ${p.c} more: ${s} + ${p.c} = ${left}.` : `After giving some away: ${s} - ${p.c} = ${left}.`,
    `Let me check: ${left} apples remain in the barn.`,
  ];
  return { thinking: steps.join("\n"), text: `Answer: ${left}` };
}

function runFile(dir: string, p: Problem, user: string, i: number, created: Date, source: { file: string; prompt: number; id: string }): string {
  const r = rng(i + 1);
  const header = {
    type: "header",
    schema: "hotmess.run/1",
    id: `${p.id}-run-${i}`,
    createdAt: created.toISOString(),
    tool: { name: "bench", version: "0" },
    provider: "simulated",
    model: "bench-model",
    prompt: user,
    reference: p.a + p.b - p.c,
    promptHash: promptHash(user),
    source,
    parameters: { n: SAMPLES, maxTokens: 8192, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 },
  };
  const lines = [JSON.stringify(header)];
  for (let s = 0; s < SAMPLES; s++) {
    const t = trace(p, r);
    lines.push(JSON.stringify({ type: "sample", index: s, text: t.text, thinking: t.thinking, redactedThinking: 0, usage: { inputTokens: 60, outputTokens: 80 }, costUsd: 0, latencyMs: 100, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: created.toISOString() }));
  }
  lines.push(JSON.stringify({ type: "end", status: "complete", finishedAt: created.toISOString() }));
  const file = join(dir, `${created.toISOString().replace(/[:.]/g, "-")}-${p.id}-${i}.jsonl`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main() {
  const folder = mkdtempSync(join(tmpdir(), "hotmess-lsp-bench-"));
  const runs = join(folder, ".hotmess", "runs");
  mkdirSync(runs, { recursive: true });
  const problems = Array.from({ length: PROMPTS }, (_, k) => problem(k));
  const text = problems.map((p) => ["---", `id: ${p.id}`, `reference: ${p.a + p.b - p.c}`, "---", ...p.lines].join("\n")).join("\n===\n") + "\n";
  const lineCount = text.split("\n").length;
  const promptFile = join(folder, "prompts.prompt");
  writeFileSync(promptFile, text);
  const uri = pathToFileURL(promptFile).href;
  // two runs a prompt: an older one of an earlier wording, and the latest of the current text
  const t0 = Date.parse("2026-11-01T00:00:00Z");
  let lastRun = "";
  for (let i = 0; i < RUNS; i++) {
    const k = i % PROMPTS;
    const p = problems[k]!;
    const older = i < PROMPTS;
    const user = older ? p.lines.join("\n").replace("apples", "pears") : p.lines.join("\n");
    lastRun = runFile(runs, p, user, i, new Date(t0 + i * 60_000), { file: "prompts.prompt", prompt: k, id: p.id });
  }

  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "src", "server", "server.ts"), "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let refreshes = 0;
  let onRefresh: (() => void) | null = null;
  const diagnosticsWaiters = new Map<number, (n: number) => void>();
  conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ({})));
  conn.onRequest(CodeLensRefreshRequest.type, () => {
    refreshes++;
    onRefresh?.();
  });
  conn.onRequest(InlayHintRefreshRequest.type, () => {});
  conn.onRequest(RegistrationRequest.type, () => {});
  conn.onNotification("window/logMessage", () => {});
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.version !== undefined) diagnosticsWaiters.get(p.version)?.(p.diagnostics.length);
  });
  conn.listen();

  const started = performance.now();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: "bench" }],
    capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await conn.sendNotification(InitializedNotification.type, {});
  let version = 1;
  await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "hotmess-prompt", version, text } });
  const lensRange = { textDocument: { uri } };
  const hintRange = { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lineCount, character: 0 } } };
  // start-up: until every prompt shows its latest run's figures
  let ready = 0;
  while (true) {
    const lenses = (await conn.sendRequest(CodeLensRequest.type, lensRange)) ?? [];
    ready = lenses.filter((l) => l.command?.title.includes("incoherence")).length;
    if (ready === PROMPTS) break;
    if (performance.now() - started > 60_000) throw new Error(`only ${ready} of ${PROMPTS} prompts show figures after 60 s`);
    await new Promise<void>((r) => {
      onRefresh = r;
      setTimeout(r, 200);
    });
    onRefresh = null;
  }
  const startup = performance.now() - started;

  const lens: number[] = [];
  const hint: number[] = [];
  const diag: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    // prompt k's first body line: add a word, then take it away again
    const k = Math.floor(i / 2) % PROMPTS;
    const line = k * 10 + 4;
    const at = problems[k]!.lines[0]!.length;
    const change = i % 2 === 0 ? { range: { start: { line, character: at }, end: { line, character: at } }, text: " Today" } : { range: { start: { line, character: at }, end: { line, character: at + 6 } }, text: "" };
    version++;
    const v = version;
    const tEdit = performance.now();
    const diagnosed = new Promise<number>((r) => diagnosticsWaiters.set(v, () => r(performance.now())));
    await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: v }, contentChanges: [change] });
    const tLens = performance.now();
    const lenses = await conn.sendRequest(CodeLensRequest.type, lensRange);
    const tHint = performance.now();
    const hints = await conn.sendRequest(InlayHintRequest.type, hintRange);
    const tDone = performance.now();
    const tDiag = await diagnosed;
    diagnosticsWaiters.delete(v);
    lens.push(tHint - tLens);
    hint.push(tDone - tHint);
    diag.push(tDiag - tEdit);
    total.push(Math.max(tDone, tDiag) - tEdit);
    const staleNow = i % 2 === 0;
    if ((lenses ?? []).length !== 2 * PROMPTS || (hints ?? []).length !== PROMPTS) throw new Error(`edit ${i}: ${lenses?.length} lenses, ${hints?.length} hints`);
    const title = lenses![2 * k]!.command!.title;
    if (staleNow !== title.includes("stale")) throw new Error(`edit ${i}: prompt ${k} should${staleNow ? "" : " not"} be stale: ${title}`);
  }

  // a run that grows by one sample (the latest run of the last prompt)
  const before = refreshes;
  const tAppend = performance.now();
  const grown = new Promise<number>((r) => (onRefresh = () => r(performance.now())));
  appendFileSync(lastRun, JSON.stringify({ type: "sample", index: SAMPLES, text: "Answer: 1", thinking: "1 + 0 = 1", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: new Date().toISOString() }) + "\n");
  const refreshMs = (await grown) - tAppend;
  if (refreshes <= before) throw new Error("no refresh after the run grew");

  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  conn.dispose();
  child.kill();
  rmSync(folder, { recursive: true, force: true });

  const row = (name: string, xs: number[]) => `  ${name.padEnd(26)} ${pct(xs, 0.5).toFixed(2).padStart(7)} ${pct(xs, 0.95).toFixed(2).padStart(7)} ${Math.max(...xs).toFixed(2).padStart(7)}   ${pct(xs, 0.95) < TARGET_MS ? "ok" : "SLOW"}`;
  console.log(`Language server: a ${lineCount}-line prompt file (${PROMPTS} prompts), ${RUNS} run files of ${SAMPLES} samples, ${EDITS} edits, over stdio`);
  console.log(`  start-up (initialize → every prompt shows its figures): ${startup.toFixed(0)} ms`);
  console.log(`  per request, ms            ${"p50".padStart(7)} ${"p95".padStart(7)} ${"max".padStart(7)}   target p95 < ${TARGET_MS} ms`);
  console.log(row(`codeLens (${2 * PROMPTS} lenses)`, lens));
  console.log(row(`inlayHint (${PROMPTS} hints)`, hint));
  console.log(row("diagnostics (didChange →)", diag));
  console.log(row("all three after an edit", total));
  console.log(`  a run file grows by one sample: refresh requested ${refreshMs.toFixed(0)} ms after the write`);
  if ([lens, hint, diag].some((xs) => pct(xs, 0.95) >= TARGET_MS)) process.exitCode = 1;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
