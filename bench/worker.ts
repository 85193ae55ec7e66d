// One measurement in a fresh process, for peak memory: `node --import tsx --trace-gc
// bench/worker.ts baseline|analysis FILE`. Reads FILE, runs the work once, and prints one line
// `@@RESULT {json}` with this process's peak RSS and heap figures. The work is framed by
// `@@START` / `@@END` lines so the parent can pick out, from V8's --trace-gc lines, the heap
// sizes seen at each garbage collection during the work (the highest is the observed peak).
import { readFileSync } from "node:fs";
import { analyze, parseAndTokenize } from "./measure";

const MB = 1024 * 1024;

function main(): void {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== "baseline" && mode !== "analysis") || !file) throw new Error("usage: worker.ts baseline|analysis FILE");
  const text = readFileSync(file, "utf8");
  const before = process.memoryUsage();
  const maxRssBeforeKb = process.resourceUsage().maxRSS;
  process.stdout.write("@@START\n");
  const t0 = performance.now();
  const result = mode === "baseline" ? parseAndTokenize(text) : analyze(text);
  const ms = performance.now() - t0;
  process.stdout.write("@@END\n");
  const after = process.memoryUsage(); // taken while the result is still alive
  const report = {
    mode,
    ms,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    maxRssBeforeMB: maxRssBeforeKb / 1024,
    heapUsedBeforeMB: before.heapUsed / MB,
    heapUsedAfterMB: after.heapUsed / MB,
    heapTotalAfterMB: after.heapTotal / MB,
    prompts: typeof result.prompts === "number" ? result.prompts : result.prompts.length,
  };
  process.stdout.write("@@RESULT " + JSON.stringify(report) + "\n");
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
}
