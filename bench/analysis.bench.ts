// `npm run bench`: how fast and how big the analysis is, against the targets of the issue.
//
// For one prompt with 10, 100 and 1,000 synthetic reruns of about 20 steps each (bench/
// generate.ts), and for the shared real fixture (50 prompts × 100 reruns) when it is present:
//   - baseline: JSON.parse of every line + segment() of every trace + every step normalised and
//     split into tokens (bench/measure.ts), the floor any analysis pays;
//   - analysis: analyzeTraceSet(text) with default options (1000 bootstrap resamples);
//   - both timed in this process, median of several repetitions after a warm-up;
//   - peak memory of each, measured in a fresh child process (bench/worker.ts) doing the work
//     once: the child's peak RSS, and the highest heap V8 reported at a GC or at the end.
// Targets (2-core machine): 100 traces < 200 ms; 1,000 traces < 3 s and ≤ 20× the baseline;
// growth from 100 to 1,000 near-linear (exponent < 1.3). A missed target prints MISSED and
// still exits 0; anything that crashes exits 1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_DIR, findFixture, fmtMs, median, REPO_ROOT, table, timeOnce } from "./common";
import { generateTraceSet } from "./generate";
import { analyze, parseAndTokenize, type BaselineResult } from "./measure";
import type { Analysis } from "../src/core/types";

const SIZES = [10, 100, 1000] as const;
/** Timed repetitions after the warm-up: more for the small sizes, where noise is larger. */
const REPS: Record<number, number> = { 10: 9, 100: 9, 1000: 5 };
const FIXTURE_REPS = 5;
/** A row's timing loop stops adding repetitions past this (keeps the whole run near 2 minutes). */
const ROW_BUDGET_MS = 25_000;
const LINEAR_EXPONENT = 1.3;

interface Target {
  text: string;
  check(analysisMs: number, ratio: number): string[]; // what was missed
}
const TARGETS: Record<number, Target> = {
  100: { text: "< 200 ms", check: (ms) => (ms < 200 ? [] : [`${fmtMs(ms)} ms ≥ 200 ms`]) },
  1000: {
    text: "< 3 s, ≤ 20×",
    check: (ms, ratio) => [...(ms < 3000 ? [] : [`${fmtMs(ms)} ms ≥ 3000 ms`]), ...(ratio <= 20 ? [] : [`${ratio.toFixed(1)}× > 20×`])],
  },
};

// ---------- timing ----------

interface Timing {
  baselineMs: number;
  analysisMs: number;
  reps: number;
  baseline: BaselineResult;
  analysis: Analysis;
}

/** Warm-up of both, then baseline and analysis alternately, `reps` times (fewer if over budget). */
function timeRow(text: string, reps: number): Timing {
  const [wb, baseline] = timeOnce(() => parseAndTokenize(text));
  const [wa, analysis] = timeOnce(() => analyze(text));
  const affordable = Math.max(1, Math.floor(ROW_BUDGET_MS / Math.max(1, wb + wa)));
  const n = Math.min(reps, affordable);
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    b.push(timeOnce(() => parseAndTokenize(text))[0]);
    a.push(timeOnce(() => analyze(text))[0]);
  }
  return { baselineMs: median(b), analysisMs: median(a), reps: n, baseline, analysis };
}

// ---------- memory, in a fresh child process ----------

interface Memory {
  peakRssMB: number;
  /** Peak RSS of the process before the work (node + tsx + the input read). */
  startRssMB: number;
  /** The highest heap in use V8 reported during the work (at a GC), or at its end. */
  peakHeapMB: number;
  coldMs: number;
}

