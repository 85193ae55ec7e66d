// Semantic answer classes of a run file, for every face that changes them: `hotmess classes`
// and the view's "Class by meaning", Merge and Split (issue "why do the reruns disagree"). One
// code path: read the run's replies and what its verdict lines hold, apply the manual choices,
// ask the judge what is missing, and append one `verdicts` line with what is new, so every later
// analysis, view and export classes the run the same way and asks nothing again. A judge stopped
// half-way (cancelled, a failed request) still records the verdicts it gave.
import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import { parseRunFile, type ParsedRun, type RunVerdictsLine } from "../core/runfile";
import { sameByComparison, semanticAnswer, verdictState } from "../core/runanalysis";
import { clusterFromCache, semanticClasses, type SemanticClasses, type VerdictCache } from "../core/semantic";
import { judgeEstimate, type Judge } from "./judge";
import { DEFAULT_PRICES, type PriceTable } from "./prices";

/** A run's classes as a user can change them: what it says, and a clear reason when it cannot. */
export class ClassesError extends Error {}

export interface RunClasses {
  file: string;
  run: ParsedRun;
  /** Each sample's semantic answer, by recorded index (the reply, or what the spec extracts). */
  replies: (string | null)[];
  /** The samples' indices, in the same order. */
  indices: number[];
  /** The verdicts of `judge` the file holds. */
  cache: VerdictCache;
  overrides: Map<string, string>;
  /** The judge whose verdicts make the classes: the one asked, else the last that answered (null: none has). */
  judge: string | null;
  /** The judge that made the classes as the file stands (the last chosen; null: none). */
  madeBy: string | null;
}

/**
 * Appends one line to a run file (after the newline a crash may have left out): a torn line is
 * skipped by every reader, so a crash never corrupts what was there.
 */
export function appendRunLine(file: string, line: object): void {
  const size = statSync(file).size;
  let last = "\n";
  if (size > 0) {
    const fd = openSync(file, "r");
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, size - 1);
      last = b.toString("latin1");
    } finally {
      closeSync(fd);
    }
  }
  appendFileSync(file, (last !== "\n" ? "\n" : "") + JSON.stringify(line) + "\n");
}

/**
 * Reads a run file's replies and verdict lines, with the verdicts of `judge` (a judge's model
 * name; by default the judge that answered last); a run that cannot be classed says why.
 */
export function openRunClasses(file: string, judge?: string): RunClasses {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ClassesError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let run: ParsedRun;
  try {
    run = parseRunFile(text);
  } catch (e) {
    throw new ClassesError(`${basename(file)}: ${(e as Error).message}`);
  }
  if (run.samples.some((s) => s.steps)) throw new ClassesError(`${basename(file)} holds agent trajectories: their classes are their actions, not replies to judge`);
  const samples = [...run.samples].sort((a, b) => a.index - b.index);
  const replies = samples.map((s) => semanticAnswer(s.text, run.header.answerSpec));
  if (replies.every((r) => r === null)) throw new ClassesError(`${basename(file)} has no reply to class`);
  const state = verdictState(run.verdicts ?? [], judge);
  const madeBy = judge === undefined ? state.judge : verdictState(run.verdicts ?? []).judge;
  return { file, run, replies, indices: samples.map((s) => s.index), cache: state.cache, overrides: state.overrides, judge: state.judge, madeBy };
}

/** The reply texts a manual choice can name (trimmed, as the classes list them). */
function knownReplies(rc: RunClasses): Set<string> {
  return new Set(rc.replies.filter((r): r is string => r !== null));
}

/**
 * Manual choices, checked against the run's replies: `merges` as [reply, a reply of the class it
 * joins], `splits` as replies each made a class of its own. Returns them as overrides.
 */
export function manualChoices(rc: RunClasses, merges: readonly [string, string][], splits: readonly string[]): Record<string, string> {
  const known = knownReplies(rc);
  const need = (t: string, what: string) => {
    if (!known.has(t)) throw new ClassesError(`${what}: no reply of ${basename(rc.file)} reads "${t.length > 60 ? t.slice(0, 59) + "…" : t}" (give a reply's whole text, as the classes list shows it)`);
  };
  const out: Record<string, string> = {};
  for (const [a, b] of merges) {
    need(a, "merge");
    need(b, "merge");
    out[a] = b;
  }
  for (const s of splits) {
    need(s, "split");
    out[s] = s;
  }
  return out;
}

