// `hotmess classes RUNFILE`: class a run's open-ended replies by meaning (issue "why do the reruns
// disagree"). A judge — the offline simulated one, or a model through a provider — is asked
// whether two replies say the same thing, one representative per class (src/core/semantic.ts);
// the verdicts and the user's manual merges and splits are appended to the run file as a
// `verdicts` line, so every later analysis, view and export of the run uses them and asks nothing
// again. The most it can cost is said first; a paid judge runs only with --yes.
import { appendFileSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseRunFile, type RunVerdictsLine } from "../core/runfile";
import { semanticAnswer } from "../core/runanalysis";
import { clusterFromCache, sameKey, semanticClasses, type VerdictCache } from "../core/semantic";
import { judgeEstimate, providerJudge, simulatedJudge, type Judge } from "../sampling/judge";
import { DEFAULT_PRICES } from "../sampling/prices";
import { FatalError, UsageError, type Io, type Parsed } from "./common";
import { liveLine } from "./io";
import { makeProvider } from "./run";

const str = (p: Parsed, k: string) => {
  const v = p.flags.get(k);
  return typeof v === "string" ? v : undefined;
};
/** A flag's value as a list (a flag given once; run the command again for another choice). */
const all = (p: Parsed, k: string): string[] => {
  const one = str(p, k);
  return one === undefined ? [] : [one];
};

export async function classesCommand(p: Parsed, io: Io): Promise<number> {
  const file = p.positional[0];
  if (!file) throw new UsageError("classes needs a run file: hotmess classes RUNFILE [--judge MODEL --provider P] [--yes]");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FatalError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let run;
  try {
    run = parseRunFile(text);
  } catch (e) {
    throw new FatalError(`${file}: ${(e as Error).message}`);
  }
  if (run.samples.some((s) => s.steps)) throw new FatalError(`${basename(file)} holds agent trajectories: their classes are their actions, not replies to judge`);
  const replies = [...run.samples].sort((a, b) => a.index - b.index).map((s) => semanticAnswer(s.text, run.header.answerSpec));
  if (replies.every((r) => r === null)) throw new FatalError(`${basename(file)} has no reply to class`);

  // what the file already holds: verdicts and manual choices, later lines winning
  const cache: VerdictCache = new Map();
  const overrides = new Map<string, string>();
  for (const l of run.verdicts ?? []) {
    for (const [a, b, same] of l.verdicts) cache.set(sameKey(a, b), same);
    for (const [k, v] of Object.entries(l.overrides ?? {})) overrides.set(k, v);
  }
  // manual choices given now: --merge "TEXT=>INTO", --split TEXT (a reply's text as written, trimmed)
  const known = new Set(replies.filter((r): r is string => r !== null));
  const newOverrides: Record<string, string> = {};
  const need = (t: string, flag: string) => {
    if (!known.has(t)) throw new UsageError(`${flag}: no reply of ${basename(file)} reads "${t}" (give a reply's whole text, as the classes list shows it)`);
  };
  for (const m of all(p, "--merge")) {
    const at = m.indexOf("=>");
    if (at < 0) throw new UsageError(`--merge takes "REPLY=>INTO" (the reply's text, then the text of a reply in the class it joins), not "${m}"`);
    const [a, b] = [m.slice(0, at).trim(), m.slice(at + 2).trim()];
    need(a, "--merge");
    need(b, "--merge");
    newOverrides[a] = b;
  }
  for (const s of all(p, "--split")) {
    need(s.trim(), "--split");
    newOverrides[s.trim()] = s.trim();
  }
  for (const [k, v] of Object.entries(newOverrides)) overrides.set(k, v);

  const model = str(p, "--judge") ?? "simulated";
  let judge: Judge;
  if (model === "simulated") judge = simulatedJudge();
  else {
    const providerName = str(p, "--provider") ?? (model.startsWith("claude") ? "anthropic" : "openai");
    const estimate = judgeEstimate(replies, model, cache, DEFAULT_PRICES, run.header.prompt);
    io.stderr.write(`hotmess: at most ${estimate.verdicts} verdict${estimate.verdicts === 1 ? "" : "s"} of ${model} (${providerName}), about ${estimate.inputTokens.toLocaleString("en-US")} input tokens, ${estimate.costUsd === null ? "cost unknown (no price for this model)" : `at most $${estimate.costUsd.toFixed(4)}`}\n`);
    if (estimate.verdicts > 0 && !p.flags.has("--yes")) {
      io.stderr.write("hotmess: nothing was asked: add --yes to run the judge\n");
      return 1;
    }
    judge = providerJudge(makeProvider(providerName, io.env ?? process.env, str(p, "--base-url"), liveLine(io)).provider, model, { question: run.header.prompt });
  }
  const before = new Set(cache.keys());
  const r = await semanticClasses(replies, (a, b) => judge.same(a, b), cache, overrides);
  const fresh: [string, string, boolean][] = [];
  for (const [k, v] of cache) {
    if (before.has(k)) continue;
    const [a, b] = JSON.parse(k) as [string, string];
    fresh.push([a, b, v]);
  }
  if (fresh.length > 0 || Object.keys(newOverrides).length > 0) {
    const line: RunVerdictsLine = {
      type: "verdicts",
      judge: fresh.length > 0 ? judge.model : "manual",
      verdicts: fresh,
      ...(Object.keys(newOverrides).length ? { overrides: newOverrides } : {}),
      ...(fresh.length > 0 ? { costUsd: judge.stats.costUsd } : {}),
      at: new Date().toISOString(),
    };
    // one line appended (after the newline a crash may have left out): a torn line is skipped by every reader
    appendFileSync(file, (run.missingNewline ? "\n" : "") + JSON.stringify(line) + "\n");
  }
  const check = clusterFromCache(replies, cache, overrides);
  if ("need" in check) throw new Error("the classes are incomplete after judging (a bug)");
  const n = replies.length;
  io.stdout.write(`${basename(file)}: ${n} replies in ${r.classes.length} class${r.classes.length === 1 ? "" : "es"} by meaning (judge ${judge.model}; ${r.asked} verdict${r.asked === 1 ? "" : "s"} asked, ${r.cached} from the file${overrides.size ? `, ${overrides.size} manual choice${overrides.size === 1 ? "" : "s"}` : ""}${judge.stats.unclear ? `, ${judge.stats.unclear} unclear replies of the judge counted as different` : ""}${judge.stats.costUsd ? `, $${judge.stats.costUsd.toFixed(4)}` : ""})\n`);
  for (const c of r.classes) {
    const cut = (t: string) => (t.replace(/\s+/g, " ").length > 100 ? t.replace(/\s+/g, " ").slice(0, 99) + "…" : t.replace(/\s+/g, " "));
    io.stdout.write(`  ${String(c.count).padStart(3)} × ${cut(c.representative)}${c.members.length > 1 ? `  (+ ${c.members.length - 1} other wording${c.members.length > 2 ? "s" : ""})` : ""}\n`);
  }
  return 0;
}
