// The prompt's header: id, model (with a "Simulated — no model was called" badge when the runs
// come from the simulated reasoner), n, target, answer classes as bars (each one a toggle that
// shows only the runs of that class below), the decompositions and the incoherence with its
// interval. A `lead` section (the optimizer benchmark's per-step view) goes right under the title.
import { MIN_RUNS_FOR_INTERVAL } from "../src/core/interval";
import { SIMULATED_MODEL } from "../src/core/lead";
import { toolTally } from "../src/core/trajectory";
import { decidingBasis, decidingSteps, shownStep, type DecidingSide } from "../src/core/deciding";
import type { Decomposition, Interval, PromptAnalysis } from "../src/core/types";
import { h, span } from "./dom";
import { answerLabel, DASH, fmt, fmtCi, pct, plural, truncate } from "./format";
import { headlineModel, type PromptModel } from "./model";

const MAX_CLASSES = 8;

export interface HeaderOptions {
  /** The answer classes shown (their keys); empty: all. */
  filter: ReadonlySet<string>;
  onFilter: (key: string) => void;
  /** The prompt text starts unfolded (it was, before a re-render). */
  promptOpen?: boolean;
  onPromptToggle?: (open: boolean) => void;
  /** Shown first, under the title: what this prompt is best read by (the per-step view of a benchmark prompt). */
  lead?: HTMLElement | null;
  /** "Why the runs disagree": show a column in the heatmap and the traces; open a run's text (its index). */
  onColumn?: (col: number) => void;
  onOpenRun?: (run: number) => void;
  /** Without a target: make a class's answer the prompt's reference (Set as reference). */
  onSetReference?: (answer: string) => void;
  /**
   * Change how the replies are classed (in VS Code, for replies, not trajectories): class them by
   * meaning with a judge, or merge or split the class of run `run` (the host asks which class or
   * which replies, and keeps the choice in the run file).
   */
  onClasses?: (action: "judge" | "merge" | "split", run?: number) => void;
}

/**
 * "Why the runs disagree" (src/core/deciding.ts): each class's deciding step beside the path it
 * left, its runs, a link to the column and to the run that shows it; what it is measured
 * against (the reference class's path, else the largest class's, said as such).
 */
function whyBlock(m: PromptModel, o: HeaderOptions): HTMLElement | null {
  const p = m.p;
  const ds = decidingSteps(p);
  if (ds.length === 0) return null;
  const against = { reference: "each class against the reference class's path", unreached: "each class against the largest class's path — no run reached the reference", none: "each class against the largest class's path — no reference, so the majority is not known to be right" }[decidingBasis(p)];
  const side = (sd: DecidingSide) => h("span", { class: "why-step" }, span("why-runs", plural(sd.runs, "run")), " ", sd.step === null ? span("muted", sd.stops ? "no further step" : "no step here") : h("code", null, truncate(shownStep(sd.step), 90)), sd.step !== null && sd.stops ? span("muted", ", then stop") : null);
  const rows = ds.map((d) => {
    const a = p.answers[d.cls]!;
    const slot = m.classSlot[d.cls] ?? "other";
    const links = h(
      "span",
      { class: "why-links" },
      d.column !== null ? h("button", { class: "link", attrs: { type: "button" }, title: "show this column in the heatmap and the traces", on: { click: () => o.onColumn?.(d.column!) } }, `column ${d.column}`) : null,
      d.column !== null ? span("muted", " · ") : null,
      h("button", { class: "link", attrs: { type: "button" }, title: "open the run that keeps to this class's path most", on: { click: () => o.onOpenRun?.(d.representative) } }, `run #${d.representative}`),
    );
    return h(
      "div",
      { class: `why-row cls-${slot}` },
      span("swatch-cls"),
      h("span", { class: "why-cls" }, truncate(answerLabel(a), 28), a.reference ? " ✓" : ""),
      d.column === null ? span("muted", "the same steps as the class compared; only the answer differs") : h("span", { class: "why-sides" }, side(d.self), span("why-vs", "vs"), side(d.other)),
      links,
    );
  });
  return h("div", { class: "why" }, span("kpi-label", "why the runs disagree"), span("muted why-note", ` ${against}`), ...rows);
}