/**
 * The classes as the file and `overrides` decide them without asking anyone: by the judge's
 * verdicts when one has spoken (null when a verdict it needs is missing), else by the run's own
 * comparison (the classes the view showed) with the choices applied.
 */
export function currentClasses(rc: RunClasses, overrides: ReadonlyMap<string, string> = rc.overrides): Omit<SemanticClasses, "asked" | "cached"> | null {
  const r = clusterFromCache(rc.replies, rc.cache, overrides, rc.judge === null ? sameByComparison(rc.run.header.answerSpec) : undefined);
  return "result" in r ? r.result : null;
}

/**
 * The most a judge may cost on this run (judgeEstimate): nothing when its verdicts in the file
 * already decide every class (`rc` opened with that judge), else every pair not in the file.
 */
export function estimateFor(rc: RunClasses, model: string, prices: PriceTable = DEFAULT_PRICES): ReturnType<typeof judgeEstimate> {
  if (rc.judge === model && currentClasses(rc) !== null) return { verdicts: 0, inputTokens: 0, costUsd: 0 };
  return judgeEstimate(rc.replies, model, rc.cache, prices, rc.run.header.prompt);
}

export interface Recorded {
  classes: Omit<SemanticClasses, "asked" | "cached">;
  asked: number;
  cached: number;
  /** The line appended to the run file (null: nothing was new). */
  line: RunVerdictsLine | null;
}

/**
 * Applies `choices` (manualChoices) and, with a judge, asks it every verdict the classes need;
 * appends one verdicts line with the new verdicts and choices. Without a judge the classes must
 * be decidable from the file (a judge that has spoken before and lacks a verdict: ClassesError).
 * A judge that throws half-way records what it answered, then the error goes on.
 */
export async function recordClasses(rc: RunClasses, judge: Judge | null, choices: Record<string, string> = {}): Promise<Recorded> {
  const overrides = new Map(rc.overrides);
  for (const [k, v] of Object.entries(choices)) overrides.set(k, v);
  const before = new Set(rc.cache.keys());
  const append = (partial = false): RunVerdictsLine | null => {
    const fresh: [string, string, boolean][] = [];
    for (const [k, v] of rc.cache) {
      if (before.has(k)) continue;
      const [a, b] = JSON.parse(k) as [string, string];
      fresh.push([a, b, v]);
    }
    // a judge other than the one the classes were made by is recorded even when it had nothing new to say
    const chosen = judge !== null && judge.model !== rc.madeBy && !partial;
    if (fresh.length === 0 && Object.keys(choices).length === 0 && !chosen) return null;
    const line: RunVerdictsLine = {
      type: "verdicts",
      judge: (fresh.length > 0 || chosen) && judge ? judge.model : "manual",
      verdicts: fresh,
      ...(Object.keys(choices).length ? { overrides: choices } : {}),
      ...(fresh.length > 0 && judge ? { costUsd: judge.stats.costUsd } : {}),
      ...(partial && fresh.length > 0 ? { partial: true as const } : {}),
      at: new Date().toISOString(),
    };
    appendRunLine(rc.file, line);
    for (const [k, v] of Object.entries(choices)) rc.overrides.set(k, v);
    if (judge && !partial) rc.judge = rc.madeBy = judge.model;
    return line;
  };
  if (!judge) {
    const classes = currentClasses(rc, overrides);
    if (!classes) throw new ClassesError(`${basename(rc.file)} has replies its judge (${rc.judge}) has not classed yet: class it by meaning again first`);
    return { classes, asked: 0, cached: 0, line: append() };
  }
  let r: SemanticClasses;
  try {
    r = await semanticClasses(rc.replies, (a, b) => judge.same(a, b), rc.cache, overrides);
  } catch (e) {
    append(true);
    throw e;
  }
  return { classes: r, asked: r.asked, cached: r.cached, line: append() };
}

/** The class (its representative) of every sample, by recorded index. */
export function classOfIndex(rc: RunClasses, classes: Omit<SemanticClasses, "asked" | "cached">): Map<number, string | null> {
  return new Map(rc.indices.map((ix, i) => [ix, classes.classOf[i] ?? null]));
}
