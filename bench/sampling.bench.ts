// Sampling benchmark: the run engine with the real Anthropic SDK against the fake Messages
// server on 127.0.0.1 (test/fakes/anthropic.ts), recording to a run file as `hotmess run` does.
//   1. throughput: 64 samples, each answered in 300 ms, at concurrency 8 (ideal 8 × 0.3 s = 2.4 s);
//      target within 1.15× of ideal;
//   2. rate limits: the same with 20% of requests answered 429 (retry-after 0.2 s): all 64 arrive;
//   3. memory: 200 samples of 50 KB traces: peak RSS of the process (fake server included) under 300 MB.
// Each case runs in a fresh child process so that its peak RSS is its own.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Case = "throughput" | "ratelimit" | "memory";

async function child(which: Case): Promise<void> {
  const { startFakeAnthropic } = await import("../test/fakes/anthropic");
  const { AnthropicProvider } = await import("../src/sampling/anthropic");
  const { runSamples } = await import("../src/sampling/engine");
  const { RunWriter } = await import("../src/sampling/store");
  const dir = mkdtempSync(join(tmpdir(), "hotmess-bench-"));
  const fake = await startFakeAnthropic({ latencyMs: which === "memory" ? 5 : 300 });
  let requests = 0;
  let limited = 0;
  // a deterministic 20%: every fifth request is refused
  fake.setDefault((_r, i) => {
    requests++;
    if (which === "ratelimit" && i % 5 === 4) {
      limited++;
      return { kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "0.2" };
    }
    if (which === "memory") {
      const piece = "Let me check this step again: 16 - 3 = 13, then 13 - 4 = 9, and 9 * 2 = 18. ".repeat(10);
      return { kind: "ok", thinking: Array.from({ length: 66 }, () => piece), text: ["Answer: 18"], outputTokens: 12000 };
    }
    return { kind: "ok", thinking: ["16 - 3 = 13", " 13 - 4 = 9", " 9 * 2 = 18"], text: ["Answer: 18"] };
  });
  const provider = new AnthropicProvider({ apiKey: "bench", baseURL: fake.url });
  const writer = RunWriter.create(dir, {
    id: "bench",
    createdAt: new Date().toISOString(),
    tool: { name: "hotmess", version: "bench" },
    provider: "anthropic",
    model: "claude-haiku-4-5",
    prompt: "bench",
    parameters: { n: 0, maxTokens: 16000, thinking: { type: "budget", budgetTokens: 4096 }, concurrency: 8, idleTimeoutMs: 30000 },
  });
  const n = which === "memory" ? 200 : 64;
  const t0 = performance.now();
  const r = await runSamples({
    provider,
    request: { prompt: "bench", model: "claude-haiku-4-5", maxTokens: 16000, thinking: { type: "budget", budgetTokens: 4096 } },
    n,
    concurrency: 8,
    onEvent: (e) => {
      if (e.type === "sample") writer.sample(e.sample);
    },
  });
  const ms = performance.now() - t0;
  writer.end(r.status);
  writer.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  const traceKB = r.samples.length ? r.samples.reduce((s, x) => s + x.thinking.length, 0) / r.samples.length / 1024 : 0;
  console.log(JSON.stringify({ which, n, arrived: r.samples.length, failed: r.failures.length, ms, requests, limited, traceKB, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function main(): void {
  const rows: Record<string, number | string>[] = [];
  for (const which of ["throughput", "ratelimit", "memory"] as Case[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, which], { encoding: "utf8" });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    rows.push(JSON.parse(r.stdout.trim().split("\n").pop()!));
  }
  const [tp, rl, mem] = rows as { ms: number; arrived: number; n: number; requests: number; limited: number; failed: number; maxRssMB: number; traceKB: number }[];
  const ideal = 8 * 300;
  const lines = [
    ["case", "samples", "requests", "time", "target", "verdict"],
    ["64 × 300 ms at concurrency 8", `${tp!.arrived}/${tp!.n}`, String(tp!.requests), `${(tp!.ms / 1000).toFixed(2)} s (${(tp!.ms / ideal).toFixed(3)}× ideal 2.4 s)`, "≤ 1.15× ideal", tp!.ms <= 1.15 * ideal && tp!.arrived === 64 ? "ok" : "MISSED"],
    ["same, 20% answered 429 (retry-after 0.2 s)", `${rl!.arrived}/${rl!.n}`, `${rl!.requests} (${rl!.limited} × 429)`, `${(rl!.ms / 1000).toFixed(2)} s`, "all 64 arrive", rl!.arrived === 64 && rl!.failed === 0 ? "ok" : "MISSED"],
    ["200 samples of 50 KB traces", `${mem!.arrived}/${mem!.n}`, String(mem!.requests), `${(mem!.ms / 1000).toFixed(2)} s, ${mem!.traceKB.toFixed(0)} KB a trace, peak RSS ${mem!.maxRssMB.toFixed(0)} MB`, "< 300 MB", mem!.maxRssMB < 300 && mem!.arrived === 200 ? "ok" : "MISSED"],
  ];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log("\nSampling (real Anthropic SDK → fake Messages server on 127.0.0.1, recording a run file)\n");
  for (const [i, l] of lines.entries()) {
    console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log("(peak RSS is the whole process: node, tsx, the SDK and the fake server)");
  const missed = lines.slice(1).filter((l) => l[5] !== "ok").length;
  console.log(missed ? `\n${missed} target(s) MISSED` : "\nall sampling targets met");
}

if (process.argv[2]) child(process.argv[2] as Case).catch((e) => {
  console.error(e);
  process.exit(1);
});
else main();
