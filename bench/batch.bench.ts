// Batch benchmark: a sweep of 1,000 prompts × 30 reruns (30,000 requests) built, split at the
// provider's limits, submitted through the real SDK to the fake batch server on 127.0.0.1
// (test/fakes/anthropic-batches.ts, test/fakes/openai-batches.ts), polled until it ends (two
// polls in progress), and its results streamed back and mapped one at a time (each with a ~2 KB
// trace: ~120 MB of results, never held whole). Printed: the time of each phase, the peak RSS of
// the process (fake server included; bound 400 MB) and how much the JS heap grew while the
// results streamed (bound 32 MB: what held them all would grow by their size).
// Each provider runs in a fresh child process so that its peak RSS is its own.
import { spawnSync } from "node:child_process";
import type { BatchRequest } from "../src/sampling/batch";

type Case = "anthropic" | "openai";
const PROMPTS = 1000;
const RERUNS = 30;
const BOUND_MB = 400;
const HEAP_GROWTH_MB = 32;

async function child(which: Case): Promise<void> {
  const { splitAnthropicBatches, AnthropicBatchClient } = await import("../src/sampling/batch-anthropic");
  const { splitOpenAIBatches, OpenAIBatchClient } = await import("../src/sampling/batch-openai");
  const trace = "Try 8 / (3 - 8 / 3) = 8 / (1/3) = 24. Check each number is used once: 8, 3, 8, 3. ".repeat(24);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  // the sweep: 1,000 Game-of-24-like prompts, 30 reruns each
  const requests: BatchRequest[] = [];
  for (let p = 0; p < PROMPTS; p++) {
    const nums = [1 + (p % 13), 1 + ((p * 7) % 13), 1 + ((p * 11) % 13), 1 + ((p * 5) % 13)];
    const request = { prompt: `Use the numbers ${nums.join(", ")} and + - * / to make 24. Each number once. Give the expression on the last line as "Answer: …".`, system: "You are careful with arithmetic.", model: which === "anthropic" ? "claude-sonnet-4-5" : "gpt-5-mini", maxTokens: 8000, thinking: { type: "budget" as const, budgetTokens: 4096 } };
    for (let k = 0; k < RERUNS; k++) requests.push({ customId: `p${p}-r${k}`, request });
  }
  let fake: { url: string; close(): Promise<void> };
  let client: InstanceType<typeof AnthropicBatchClient> | InstanceType<typeof OpenAIBatchClient>;
  let parts: BatchRequest[][];
  if (which === "anthropic") {
    const { startFakeAnthropicBatches } = await import("../test/fakes/anthropic-batches");
    fake = await startFakeAnthropicBatches({ record: false, pollsInProgress: 2, outcome: (id) => (id.endsWith("-r29") ? { type: "errored", errorType: "overloaded_error", message: "Overloaded" } : { type: "succeeded", thinking: trace, text: "Answer: 8 / (3 - 8 / 3)", inputTokens: 60, outputTokens: 700 }) });
    client = new AnthropicBatchClient({ apiKey: "bench", baseURL: fake.url });
    parts = splitAnthropicBatches(requests);
  } else {
    const { startFakeOpenAIBatches } = await import("../test/fakes/openai-batches");
    fake = await startFakeOpenAIBatches({ record: false, pollsInProgress: 2, outcome: (id) => (id.endsWith("-r29") ? { type: "errored", status: 500, errorType: "server_error", message: "The server had an error processing your request." } : { type: "succeeded", text: `<think>${trace}</think>Answer: 8 / (3 - 8 / 3)`, promptTokens: 60, completionTokens: 700 }) });
    client = new OpenAIBatchClient({ apiKey: "bench", baseURL: `${fake.url}/v1` });
    parts = splitOpenAIBatches(requests);
  }
  const tBuilt = performance.now();
  const ids: string[] = [];
  for (const part of parts) ids.push((await client.submit(part)).batchId);
  const tSubmitted = performance.now();
  let polls = 0;
  for (const id of ids) {
    for (;;) {
      polls++;
      if ((await client.status(id)).state === "ended") break;
    }
  }
  const tEnded = performance.now();
  requests.length = 0; // what is left to hold: the results, one at a time
  const rssBeforeResults = process.memoryUsage().rss;
  let ok = 0;
  let errored = 0;
  let outputTokens = 0;
  let traceChars = 0;
  let resultBytes = 0;
  let peakSampled = 0;
  let peakHeap = 0;
  const heapBeforeResults = process.memoryUsage().heapUsed;
  for (const id of ids) {
    for await (const r of client.results(id)) {
      if (r.ok) {
        ok++;
        outputTokens += r.ok.usage.outputTokens;
        traceChars += r.ok.thinking.length;
      } else errored++;
      resultBytes += JSON.stringify(r).length;
      if ((ok + errored) % 500 === 0) {
        const m = process.memoryUsage();
        peakSampled = Math.max(peakSampled, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
  }
  const tDone = performance.now();
  await fake.close();
  console.log(
    JSON.stringify({
      which,
      requests: PROMPTS * RERUNS,
      batches: parts.length,
      polls,
      ok,
      errored,
      outputTokens,
      traceMB: traceChars / 1024 / 1024,
      buildMs: tBuilt - t0,
      submitMs: tSubmitted - tBuilt,
      pollMs: tEnded - tSubmitted,
      resultsMs: tDone - tEnded,
      totalMs: tDone - t0,
      rssStartMB: rssBefore / 1024 / 1024,
      rssBeforeResultsMB: rssBeforeResults / 1024 / 1024,
      rssDuringResultsMB: peakSampled / 1024 / 1024,
      heapBeforeResultsMB: heapBeforeResults / 1024 / 1024,
      heapDuringResultsMB: peakHeap / 1024 / 1024,
      resultsMB: resultBytes / 1024 / 1024,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function main(): void {
  const lines = [["provider", "requests", "batches", "results", "build", "submit", "poll", "results streamed", "total", "peak RSS", "verdict"]];
  let missed = 0;
  for (const which of ["anthropic", "openai"] as Case[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, which], { encoding: "utf8" });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const x = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number | string>;
    const n = (k: string) => x[k] as number;
    const growth = n("heapDuringResultsMB") - n("heapBeforeResultsMB");
    const good = n("ok") + n("errored") === n("requests") && n("errored") === PROMPTS && n("maxRssMB") < BOUND_MB && growth < HEAP_GROWTH_MB;
    if (!good) missed++;
    lines.push([
      String(which),
      String(n("requests")),
      String(n("batches")),
      `${n("ok")} ok, ${n("errored")} errored; ${n("traceMB").toFixed(0)} MB of traces`,
      `${(n("buildMs") / 1000).toFixed(2)} s`,
      `${(n("submitMs") / 1000).toFixed(2)} s`,
      `${(n("pollMs") / 1000).toFixed(2)} s (${n("polls")} polls)`,
      `${(n("resultsMs") / 1000).toFixed(2)} s, ${n("resultsMB").toFixed(0)} MB mapped; heap +${growth.toFixed(0)} MB, RSS ${n("rssBeforeResultsMB").toFixed(0)} → ${n("rssDuringResultsMB").toFixed(0)} MB`,
      `${(n("totalMs") / 1000).toFixed(2)} s`,
      `${n("maxRssMB").toFixed(0)} MB`,
      good ? "ok" : "MISSED",
    ]);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(`\nBatch sweep: ${PROMPTS} prompts × ${RERUNS} reruns (real SDKs → fake batch servers on 127.0.0.1; results streamed, never held whole)\n`);
  for (const [i, l] of lines.entries()) {
    console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log(`(peak RSS is the whole process: node, tsx, the SDK and the fake server, the 30k-request submit body included; targets: peak RSS < ${BOUND_MB} MB, heap growth while the results stream < ${HEAP_GROWTH_MB} MB)`);
  console.log(missed ? `\n${missed} target(s) MISSED` : "\nall batch targets met");
}

if (process.argv[2]) child(process.argv[2] as Case).catch((e) => {
  console.error(e);
  process.exit(1);
});
else main();
