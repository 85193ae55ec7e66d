// Sweep benchmark: `hotmess run --prompts P.jsonl -n 30 --batch --yes` end to end for 1,000
// prompts × 30 reruns (30,000 requests): the prompts read, the sweep file written, the batch
// submitted through the real SDK to the fake batch server on 127.0.0.1, polled until it ends,
// every result streamed into the sweep file (each with a ~2 KB trace: ~60 MB of replies), then
// the sweep analysed from the file in two passes, one prompt at a time. Printed per provider:
// the time to submission, to collection, of the analysis, the sweep file's size, the peak RSS of
// the process (fake server included; bound 512 MB) and the live JS heap (measured after a full
// garbage collection) when the batch is submitted, when every result is collected, and after the
// analysis: what the sweep holds. Bound: the live heap grows by less than 32 MB from submission
// to collection — a sweep held whole would grow by its ~60 MB of replies and more.
// Each provider runs in a fresh child process so that its peak RSS is its own.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Case = "anthropic" | "openai";
const PROMPTS = 1000;
const RERUNS = 30;
const BOUND_MB = 512;
const HEAP_GROWTH_MB = 32;

async function child(which: Case): Promise<void> {
  const { RUN } = await import("../src/cli/commands");
  const { parseCommand } = await import("../src/cli/common");
  const { runCommand } = await import("../src/cli/run");
  const { analyzeSweepFile } = await import("../src/cli/main");
  const dir = mkdtempSync(join(tmpdir(), "hotmess-sweep-bench-"));
  const prompts = join(dir, "prompts.jsonl");
  const lines: string[] = [];
  for (let p = 0; p < PROMPTS; p++) {
    const nums = [1 + (p % 13), 1 + ((p * 7) % 13), 1 + ((p * 11) % 13), 1 + ((p * 5) % 13)];
    lines.push(JSON.stringify({ id: `puzzle-${p}`, prompt: `Use the numbers ${nums.join(", ")} and + - * / to make 24. Each number once. Give the expression on the last line as "Answer: …".`, reference: "8 / (3 - 8 / 3)", system: "You are careful with arithmetic." }));
  }
  writeFileSync(prompts, lines.join("\n") + "\n");
  const trace = "Try 8 / (3 - 8 / 3) = 8 / (1/3) = 24. Check each number is used once: 8, 3, 8, 3. ".repeat(24);
  // a reply's answer depends on the request: most right, some wrong in a few ways
  const answerOf = (id: string) => {
    const m = /_p(\d+)-r(\d+)$/.exec(id)!;
    const v = (Number(m[1]) * 31 + Number(m[2]) * 17) % 10;
    return v < 6 ? "8 / (3 - 8 / 3)" : v < 8 ? "8 * 3" : `${v} * 3`;
  };
  let fake: { url: string; close(): Promise<void> };
  let where: string[];
  if (which === "anthropic") {
    const { startFakeAnthropicBatches } = await import("../test/fakes/anthropic-batches");
    fake = await startFakeAnthropicBatches({ record: false, pollsInProgress: 2, outcome: (id) => (id.endsWith("-r29") ? { type: "errored", errorType: "overloaded_error", message: "Overloaded" } : { type: "succeeded", thinking: trace, text: `Answer: ${answerOf(id)}`, inputTokens: 60, outputTokens: 700 }) });
    where = ["--provider", "anthropic", "--model", "claude-sonnet-4-5", "--base-url", fake.url, "--thinking", "budget"];
  } else {
    const { startFakeOpenAIBatches } = await import("../test/fakes/openai-batches");
    // one text per answer, shared: the fake keeps each request's outcome until its results are read,
    // and 30,000 copies of a 2 KB trace would be the fake's memory, not the sweep's
    const texts = new Map<string, string>();
    const textOf = (a: string) => texts.get(a) ?? (texts.set(a, `<think>${trace}</think>Answer: ${a}`), texts.get(a)!);
    fake = await startFakeOpenAIBatches({ record: false, pollsInProgress: 2, outcome: (id) => (id.endsWith("-r29") ? { type: "errored", status: 500, errorType: "server_error", message: "The server had an error processing your request." } : { type: "succeeded", text: textOf(answerOf(id)), promptTokens: 60, completionTokens: 700 }) });
    where = ["--provider", "openai", "--model", "gpt-5-mini", "--base-url", `${fake.url}/v1`];
  }
  const marks: Record<string, number> = {};
  const heap: Record<string, number> = {};
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  /** The live heap: after a full collection. */
  const live = () => {
    gc();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  heap.start = live();
  let err = "";
  const io = {
    stdout: { write: () => true },
    stderr: {
      write: (t: string) => {
        err += t;
        if (/submitted: /.test(t) && marks.submitted === undefined) {
          marks.submitted = performance.now();
          heap.submitted = live();
        }
        if (/collected: /.test(t)) {
          marks.collected = performance.now();
          heap.collected = live();
        }
        return true;
      },
    },
    env: { ANTHROPIC_API_KEY: "bench", OPENAI_API_KEY: "bench" },
  };
  const out = join(dir, "runs");
  const t0 = performance.now();
  const code = await runCommand(parseCommand(["--prompts", prompts, "-n", String(RERUNS), ...where, "--max-tokens", "8000", "--batch", "--yes", "--poll", "0.01", "--out", out], RUN), io);
  const tDone = performance.now();
  heap.end = live();
  await fake.close();
  if (code !== 2) throw new Error(`the sweep exited ${code} (expected 2: partial, one request in 30 errored): ${err.slice(-2000)}`);
  const file = join(out, readdirSync(out)[0]!);
  const t1 = performance.now();
  const analysis = await analyzeSweepFile(file, {});
  const analysisMs = performance.now() - t1;
  console.log(
    JSON.stringify({
      which,
      requests: PROMPTS * RERUNS,
      submitMs: marks.submitted! - t0,
      collectMs: marks.collected! - marks.submitted!,
      endMs: tDone - marks.collected!,
      totalMs: tDone - t0,
      analysisMs,
      prompts: analysis.prompts.length,
      n: analysis.prompts[0]!.n,
      pooled: analysis.pooled?.brier?.estimate ?? null,
      fileMB: statSync(file).size / 1024 / 1024,
      heapStartMB: heap.start,
      heapSubmittedMB: heap.submitted,
      heapCollectedMB: heap.collected,
      heapEndMB: heap.end,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function main(): void {
  const rows = [["provider", "requests", "to submission", "polled + collected", "analysed (in the run)", "total", "analysis alone", "sweep file", "live heap: start → submitted → collected → end", "peak RSS", "verdict"]];
  let missed = 0;
  for (const which of ["anthropic", "openai"] as Case[]) {
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", __filename, which], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const x = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
    const growth = x.heapCollectedMB! - x.heapSubmittedMB!;
    const good = x.prompts === PROMPTS && x.n === RERUNS - 1 && x.maxRssMB! < BOUND_MB && growth < HEAP_GROWTH_MB;
    if (!good) missed++;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    rows.push([which, x.requests!.toLocaleString("en-US"), s(x.submitMs!), s(x.collectMs!), s(x.endMs!), s(x.totalMs!), `${s(x.analysisMs!)} (${x.prompts} prompts × ${x.n}, pooled ${x.pooled?.toFixed(3)})`, `${x.fileMB!.toFixed(0)} MB`, `${x.heapStartMB!.toFixed(0)} → ${x.heapSubmittedMB!.toFixed(0)} → ${x.heapCollectedMB!.toFixed(0)} → ${x.heapEndMB!.toFixed(0)} MB`, `${x.maxRssMB!.toFixed(0)} MB`, good ? "ok" : "MISSED"]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((l) => l[c]!.length)));
  console.log(`\nSweep end to end: hotmess run --prompts (${PROMPTS} prompts) -n ${RERUNS} --batch --yes → fake batch server → sweep file → analysis (one request in 30 errors)\n`);
  for (const [i, l] of rows.entries()) {
    console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log(`(peak RSS is the whole process: node, tsx, the SDK and the fake server; targets: peak RSS < ${BOUND_MB} MB, live heap growth from submission to collection < ${HEAP_GROWTH_MB} MB; the analysis's own working memory is garbage once the table is printed)`);
  console.log(missed ? `\n${missed} target(s) MISSED` : "\nall sweep targets met");
}

if (process.argv[2]) child(process.argv[2] as Case).catch((e) => {
  console.error(e);
  process.exit(1);
});
else main();
