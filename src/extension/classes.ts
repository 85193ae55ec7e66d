// The answer classes changed from the view (issue "why do the reruns disagree"), through the
// same code path as `hotmess classes` (src/sampling/classes.ts):
// - "class by meaning…": pick a judge (the offline simulated one, or the configured model, with
//   the most it can cost shown in the pick and asked again in a modal before a paid judge
//   runs), judged under a cancellable progress notification (a cancelled judge keeps the
//   verdicts it gave);
// - "merge…" on a class: pick the class it joins;
// - "split…" on a class: pick the replies that leave it (they form one new class).
// Every choice is appended to the prompt's run file, so the view, its exports and a later
// reopening class the replies the same way, and manual choices win over any judge.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as vscode from "vscode";
import { parseRunFile } from "../core/runfile";
import { ClassesError, classOfIndex, currentClasses, estimateFor, openRunClasses, recordClasses, type Recorded, type RunClasses } from "../sampling/classes";
import { providerJudge, simulatedJudge, SIMULATED_JUDGE, type Judge } from "../sampling/judge";
import { DEFAULT_PRICES } from "../sampling/prices";
import type { ChangeClasses, ViewSource } from "../protocol/webview";
import { isSamplingError } from "../sampling/types";
import type { Settings } from "./config";
import type { ResolvedProvider } from "./runs";

/** The run file of prompt `prompt` among a view's files, or why there is none. */
export function runFileOf(source: ViewSource, prompt: string): { file: string } | { missing: string } {
  const traceSet = (f: string) => ({ missing: `${basename(f)} is a trace set, not a run file: its classes are changed by rerunning the prompt, or with hotmess classes on a run file` });
  if (source.kind === "traces") return traceSet(source.file);
  let notRun: string | null = null;
  for (const f of source.files) {
    try {
      if (parseRunFile(readFileSync(f, "utf8")).header.id === prompt) return { file: f };
    } catch {
      notRun ??= f;
    }
  }
  return notRun ? traceSet(notRun) : { missing: `no run of this view is prompt "${prompt}"` };
}

const cut = (t: string, n = 70) => {
  const one = t.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n - 1) + "…" : one;
};
const runs = (k: number) => `${k} run${k === 1 ? "" : "s"}`;

export interface ClassesDeps {
  settings: Settings;
  /** The configured provider and model, or why there is none (no key): the simulated judge is offered either way. */
  resolve(): Promise<ResolvedProvider>;
  log(line: string): void;
}

/** Changes the classes; true when the view should be analysed again. */
export async function changeClasses(source: ViewSource, m: ChangeClasses, deps: ClassesDeps): Promise<boolean> {
  const where = runFileOf(source, m.prompt);
  if ("missing" in where) {
    void vscode.window.showInformationMessage(`Hot Mess: cannot change the classes of "${m.prompt}": ${where.missing}.`);
    return false;
  }
  let rc: RunClasses;
  try {
    rc = openRunClasses(where.file);
  } catch (e) {
    if (e instanceof ClassesError) {
      void vscode.window.showInformationMessage(`Hot Mess: ${e.message}.`);
      return false;
    }
    throw e;
  }
  try {
    const done = m.action === "judge" ? await judgeClasses(rc, deps) : m.action === "merge" ? await mergeClass(rc, m.run!) : await splitClass(rc, m.run!);
    if (!done) return false;
    const k = done.classes.classes.length;
    const what = m.action === "judge" ? `classed by meaning: ${k} class${k === 1 ? "" : "es"} (${done.asked} verdict${done.asked === 1 ? "" : "s"} asked, ${done.cached} from the run file)` : `${k} class${k === 1 ? "" : "es"} after your ${m.action}, kept in ${basename(rc.file)}`;
    deps.log(`classes of ${basename(rc.file)}: ${what}`);
    void vscode.window.setStatusBarMessage(`Hot Mess: ${what}`, 6000);
    return true;
  } catch (e) {
    if (e instanceof ClassesError) {
      void vscode.window.showWarningMessage(`Hot Mess: ${e.message}.`);
      return false;
    }
    if (isSamplingError(e)) {
      // the verdicts it gave before are in the run file (recordClasses): the next try asks only the rest
      const auth = e.kind === "auth";
      const provider = /anthropic/i.test(e.url ?? "") ? "anthropic" : "openai";
      void vscode.window.showErrorMessage(`Hot Mess: the judge stopped: ${e.message}${e.status ? ` (HTTP ${e.status})` : ""}. The verdicts it gave are kept in ${basename(rc.file)}; class by meaning again to ask the rest.`, ...(auth ? ["Set API Key…"] : [])).then((pick) => {
        if (pick === "Set API Key…") void vscode.commands.executeCommand("hotmess.setApiKey", provider);
      });
      return false;
    }
    throw e;
  }
}