export function renderHeader(m: PromptModel, o: HeaderOptions): HTMLElement {
  const p = m.p;
  const facts = h(
    "div",
    { class: "facts" },
    fact("n", String(p.n)),
    p.expectedAction !== undefined
      ? fact("expected action", truncate(p.expectedAction, 60), `${p.expectedAction}: a rerun is right when its first call is ${/[({]/.test(p.expectedAction) ? "exactly this call" : "a call of this tool"}`)
      : fact("target", p.target === "none" ? "none" : p.target === "flags" ? "correct flags" : "reference"),
    p.reference !== null && p.target !== "none" ? fact("reference", truncate(p.reference, 60), p.reference) : null,
    // which comparison made the classes (src/core/answerspec.ts): said when it is not §2's exact key
    fact(
      "classes",
      p.comparison && p.comparison !== "exact" ? `${p.classes} by ${p.comparison}` : String(p.classes),
      `answer classes by ${p.comparison ?? "exact"}${p.comparison && p.comparison !== "exact" ? "" : " (the normalised answer)"}${p.extraction ? `, answers read by ${p.extraction}` : ""}`,
    ),
    p.forkColumn !== null ? fact("fork", `column ${p.forkColumn} of ${p.columns.length}`) : fact("fork", "none"),
    p.extractedAnswers > 0 ? fact("extracted", `${p.extractedAnswers} of ${p.n} answers read from text${p.extraction ? ` by ${p.extraction}` : ""}`) : null,
    ...agentFacts(p),
  );
  const title = h(
    "div",
    { class: "title-row" },
    h("h2", { title: p.id }, p.id),
    p.model ? h("span", { class: "tag model", title: "model" }, p.model) : null,
    p.model === SIMULATED_MODEL
      ? h(
          "span",
          {
            class: "tag sim",
            title: "These runs come from Hot Mess Inspector's offline simulated reasoner: no model was called, and its traces and answers are made up. Set an API key (Hot Mess: Set API Key, or ANTHROPIC_API_KEY / OPENAI_API_KEY for the CLI) to rerun the prompt on a real model.",
          },
          "Simulated — no model was called",
        )
      : null,
    p.optimizer ? h("span", { class: "tag", title: "optimizer benchmark" }, "optimizer benchmark") : null,
  );
  return h(
    "section",
    { class: "prompt-head", attrs: { "aria-label": "prompt summary" } },
    title,
    o.lead ?? null,
    p.prompt ? promptText(p.prompt, o) : null,
    facts,
    whyBlock(m, o),
    h("div", { class: "head-grid" }, headline(p), answers(m, o), decompositions(p, o.onSetReference !== undefined)),
  );
}

/**
 * An agent prompt's tool calls a run and its fork action (METRICS.md §11: counted from 1 here,
 * as people count), with why the runs parted there; the hover lists what each group called.
 */
function agentFacts(p: PromptAnalysis): HTMLElement[] {
  const ag = p.agent;
  if (!ag) return [];
  const lo = Math.min(...ag.toolCalls);
  const hi = Math.max(...ag.toolCalls);
  const calls = fact("tool calls", ag.toolCalls.length === 0 ? "0" : lo === hi ? `${lo} a run` : `${lo}–${hi} a run`);
  if (ag.forkAction === null) return [calls, fact("fork action", "none: every run took the same actions")];
  const cause = ag.forkCause ? (ag.forkCause.kind === "policy" ? "the policy" : "the environment") : "";
  const groups = (ag.forkActions ?? []).map((g) => `${plural(g.count, "run")}: ${truncate(g.key, 160)}`).join("\n");
  const title = [ag.forkCause?.detail ?? "", groups].filter(Boolean).join("\n\n");
  const facts = [calls, fact("fork action", `${ag.forkAction + 1}${cause ? ` · ${cause}` : ""}`, title)];
  // calls of one tool that differ only by their arguments: the split by tool too
  const byTool = toolTally(ag.forkActions ?? []);
  if (byTool.length > 0 && byTool.length < (ag.forkActions ?? []).length) facts.push(fact("by tool", byTool.map(([name, n]) => `${n} ${name}`).join(" · "), "the runs' actions at the fork, grouped by the tool they called whatever its arguments"));
  return facts;
}

