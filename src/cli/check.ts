// `hotmess check FILE... [--max-incoherence X] [--min-accuracy X] [--min-pass-hat-k K:X]
// [--by interval|strict|point] [--junit OUT] [--fail-unchecked]`: the CI gate of issue 17. Each
// file (a run file or a trace set) is read as `hotmess analyze` reads it (analyzeFile), each
// prompt held against the thresholds (src/core/gate.ts says how, and why the interval is the
// default), and the verdicts printed, written as JUnit XML, and, under GitHub Actions, given as
// annotations and a job summary (src/report/gate.ts).
//
// Exit status: 1 when a prompt fails; else 2 when input was skipped or a run is unfinished (what
// was checked is not all that was asked for); else 0. Usage and input errors exit 2 (main.ts),
// never 1, so that "a threshold was crossed" means only that.
//
// `--baseline PATH` (a run file, trace set or folder, as one side of `hotmess compare`): every
// prompt is compared with the same prompt of the baseline (src/core/compare.ts: matched by id,
// else by prompt text) and fails when it got significantly worse (gate.ts baselineChecks); those
// checks are passed to gatePrompt with the thresholds', so the exit status, JUnit, annotations
// and summary treat them alike. Prompts on one side only are listed.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { DEFAULT_RESAMPLES, parsePromptFile, type Analysis, type ParsedRun, type PromptAnalysis } from "../core";
import { baselineChecks, DEFAULT_GATE_BY, GATE_BY, gatePrompt, parsePassHatK, type CheckResult, type GateBy, type Thresholds } from "../core/gate";
import { compareAnalyses } from "../core/compare";
import { analyzeSide } from "./compare";
import { BY_WORDS, githubAnnotations, junitXml, stepSummary, thresholdWords, verdictDetail, type GateCase, type GateReport } from "../report/gate";
import { FatalError, num, UsageError, type Io, type Parsed } from "./common";
import { planOutputs, redactorOf, writeFileAtomic } from "./io";
import { analyzeWithState } from "./main";

/** The thresholds the flags give; a usage error when none is given. */
export function thresholdsOf(p: Parsed): Thresholds {
  const t: Thresholds = {};
  const inc = num(p.flags, "--max-incoherence");
  const acc = num(p.flags, "--min-accuracy");
  if (inc !== undefined) t.maxIncoherence = inc;
  if (acc !== undefined) t.minAccuracy = acc;
  const k = p.flags.get("--min-pass-hat-k");
  if (typeof k === "string") {
    try {
      t.minPassHatK = parsePassHatK(k);
    } catch (e) {
      throw new UsageError(`--${(e as Error).message}`);
    }
  }
  if (t.maxIncoherence === undefined && t.minAccuracy === undefined && !t.minPassHatK && !p.flags.has("--baseline")) throw new UsageError("check needs a threshold: --max-incoherence X, --min-accuracy X or --min-pass-hat-k K:X, or a --baseline");
  return t;
}

function byOf(p: Parsed): GateBy {
  const v = p.flags.get("--by");
  if (v === undefined) return DEFAULT_GATE_BY;
  if (typeof v === "string" && (GATE_BY as readonly string[]).includes(v)) return v as GateBy;
  throw new UsageError(`--by is ${GATE_BY.join(", ")}, not "${String(v)}"`);
}

/**
 * Where an annotation about a prompt points: the prompt file its run recorded (header `source`,
 * relative to the workspace folder, read from the current folder) at the prompt's first line when
 * that file is here, else line 1 of it; else the file read, line 1.
 */
export function annotationPlace(file: string, run: ParsedRun | undefined): { file: string; line: number } {
  const source = run?.header.source;
  if (!source) return { file, line: 1 };
  let line = 1;
  try {
    if (existsSync(source.file)) {
      const prompt = parsePromptFile(readFileSync(source.file, "utf8"), () => "").find((x) => x.index === source.prompt);
      if (prompt) line = prompt.range.start.line + 1;
    }
  } catch {
    // an unreadable prompt file: its first line
  }
  return { file: source.file, line };
}