/** The classes now, or a ClassesError saying the judge must run first. */
function classesNow(rc: RunClasses) {
  const c = currentClasses(rc);
  if (!c) throw new ClassesError(`${basename(rc.file)} has replies its judge has not classed yet: use "class by meaning…" first`);
  return c;
}

/** The class (representative) of run `run`, and the classes. */
function classOfRun(rc: RunClasses, run: number) {
  const classes = classesNow(rc);
  const rep = classOfIndex(rc, classes).get(run);
  const cls = rep === undefined || rep === null ? undefined : classes.classes.find((c) => c.representative === rep);
  if (!cls) throw new ClassesError(`run #${run} of ${basename(rc.file)} has no reply to class`);
  return { classes, cls };
}

async function mergeClass(rc: RunClasses, run: number): Promise<Recorded | null> {
  const { classes, cls } = classOfRun(rc, run);
  const others = classes.classes.filter((c) => c !== cls);
  if (others.length === 0) throw new ClassesError("there is no other class to merge into");
  const pick = await vscode.window.showQuickPick(
    others.map((c) => ({ label: cut(c.representative), description: runs(c.count), detail: c.members.length > 1 ? `${c.members.length} wordings` : undefined, target: c.representative })),
    { title: `Merge "${cut(cls.representative, 40)}" (${runs(cls.count)}) into…`, placeHolder: "the class whose replies mean the same", matchOnDetail: true },
  );
  if (!pick) return null;
  const choices: Record<string, string> = {};
  for (const t of cls.members) choices[t] = pick.target;
  return recordClasses(rc, null, choices);
}

async function splitClass(rc: RunClasses, run: number): Promise<Recorded | null> {
  const { cls } = classOfRun(rc, run);
  if (cls.members.length < 2) {
    throw new ClassesError(`every reply of "${cut(cls.representative, 40)}" reads the same (after the normalisation of METRICS.md §2): there is nothing to split; merge it into another class instead`);
  }
  const counts = new Map<string, number>();
  for (const r of rc.replies) if (r !== null) counts.set(r, (counts.get(r) ?? 0) + 1);
  const picked = await vscode.window.showQuickPick(
    cls.members.map((t) => ({ label: cut(t), description: t === cls.representative ? "the class's representative" : undefined, detail: cut(t, 400), text: t })),
    { title: `Split replies out of "${cut(cls.representative, 40)}" (${runs(cls.count)})`, placeHolder: "the replies that give a different answer: together they form a new class", canPickMany: true, matchOnDetail: true },
  );
  if (!picked || picked.length === 0) return null;
  if (picked.length === cls.members.length) throw new ClassesError("splitting every reply out of a class leaves it as it was: pick some of them");
  const choices: Record<string, string> = {};
  const lead = picked[0]!.text;
  for (const p of picked) choices[p.text] = lead;
  // the replies that stay keep together, with the first of them leading, even when the
  // representative they were judged against leaves
  const stay = cls.members.filter((t) => !picked.some((p) => p.text === t));
  if (picked.some((p) => p.text === cls.representative)) for (const t of stay) choices[t] = stay[0]!;
  return recordClasses(rc, null, choices);
}