function fact(label: string, value: string, title?: string): HTMLElement {
  return h("span", { class: "fact", title: title ?? "" }, span("label", label), " ", span("value", value));
}

function promptText(text: string, o: HeaderOptions): HTMLElement {
  const first = text.split("\n").find((l) => l.trim()) ?? "";
  const d = h("details", { class: "prompt-text" }, h("summary", { attrs: { "data-fk": "prompt-text" } }, span("label", "prompt "), truncate(first, 140)), h("pre", null, text));
  d.open = !!o.promptOpen;
  d.addEventListener("toggle", () => o.onPromptToggle?.(d.open));
  return d;
}

/**
 * The big figure: the incoherence estimate with its interval (or, below 5 reruns, the caveat
 * in its place), how many more reruns would bring the interval under ±0.05, and what a
 * majority vote would do; disagreement without a target.
 */
function headline(p: PromptAnalysis): HTMLElement {
  const b = p.brier;
  if (!b) {
    return h(
      "div",
      { class: "kpi" },
      span("kpi-label", "incoherence"),
      h("div", { class: "kpi-value none" }, DASH, span("kpi-note", " no target")),
      h("div", { class: "kpi-sub" }, "disagreement ", span("num", fmt(p.disagreement)), " · entropy ", span("num", fmt(p.entropy)), " nats"),
      track(p.disagreement, null, "disagreement", ["0 all agree", "1"]),
    );
  }
  const x = b.estimate;
  const m = headlineModel(p);
  return h(
    "div",
    { class: "kpi", attrs: { "data-fk": "headline" } },
    span("kpi-label", "incoherence (Brier)"),
    h(
      "div",
      { class: "kpi-value", title: m.text ? `incoherence ${m.text}: the estimate${b.ci95 ? " and its 95% interval" : ""} (the plug-in is ${fmt(b.incoherence)})` : "" },
      x === null ? DASH : fmt(x),
      " ",
      b.ci95 ? span("kpi-ci", fmtCi(b.ci95)) : null,
      x === null ? span("kpi-note", " no error to split") : null,
    ),
    m.caveat ? h("div", { class: "kpi-caveat" }, m.caveat) : null,
    track(x, b.ci95, "incoherence", ["0 paperclip", "hot mess 1"]),
    m.reruns ? h("div", { class: "kpi-reruns" }, m.reruns) : null,
    h("div", { class: "kpi-sub" }, "plug-in ", span("num", fmt(b.incoherence)), " · disagreement ", span("num", fmt(p.disagreement))),
    ensemble(p, m.verdict),
  );
}

/** The paper's ensembling, compactly: a majority of 1 / 3 / 5 / 10 reruns, its incoherence and accuracy, and the verdict. */
function ensemble(p: PromptAnalysis, verdict: string | null): HTMLElement | null {
  const rows = p.ensemble;
  if (!rows || rows.length === 0) return null;
  const row = (label: string, cells: string[]) => h("tr", null, h("th", { attrs: { scope: "row" } }, label), ...cells.map((c) => h("td", { class: "num" }, c)));
  return h(
    "div",
    { class: "ensemble", attrs: { "data-fk": "ensemble" } },
    span("kpi-label", "majority vote"),
    h(
      "table",
      { class: "ensemble-table", title: "Projected from this prompt's answer shares: the answer most of E reruns give (ties at random)" },
      h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "of"), ...rows.map((r) => h("th", { class: "num", attrs: { scope: "col" } }, String(r.e))))),
      h(
        "tbody",
        null,
        row("incoherence", rows.map((r) => fmt(r.incoherence, 2))),
        row("accuracy", rows.map((r) => pct(r.accuracy))),
      ),
    ),
    verdict ? h("div", { class: "ensemble-verdict muted" }, verdict) : null,
  );
}

