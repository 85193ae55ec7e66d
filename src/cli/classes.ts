// `hotmess classes RUNFILE`: class a run's open-ended replies by meaning (issue "why do the reruns
// disagree"). A judge — the offline simulated one, or a model through a provider — is asked
// whether two replies say the same thing, one representative per class (src/core/semantic.ts);
// the verdicts and the user's manual merges and splits are appended to the run file as a
// `verdicts` line, so every later analysis, view and export of the run uses them and asks nothing
// again. The most it can cost is said first; a paid judge runs only with --yes.
import { basename } from "node:path";
import { ClassesError, estimateFor, manualChoices, openRunClasses, recordClasses, type RunClasses } from "../sampling/classes";
import { providerJudge, simulatedJudge, SIMULATED_JUDGE, type Judge } from "../sampling/judge";
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
  const model = str(p, "--judge") ?? "simulated";
  let rc: RunClasses;
  try {
    // the verdicts of this judge: another judge's are not its own
    rc = openRunClasses(file, model === "simulated" ? SIMULATED_JUDGE : model);
  } catch (e) {
    throw e instanceof ClassesError ? new FatalError(e.message) : e;
  }
  // manual choices given now: --merge "TEXT=>INTO", --split TEXT (a reply's text as written, trimmed)
  const merges: [string, string][] = [];
  for (const m of all(p, "--merge")) {
    const at = m.indexOf("=>");
    if (at < 0) throw new UsageError(`--merge takes "REPLY=>INTO" (the reply's text, then the text of a reply in the class it joins), not "${m}"`);
    merges.push([m.slice(0, at).trim(), m.slice(at + 2).trim()]);
  }
  let choices: Record<string, string>;
  try {
    choices = manualChoices(
      rc,
      merges,
      all(p, "--split").map((s) => s.trim()),
    );
  } catch (e) {
    throw e instanceof ClassesError ? new UsageError(`--${e.message}`) : e;
  }

  let judge: Judge;
  if (model === "simulated") judge = simulatedJudge();
  else {
    const providerName = str(p, "--provider") ?? (model.startsWith("claude") ? "anthropic" : "openai");
    const estimate = estimateFor(rc, model, DEFAULT_PRICES);
    io.stderr.write(`hotmess: at most ${estimate.verdicts} verdict${estimate.verdicts === 1 ? "" : "s"} of ${model} (${providerName}), about ${estimate.inputTokens.toLocaleString("en-US")} input tokens, ${estimate.costUsd === null ? "cost unknown (no price for this model)" : `at most $${estimate.costUsd.toFixed(4)}`}\n`);
    if (estimate.verdicts > 0 && !p.flags.has("--yes")) {
      io.stderr.write("hotmess: nothing was asked: add --yes to run the judge\n");
      return 1;
    }
    judge = providerJudge(makeProvider(providerName, io.env ?? process.env, str(p, "--base-url"), liveLine(io)).provider, model, { question: rc.run.header.prompt });
  }
  const r = await recordClasses(rc, judge, choices);
  const n = rc.replies.length;
  const manual = rc.overrides.size;
  io.stdout.write(`${basename(file)}: ${n} replies in ${r.classes.classes.length} class${r.classes.classes.length === 1 ? "" : "es"} by meaning (judge ${judge.model}; ${r.asked} verdict${r.asked === 1 ? "" : "s"} asked, ${r.cached} from the file${manual ? `, ${manual} manual choice${manual === 1 ? "" : "s"}` : ""}${judge.stats.unclear ? `, ${judge.stats.unclear} unclear replies of the judge counted as different` : ""}${judge.stats.costUsd ? `, $${judge.stats.costUsd.toFixed(4)}` : ""})\n`);
  for (const c of r.classes.classes) {
    const cut = (t: string) => (t.replace(/\s+/g, " ").length > 100 ? t.replace(/\s+/g, " ").slice(0, 99) + "…" : t.replace(/\s+/g, " "));
    io.stdout.write(`  ${String(c.count).padStart(3)} × ${cut(c.representative)}${c.members.length > 1 ? `  (+ ${c.members.length - 1} other wording${c.members.length > 2 ? "s" : ""})` : ""}\n`);
  }
  return 0;
}
