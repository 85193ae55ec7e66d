// `hotmess demo` (npm run demo): the optimizer-emulation benchmark at three difficulties on the
// simulated reasoner (offline, seeded, N = 16 each). What it prints first is what it shows, in
// one sentence with the analysis's figures: incoherence rising with the number of steps; then
// the per-step tables, and the comparison view written to out/demo/report.html, which opens on
// the per-step view of the longest problem. Then its agent part: the simulated tool-using agent
// (src/sampling/agent.ts) rerun 8 times on three airline-desk tasks, written as a trace set
// (out/demo/agent.jsonl) and analysed: where its runs' tool calls part, and why.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyzeRecords, longestProblem } from "../core";
import { simulateAgentSet } from "../sampling/agent";
import type { Io } from "./common";
import { benchOptions, printBenchmark, runBenchmark } from "./bench";
import { BENCH_DEFAULTS } from "./commands";
import { checkWritable, writeAnalysisOutputs } from "./io";
import { agentLines, styleFor } from "./table";

const AGENT_RUNS = 8;

export async function demo(io: Io, signal?: AbortSignal): Promise<number> {
  const root = resolve("out", "demo");
  const runsDir = join(root, "runs");
  checkWritable({ dirs: [runsDir] }); // before anything is removed or run
  rmSync(runsDir, { recursive: true, force: true }); // the demo's own earlier runs
  const started = Date.now();
  const settings = { ...BENCH_DEFAULTS, concurrency: 8, retries: 0, provider: "simulated", n: 16, out: runsDir };
  io.stderr.write(`hotmess demo: the optimizer-emulation benchmark on the simulated reasoner (offline; N = ${settings.n} per difficulty, seed ${settings.seed})\n`);
  const { analysis, code } = await runBenchmark(benchOptions(settings), io, signal);
  const report = join(root, "report.html");
  writeAnalysisOutputs(analysis, { html: report }, io, (a) => printBenchmark(a, io, { subject: "The demo reruns a simulated reasoner" }));
  const longest = longestProblem(analysis);
  const K = longest === null ? 0 : analysis.prompts[longest]!.optimizer!.spec.K;
  io.stdout.write(`\nThe comparison view: ${report}\n(open it in a browser; it needs no network; it opens on incoherence per step of the ${K}-step problem)\n`);

  // the agent part
  const records = simulateAgentSet(AGENT_RUNS);
  const traceSet = join(root, "agent.jsonl");
  writeFileSync(traceSet, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const agentReport = join(root, "agent-report.html");
  const agents = analyzeRecords(records);
  const tasks = agents.prompts.length;
  const parted = agents.prompts.filter((p) => p.agent?.forkAction !== null).length;
  io.stdout.write(`\nThe agent part: a simulated tool-using agent, ${AGENT_RUNS} reruns of ${tasks} airline-desk tasks (offline; no model called): the runs' tool calls part in ${parted} of ${tasks}.\n`);
  writeAnalysisOutputs(agents, { html: agentReport }, io, (a) => io.stdout.write(agentLines(a, styleFor(io), 0).slice(1).join("\n") + "\n"));
  io.stdout.write(`The agent runs: ${traceSet} (hotmess analyze it) · their comparison view: ${agentReport}\n`);
  io.stdout.write(`Run files: ${runsDir}  ·  took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  io.stdout.write(`Next: hotmess bench optimizer --provider anthropic -n 16   ·   hotmess analyze examples/word-problems.jsonl\n`);
  return code;
}