export async function checkCommand(p: Parsed, io: Io): Promise<number> {
  if (p.positional.length === 0) throw new UsageError("check needs run files or trace sets: hotmess check FILE... --max-incoherence X");
  if (p.positional.includes("-")) throw new UsageError("check reads files, not standard input");
  const thresholds = thresholdsOf(p);
  const by = byOf(p);
  const failUnchecked = p.flags.has("--fail-unchecked");
  const junit = p.flags.get("--junit") as string | undefined;
  planOutputs([{ flag: "--junit", path: junit }], { inputs: p.positional.map((path) => ({ path, what: "an input" })) });

  const cases: GateCase[] = [];
  let problems = 0;
  const seed = num(p.flags, "--seed");
  const baselinePath = p.flags.get("--baseline") as string | undefined;
  const baseline = baselinePath === undefined ? null : await analyzeSide(baselinePath, "baseline", seed, DEFAULT_RESAMPLES, io);
  if (baseline) problems += baseline.problems;
  const analyses: { file: string; analysis: Analysis; at: { file: string; line: number } }[] = [];
  for (const file of p.positional) {
    // analyze's words for a missing file or a failed run (exit 2 for check: main.ts dispatch)
    const { analysis, unfinished, run } = await analyzeWithState(file, { referenceFree: false, seed, resamples: DEFAULT_RESAMPLES }, io);
    for (const s of analysis.skipped) io.stderr.write(`hotmess: ${file}: line ${s.line}: ${s.message}${/skipped$/.test(s.message) ? "" : "; line skipped"}\n`);
    problems += analysis.skipped.length;
    if (unfinished) {
      io.stderr.write(`hotmess: ${unfinished}\n`);
      problems++;
    }
    analyses.push({ file, analysis, at: annotationPlace(file, run) });
  }
  // against the baseline: every current prompt with the same prompt of the baseline
  const vsBaseline = new Map<PromptAnalysis, CheckResult[]>();
  if (baseline) {
    const current: Analysis = { ...analyses[0]!.analysis, prompts: analyses.flatMap((x) => x.analysis.prompts) };
    const cmp = compareAnalyses(baseline.analysis, current, { ...(seed !== undefined ? { seed } : {}) });
    for (const c of cmp.prompts) vsBaseline.set(c.b, baselineChecks(c));
    const only = (side: "a" | "b") => cmp.unmatched.filter((u) => u.side === side).map((u) => u.id);
    io.stdout.write(`hotmess check: against the baseline ${baselinePath}: ${cmp.prompts.length} prompt${cmp.prompts.length === 1 ? "" : "s"} matched${only("b").length ? `; not in the baseline (not compared): ${only("b").join(", ")}` : ""}${only("a").length ? `; in the baseline only: ${only("a").join(", ")}` : ""}\n`);
  }
  for (const { file, analysis, at } of analyses)
    for (const prompt of analysis.prompts) cases.push({ verdict: gatePrompt(prompt, thresholds, { by, failUnchecked }, vsBaseline.get(prompt) ?? []), file, at });

  const report: GateReport = { cases, by, thresholds };
  printReport(report, io, failUnchecked);
  const redact = redactorOf(io);
  if (junit !== undefined) {
    try {
      writeFileAtomic(junit, redact.text(junitXml(report)));
    } catch (e) {
      throw new FatalError(`cannot write ${junit}: ${(e as Error).message}`);
    }
    io.stderr.write(`hotmess: wrote ${junit} (JUnit XML, ${cases.length} testcase${cases.length === 1 ? "" : "s"})\n`);
  }
  if (io.env.GITHUB_ACTIONS === "true") {
    // workflow commands are read from standard output
    for (const line of githubAnnotations(report)) io.stdout.write(line + "\n");
    const summary = io.env.GITHUB_STEP_SUMMARY;
    if (summary) {
      try {
        appendFileSync(summary, redact.text(stepSummary(report)));
      } catch (e) {
        io.stderr.write(`hotmess: cannot append the job summary to ${summary}: ${(e as Error).message}\n`);
      }
    }
  }
  if (cases.some((c) => c.verdict.status === "fail")) return 1;
  return problems > 0 ? 2 : 0;
}

const MARK = { fail: "FAIL", unchecked: "SKIP", pass: "pass" } as const;

/** The verdicts on standard output: a line per prompt (failures with their checks, fork and deciding steps), then the counts. */
function printReport(r: GateReport, io: Io, failUnchecked: boolean): void {
  const { cases } = r;
  const files = new Set(cases.map((c) => c.file)).size;
  io.stdout.write(`hotmess check: ${cases.length} prompt${cases.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}; ${thresholdWords(r.thresholds)}; ${BY_WORDS[r.by]}\n`);
  for (const { verdict: v, file } of cases) {
    io.stdout.write(`  ${MARK[v.status]}  ${v.id}  (${file}, n = ${v.n})\n`);
    for (const l of verdictDetail(v)) io.stdout.write(`        ${l}\n`);
  }
  const n = (s: string) => cases.filter((c) => c.verdict.status === s).length;
  const inconclusive = cases.filter((c) => c.verdict.status === "pass" && c.verdict.checks.some((x) => x.inconclusive)).length;
  const skipped = n("unchecked");
  io.stdout.write(
    `${n("fail")} failed, ${n("pass")} passed${inconclusive ? ` (${inconclusive} inconclusive: more reruns would tell)` : ""}, ${skipped} not checked` +
      `${skipped > 0 && !failUnchecked ? " (listed above; --fail-unchecked makes them fail)" : ""}\n`,
  );
}