async function judgeClasses(rc: RunClasses, deps: ClassesDeps): Promise<Recorded | null> {
  const question = rc.run.header.prompt;
  const prices = { ...DEFAULT_PRICES, ...deps.settings.prices };
  let resolved: ResolvedProvider | null = null;
  let why = "";
  try {
    resolved = await deps.resolve();
  } catch (e) {
    why = (e as Error).message;
  }
  const paid = resolved && resolved.name !== "simulated" && resolved.name !== "vscode-lm" ? resolved : null;
  const model = paid ? deps.settings.judgeModel || paid.model : "";
  // each judge's own verdicts: another judge's are not asked again of it, nor read as its own
  const asModel = paid ? openRunClasses(rc.file, model) : null;
  const estimate = asModel ? estimateFor(asModel, model, prices) : null;
  const distinct = new Set(rc.replies.filter((r) => r !== null)).size;
  type Item = vscode.QuickPickItem & { judge: "simulated" | "model" };
  const items: Item[] = [
    { label: "$(beaker) Simulated judge", description: `offline, free${rc.madeBy === SIMULATED_JUDGE ? " · made the classes shown" : ""}`, detail: "A stand-in rule, not a model: the same numbers and at least half of the content words in common", judge: "simulated" },
  ];
  if (paid && estimate) {
    const cost = estimate.costUsd === null ? "cost unknown (no price for this model)" : `at most $${estimate.costUsd.toFixed(4)}`;
    items.unshift({ label: `$(sparkle) ${model}`, description: `${paid.name}${rc.madeBy === model ? " · made the classes shown" : ""}`, detail: `At most ${estimate.verdicts} verdict${estimate.verdicts === 1 ? "" : "s"} (one short request each), about ${estimate.inputTokens.toLocaleString("en-US")} input tokens, ${cost}`, judge: "model" });
  }
  const pick = await vscode.window.showQuickPick(items, {
    title: `Class ${rc.replies.length} replies (${distinct} distinct) by meaning`,
    placeHolder: paid ? "the judge that says which replies give the same answer" : `the judge (no model is available: ${why || "the simulated provider is chosen"})`,
  });
  if (!pick) return null;
  if (pick.judge === "model" && estimate && estimate.verdicts > 0) {
    const cost = estimate.costUsd === null ? "at an unknown cost (no price for this model)" : `for at most $${estimate.costUsd.toFixed(4)}`;
    const go = await vscode.window.showWarningMessage(
      `Ask ${model} up to ${estimate.verdicts} verdict${estimate.verdicts === 1 ? "" : "s"} ${cost}?`,
      { modal: true, detail: `About ${estimate.inputTokens.toLocaleString("en-US")} input tokens through ${paid!.name}. Its verdicts are kept in ${basename(rc.file)}: nothing is asked twice.` },
      "Run Judge",
    );
    if (go !== "Run Judge") return null;
  }
  const name = pick.judge === "simulated" ? "the simulated judge" : model;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Hot Mess: classing by meaning with ${name}`, cancellable: true }, async (progress, token) => {
    const stop = new AbortController();
    const listener = token.onCancellationRequested(() => stop.abort());
    const judge: Judge = pick.judge === "simulated" ? simulatedJudge() : providerJudge(paid!.provider, model, { question, prices, signal: stop.signal });
    const bound = estimate?.verdicts ?? distinct * (distinct - 1) / 2;
    let asked = 0;
    const counting: Judge = {
      model: judge.model,
      stats: judge.stats,
      same: async (a, b) => {
        if (token.isCancellationRequested) throw new ClassesError(`cancelled after ${asked} verdict${asked === 1 ? "" : "s"} (kept in ${basename(rc.file)})`);
        const v = await judge.same(a, b);
        asked++;
        progress.report({ message: `${asked} verdict${asked === 1 ? "" : "s"}${bound ? ` of at most ${bound}` : ""}`, increment: bound ? 100 / bound : 0 });
        return v;
      },
    };
    try {
      return await recordClasses(pick.judge === "simulated" ? openRunClasses(rc.file, SIMULATED_JUDGE) : asModel!, counting, {});
    } catch (e) {
      if (token.isCancellationRequested) throw new ClassesError(`cancelled after ${asked} verdict${asked === 1 ? "" : "s"} (kept in ${basename(rc.file)})`);
      throw e;
    } finally {
      listener.dispose();
    }
  });
}