const GC_LINE = /:\s+[A-Za-z][A-Za-z() -]*?\s+([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

function measureMemory(mode: "baseline" | "analysis", file: string): Memory {
  const worker = join(BENCH_DIR, "worker.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--trace-gc", worker, mode, file], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`memory worker (${mode}, ${file}) exited with ${r.status ?? r.signal}:\n${r.stderr}`);
  const lines = r.stdout.split("\n");
  const start = lines.indexOf("@@START");
  const end = lines.indexOf("@@END");
  const resultLine = lines.find((l) => l.startsWith("@@RESULT "));
  if (start < 0 || end < start || !resultLine) throw new Error(`memory worker (${mode}) printed no result:\n${r.stdout.slice(-2000)}\n${r.stderr}`);
  const report = JSON.parse(resultLine.slice("@@RESULT ".length)) as {
    ms: number;
    maxRssMB: number;
    maxRssBeforeMB: number;
    heapUsedAfterMB: number;
  };
  let heap = report.heapUsedAfterMB;
  for (const l of lines.slice(start + 1, end)) {
    const m = GC_LINE.exec(l);
    if (m) heap = Math.max(heap, Number(m[1]));
  }
  return { peakRssMB: report.maxRssMB, startRssMB: report.maxRssBeforeMB, peakHeapMB: heap, coldMs: report.ms };
}

// ---------- printing ----------

/** Peak RSS, and in brackets how much it rose during the work itself. */
function rss(m: Memory): string {
  const d = m.peakRssMB - m.startRssMB;
  return `${m.peakRssMB.toFixed(1)} (${d >= 0.05 ? "+" : ""}${d.toFixed(1)})`;
}

interface Row {
  label: string;
  synthetic: boolean;
  traces: number;
  prompts: number;
  steps: number;
  timing: Timing;
  analysisMem: Memory;
  baselineMem: Memory;
  target: Target | null;
  missed: string[];
}

function describeSynthetic(a: Analysis): string {
  const p = a.prompts[0]!;
  const top = p.answers
    .slice(0, 4)
    .map((c) => `${c.key}${c.reference ? "*" : ""} ${((100 * c.count) / p.n).toFixed(0)}%`)
    .join(", ");
  return `${p.answers.length} answer classes (${top}${p.answers.length > 4 ? ", …" : ""}), ${p.columns.length} columns, fork at ${p.forkColumn ?? "none"}`;
}

// ---------- main ----------

function main(): void {
  const started = performance.now();
  console.log(`Hot Mess Inspector benchmark: node ${process.version}, ${availableParallelism()} CPUs, analysis with 1000 bootstrap resamples`);
  console.log(`times: median of N timed runs after one warm-up (in this process); memory: one run in a fresh child process\n`);

  const dir = mkdtempSync(join(tmpdir(), "hotmess-bench-"));
  const rows: Row[] = [];
  let fixtureNote: string | null = null;
  try {
    const jobs: { label: string; file: string; reps: number; target: Target | null; synthetic: boolean }[] = [];
    for (const n of SIZES) {
      const set = generateTraceSet({ n, seed: 20240611 });
      const file = join(dir, `synthetic-${n}.jsonl`);
      writeFileSync(file, set.text);
      jobs.push({ label: `${n}`, file, reps: REPS[n]!, target: TARGETS[n] ?? null, synthetic: true });
    }
    const fixture = findFixture();
    if (fixture) jobs.push({ label: "game24 fixture", file: fixture, reps: FIXTURE_REPS, target: null, synthetic: false });
    else fixtureNote = "skipped: no shared fixtures";

    for (const job of jobs) {
      const text = readFileSync(job.file, "utf8");
      const timing = timeRow(text, job.reps);
      const { baseline, analysis } = timing;
      if (analysis.prompts.length !== baseline.prompts) throw new Error(`${job.label}: analysis has ${analysis.prompts.length} prompts, input ${baseline.prompts}`);
      if (job.synthetic && analysis.skipped.length > 0) throw new Error(`${job.label}: the generated set has problems: ${analysis.skipped[0]!.message}`);
      const ratio = timing.analysisMs / timing.baselineMs;
      const analysisMem = measureMemory("analysis", job.file);
      const baselineMem = measureMemory("baseline", job.file);
      rows.push({
        label: job.label,
        synthetic: job.synthetic,
        traces: baseline.traces,
        prompts: baseline.prompts,
        steps: baseline.steps,
        timing,
        analysisMem,
        baselineMem,
        target: job.target,
        missed: job.target ? job.target.check(timing.analysisMs, ratio) : [],
      });
      const what = job.synthetic
        ? describeSynthetic(analysis)
        : `${baseline.prompts} prompts, ${analysis.skipped.length} lines skipped, ${analysis.prompts.reduce((s, p) => s + p.columns.length, 0)} columns in all`;
      console.log(`  ${job.label.padStart(14)}: ${timing.reps} timed runs; ${what}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The table.
  const header = ["traces", "steps total", "baseline ms", "analysis ms", "ratio", "peak RSS MB", "baseline RSS MB", "peak heap MB", "target", "verdict"];
  const right = [true, true, true, true, true, true, true, true, false, false];
  const body = rows.map((r) => [
    r.synthetic ? `${r.traces}` : `${r.label}: ${r.traces} (${r.prompts}×${r.prompts > 0 ? Math.round(r.traces / r.prompts) : 0})`,
    `${r.steps}`,
    fmtMs(r.timing.baselineMs),
    fmtMs(r.timing.analysisMs),
    `${(r.timing.analysisMs / r.timing.baselineMs).toFixed(1)}×`,
    rss(r.analysisMem),
    rss(r.baselineMem),
    r.analysisMem.peakHeapMB.toFixed(1),
    r.target ? r.target.text : "—",
    r.target ? (r.missed.length === 0 ? "ok" : `MISSED (${r.missed.join("; ")})`) : "—",
  ]);
  if (fixtureNote) body.push(["game24 fixture: —", "", "", "", "", "", "", "", "—", fixtureNote]);
  console.log("\n" + table(header, body, right));
  console.log(
    "(RSS is the whole child process, node + tsx + the input included; in brackets, how much it rose during the work." +
      "\n baseline RSS: the same for parse-and-tokenise only. peak heap: the highest V8 heap in use seen at a GC or at the end.)",
  );

  // Growth.
  const bySize = new Map(rows.filter((r) => r.synthetic).map((r) => [r.traces, r]));
  const per = SIZES.map((n) => {
    const r = bySize.get(n);
    return r ? `${n}: ${(r.timing.analysisMs / n).toFixed(3)} ms/trace` : `${n}: ?`;
  });
  console.log(`\ngrowth: time per trace ${per.join(", ")}`);
  const r100 = bySize.get(100);
  const r1000 = bySize.get(1000);
  let growthMissed = false;
  if (r100 && r1000) {
    const k = Math.log(r1000.timing.analysisMs / r100.timing.analysisMs) / Math.log(10);
    const kb = Math.log(r1000.timing.baselineMs / r100.timing.baselineMs) / Math.log(10);
    growthMissed = !(k < LINEAR_EXPONENT);
    console.log(
      `growth exponent 100 → 1000: ${k.toFixed(2)} (baseline ${kb.toFixed(2)}); ` +
        (growthMissed ? `MISSED: superlinear (≥ ${LINEAR_EXPONENT}), not near-linear` : `near-linear (< ${LINEAR_EXPONENT}): ok`),
    );
  }

  const missed = rows.filter((r) => r.missed.length > 0).length + (growthMissed ? 1 : 0);
  console.log(`\n${missed === 0 ? "all targets met" : `${missed} target(s) MISSED`} (bench took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

try {
  main();
  process.exitCode = 0;
} catch (e) {
  console.error(`bench crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