/** A 0–1 track with the interval as a band and the estimate as a tick. */
function track(x: number | null, ci: Interval | null, what: string, [left, right]: [string, string]): HTMLElement {
  const t = h("div", { class: "track", attrs: { role: "img", "aria-label": `${what} ${fmt(x)} ${fmtCi(ci)} on 0 to 1` } });
  t.append(span("track-mid"));
  if (ci) {
    const band = span("track-ci");
    band.style.left = pct(clamp01(ci[0]), 2);
    band.style.width = pct(clamp01(ci[1]) - clamp01(ci[0]), 2);
    t.append(band);
  }
  if (x !== null) {
    const tick = span("track-x");
    tick.style.left = pct(clamp01(x), 2);
    t.append(tick);
  }
  t.append(h("span", { class: "track-lab l" }, left), h("span", { class: "track-lab r" }, right));
  return t;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function answers(m: PromptModel, o: HeaderOptions): HTMLElement {
  const p = m.p;
  const rows = h("div", { class: "classes", attrs: { role: "group", "aria-label": "answer classes: click one to show only its runs" } });
  const shown = p.answers.slice(0, MAX_CLASSES);
  const max = Math.max(1, ...p.answers.map((a) => a.count));
  const filtering = o.filter.size > 0 && p.runs.some((r) => o.filter.has(m.classKeys[r.answerClass] ?? ""));
  // replies (not an agent's actions, not a benchmark's vectors) can be classed again by hand or by a judge
  const reclassable = o.onClasses !== undefined && !p.agent && !p.optimizer;
  shown.forEach((a, i) => {
    const slot = m.classSlot[i] ?? "other";
    const key = m.classKeys[i]!;
    const bar = span(`bar cls-${slot}`);
    bar.style.width = pct(a.count / max, 2);
    const label = answerLabel(a);
    const examples = a.examples.length ? `\nraw answers: ${a.examples.join(" | ")}` : "";
    const on = filtering && o.filter.has(key);
    const row = h(
      "button",
      {
        class: "class-row" + (a.reference ? " ref" : "") + (a.key === null ? " noanswer" : "") + (on ? " on" : filtering ? " off" : ""),
        title: `${label}${a.reference ? " (reference)" : ""}: ${a.count} of ${p.n}${examples}\nClick to show only these runs below (again to show all); several classes can be on.`,
        attrs: {
          type: "button",
          "aria-pressed": String(on),
          "aria-label": `${label}${a.reference ? ", the reference" : ""}: ${a.count} of ${p.n} runs. Show only these runs`,
          "data-fk": `class-row:${key}`,
        },
        on: { click: () => o.onFilter(key) },
      },
      h("span", { class: "class-key" }, truncate(label, 28)),
      h("span", { class: "class-bar" }, bar),
      h("span", { class: "class-count num" }, String(a.count), span("muted", ` ${pct(a.count / p.n)}`)),
      h("span", { class: "class-mark" }, a.reference ? "✓" : ""),
    );
    if (a.count === 0) row.disabled = true;
    const actions: HTMLElement[] = [];
    if (p.target === "none" && a.key !== null && o.onSetReference) {
      const answer = a.key;
      actions.push(
        h(
          "button",
          {
            class: "class-setref",
            title: `Make ${label} the reference: written as "reference:" into the prompt file, and the incoherence is measured against it`,
            attrs: { type: "button", "aria-label": `Set ${label} as the reference`, "data-fk": `class-setref:${key}` },
            on: { click: () => o.onSetReference!(answer) },
          },
          "✓ set as reference",
        ),
      );
    }
    // merge and split act on a run of the class: the host finds its replies in the run file
    const member = reclassable ? p.runs.find((r) => r.answerClass === i) : undefined;
    if (member && a.key !== null) {
      const act = (what: "merge" | "split", text: string, title: string) =>
        h("button", { class: "class-act", title, attrs: { type: "button", "aria-label": `${text} the class ${label}`, "data-fk": `class-${what}:${key}` }, on: { click: () => o.onClasses!(what, member.index) } }, text);
      if (p.answers.filter((x) => x.key !== null).length > 1) actions.push(act("merge", "merge…", `Merge ${label} into another class (answers that mean the same): kept in the run file, over any judge`));
      actions.push(act("split", "split…", `Take some of ${label}'s replies out into a class of their own: kept in the run file, over any judge`));
    }
    rows.append(actions.length ? h("div", { class: "class-line" }, row, ...actions) : row);
  });
  const rest = p.answers.slice(MAX_CLASSES);
  if (rest.length) {
    const runs = rest.reduce((s, a) => s + a.count, 0);
    rows.append(h("div", { class: "class-more muted" }, `+ ${plural(rest.length, "more class", "more classes")}, ${plural(runs, "run")} (in the filter row above the traces)`));
  }
  // A benchmark's answer is a vector: every run is a class of its own, which is expected, not a failure.
  const caption = p.optimizer ? h("p", { class: "caption muted" }, "each answer is a vector: every run lands somewhere slightly different — the per-step view above is the one to read") : null;
  const judge = reclassable
    ? h(
        "button",
        {
          class: "link class-judge",
          title: "Class the replies by meaning: a judge (offline, or a model at a cost shown first) says which replies give the same answer; its verdicts are kept in the run file",
          attrs: { type: "button", "data-fk": "class-judge" },
          on: { click: () => o.onClasses!("judge") },
        },
        "class by meaning…",
      )
    : null;
  return h("div", { class: "answers" }, h("div", { class: "answers-head" }, span("kpi-label", `answers · ${plural(p.classes, "class", "classes")}`), judge), caption, rows);
}

function decompositions(p: PromptAnalysis, settable = false): HTMLElement {
  if (!p.brier && !p.binary && !p.kl)
    return h(
      "div",
      { class: "decomps" },
      span("kpi-label", "decomposition"),
      h("p", { class: "muted note" }, `No target (no reference and no correct flags): bias² and the incoherence need one.${settable ? " Set one from a class (✓ set as reference)." : ""} Disagreement and entropy measure the spread of the answers alone.`),
    );
  const rows: [string, Decomposition | null][] = [
    ["Brier", p.brier],
    ["binary", p.binary],
  ];
  if (p.kl) rows.push(["KL", p.kl]);
  const table = h(
    "table",
    { class: "decomp" },
    h(
      "thead",
      null,
      h("tr", null, h("th", null, ""), h("th", null, "bias²"), h("th", null, "variance"), h("th", null, "error"), h("th", { title: "the estimate (Brier: finite-sample corrected; binary: the success rate; KL: the plug-in) and its 95% interval" }, "incoherence"), h("th", { title: "variance / error as the paper computes it: biased low at small n" }, "plug-in")),
    ),
    h(
      "tbody",
      null,
      ...rows.map(([name, d]) =>
        h(
          "tr",
          null,
          h("th", null, name),
          h("td", null, d ? fmt(d.bias2) : DASH),
          h("td", null, d ? fmt(d.variance) : DASH),
          h("td", null, d ? fmt(d.error) : DASH),
          h("td", { title: d?.ci95 ? `95% interval ${fmtCi(d.ci95)}` : d?.estimate != null && p.caveat ? p.caveat : "" }, d ? fmt(d.estimate) : DASH, d?.ci95 ? span("muted ci", " " + fmtCi(d.ci95, 2)) : d?.estimate != null && p.caveat ? span("muted ci", ` n < ${MIN_RUNS_FOR_INTERVAL}`) : null),
          h("td", null, d ? fmt(d.incoherence) : DASH),
        ),
      ),
    ),
  );
  return h("div", { class: "decomps" }, span("kpi-label", p.brier ? "decomposition" : "decomposition · no target"), table);
}
