// What the analysis benchmarks share: the real fixture's place, timing, and printing tables.
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const BENCH_DIR = __dirname;
export const REPO_ROOT = resolve(BENCH_DIR, "..");
const FIXTURE_REL = join("shared", "fixtures", "game24-gpt4-cot", "traces.jsonl");

/**
 * The shared Game-of-24 fixture: `../shared/fixtures/...` beside the repository (also through a
 * symlinked checkout), or `shared/fixtures/...` in any folder above it; HOTMESS_FIXTURES names
 * its folder directly.
 */
export function findFixture(): string | null {
  const candidates: string[] = [];
  const env = process.env.HOTMESS_FIXTURES;
  if (env) candidates.push(resolve(env, "game24-gpt4-cot", "traces.jsonl"), resolve(env, "traces.jsonl"));
  const roots = new Set([REPO_ROOT, process.cwd()]);
  try {
    roots.add(realpathSync(REPO_ROOT));
  } catch {
    // the repository path is what we have
  }
  for (const root of roots) {
    for (let dir = root; ; dir = dirname(dir)) {
      candidates.push(join(dir, FIXTURE_REL));
      if (dirname(dir) === dir) break;
    }
  }
  return candidates.find((p) => existsSync(p)) ?? null;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function timeOnce<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const out = fn();
  return [performance.now() - t0, out];
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const TAU_REL = join("shared", "fixtures", "tau-airline-gpt4o", "results.json");

/** The shared τ-bench airline fixture's results file, found as findFixture finds Game of 24. */
export function findTau(): string | null {
  const env = process.env.HOTMESS_FIXTURES;
  const candidates = env ? [resolve(env, "tau-airline-gpt4o", "results.json")] : [];
  for (const root of new Set([REPO_ROOT, realpathSync(REPO_ROOT), process.cwd()]))
    for (let dir = root; ; dir = dirname(dir)) {
      candidates.push(join(dir, TAU_REL));
      if (dirname(dir) === dir) break;
    }
  return candidates.find((p) => existsSync(p)) ?? null;
}
