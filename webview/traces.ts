// The traces side by side: one row per aligned column, one column per run shown. Every step is
// set as text (model text is untrusted); in a cell outside the consensus group the words that
// are not in the column's consensus step are highlighted. Gaps are hatched, cells tinted by
// divergence, the fork row marked (an agent prompt's: the fork action's, with its cause). Only
// the columns the caller passes are rows ("actions only"), under their own column numbers.
// Stretches of shown columns where every run shown agrees fold into one "N identical steps" row.
// Past VIRTUAL_CELLS cells only the rows in view (and a margin) are in the document, between two
// spacer rows that keep the scroll height. A run's header opens its thinking and its reply below.
// An agent prompt's steps are cards (cards.ts): tool calls with their arguments, results folded.
import type { Cell, Run, Step } from "../src/core/types";
import { forkMark, shownStretches } from "./actions";
import { divergenceFrom, groupRole } from "../src/core/refpath";
import { stepCard } from "./cards";
import { rerunnable } from "./trajectory";
import { diffWords, worthShowing } from "./diff";
import { h, span } from "./dom";
import { answerLabel, fmt, plural, truncate } from "./format";
import { agreeing, stepsText, type PromptModel } from "./model";
import { cardLines, checksLabel, checksTitle, runOutcome } from "./trajectory";
import { RowLayout } from "./virtual";

/** Agreeing stretches shorter than this stay unfolded (folding two rows into one saves little). */
export const MIN_FOLD = 3;
/** Past this many cells (rows × runs shown) only the rows in view are in the document. */
export const VIRTUAL_CELLS = 2400;
/** Pixels of rows kept in the document above and below the view (virtualised). */
const MARGIN = 360;

export interface TracesOptions {
  m: PromptModel;
  /** Positions (in p.runs) of the runs shown, in display order. */
  order: number[];
  width: number;
  /** The page's font size in px (the table's text is 0.92 of it). */
  fontSize: number;
  /** Fold stretches of columns where every run shown agrees. */
  fold: boolean;
  /** The aligned columns shown, ascending (see shownColumns); absent: all of them. */
  columns?: number[];
  /** The first columns of stretches the user unfolded; kept by the caller across renders. */
  unfolded: Set<number>;
  onPick: (col: number, pos: number) => void;
  /** The open run changed (its index, or null). */
  onOpen?: (run: number | null) => void;
  /**
   * "Rerun from here" on an agent's step of the open run (a host that can run it: VS Code): the
   * run's index and the trajectory step's index. Absent: no such button.
   */
  rerunFrom?: (run: number, step: number) => void;
}

/** What a re-render should keep: the row at the top and how far into it, the sideways scroll, the open run. */
export interface TracesMemory {
  anchor: { col: number; offset: number } | null;
  left: number;
  open: number | null;
}

export interface TracesHandle {
  element: HTMLElement;
  /** Call once the element is in the document: lays out the rows in view (at a remembered place). */
  mount(memory?: TracesMemory | null): void;
  /** Highlight a column (and a run's cell in it) and scroll it into view. */
  select(col: number | null, pos: number | null, scroll?: boolean): void;
  memory(): TracesMemory;
  /** Open a run's text (by its index in the run list), or close it. */
  open(run: number | null): void;
  destroy(): void;
}

/** A row of the table: one aligned column, or a folded stretch of them. */
interface Item {
  col: number;
  to: number;
  fold: boolean;
  /** Columns shown in the row (a stretch may pass over columns not shown). */
  count: number;
}

let detailIds = 0;

/** The number (from 1) of the call at step k among the run's calls. */
function callNo(steps: readonly Step[], k: number): number {
  let n = 0;
  for (let i = 0; i <= k; i++) if (steps[i]!.kind === "tool_call") n++;
  return n;
}

export function renderTraces(o: TracesOptions): TracesHandle {
  const { m, order } = o;
  const p = m.p;
  const n = order.length;
  const runW = Math.round(Math.min(320, Math.max(150, (o.width - 64) / Math.max(1, n))));
  // The columns shown (rows of the table) and the place of each aligned column among them.
  const shown = o.columns ?? p.columns.map((_, j) => j);
  const shownAt = new Int32Array(p.columns.length).fill(-1);
  shown.forEach((j, i) => (shownAt[j] = i));
  const fork = forkMark(m);
  const virtual = shown.length * n > VIRTUAL_CELLS;
  const table = h("table", {
    class: fork?.action ? "traces fork-action" : "traces",
    attrs: { "aria-rowcount": String(shown.length + 1), "aria-colcount": String(n + 1), "data-columns": String(shown.length) },
  });
  table.style.setProperty("--run-w", `${runW}px`);
  const detailId = `hm-run-detail-${++detailIds}`;

  // Cells by run index, per column (the analysis lists every run in every column, gaps included).
  const cellOf = (j: number, run: number): Cell | undefined => {
    const cells = p.columns[j]!.cells;
    const c = cells[run];
    return c && c.run === run ? c : cells.find((x) => x.run === run);
  };

  // ---- header: one button per run, coloured by answer class; one tab stop, arrows move
  const headRow = h("tr", { attrs: { "aria-rowindex": "1" } }, h("th", { class: "corner", title: "aligned column", attrs: { scope: "col" } }, "col"));
  const buttons: HTMLButtonElement[] = [];
  order.forEach((pos, k) => {
    const run = p.runs[pos]!;
    const cls = p.answers[run.answerClass];
    const slot = m.classSlot[run.answerClass] ?? "other";
    const mark = run.correct === true ? span("ok", "✓") : run.correct === false ? span("bad", "✗") : null;
    const label = answerLabel(cls);
    const what = p.agent ? "trajectory" : run.fromThinking ? (run.reply ? "thinking and reply" : "thinking") : "text";
    const out = p.agent ? outcomeOf(run) : null;
    const btn = h(
      "button",
      {
        class: "run-btn",
        title: `run #${run.index}: answer ${label}${run.answerExtracted ? " (read from text)" : ""}${out ? out.title : ""}, ${plural(run.steps.length, "step")}, ${run.length} characters${run.fromThinking ? " of thinking" : ""}. Click to read its ${what}; ←/→ move between runs.`,
        attrs: {
          type: "button",
          tabindex: k === 0 ? "0" : "-1",
          "aria-expanded": "false",
          "aria-controls": detailId,
          "data-fk": `run:${run.index}`,
          "aria-label": `run ${run.index}, answer ${label}${run.correct === true ? ", correct" : run.correct === false ? ", wrong" : ""}${out ? out.title : ""}: show its ${what}`,
        },
      },
      span("run-idx", `#${run.index}`),
      " ",
      mark,
      mark ? " " : null,
      // an agent run's reward says more than its answer class (which is made from it)
      out?.reward ? span("run-reward", out.reward) : span("run-ans", truncate(label, 24)),
      out?.meta ?? null,
    );
    btn.dataset.pos = String(pos);
    buttons.push(btn);
    const th = h("th", { class: `run-h cls-${slot}`, attrs: { scope: "col" } }, btn);
    th.dataset.pos = String(pos);
    headRow.append(th);
  });
  const thead = h("thead", null, headRow);
  const tbody = h("tbody");
  table.append(thead, tbody);

  // ---- the rows: columns, and folded stretches
  let sel: { col: number | null; pos: number | null } = { col: null, pos: null };
  // Stretches over the columns shown (the fork action's column never folds), as aligned columns.
  const agree = agreeing(m, order);
  const runsOf = shownStretches(
    agree.map((a, j) => a && j !== fork?.col),
    shown,
    MIN_FOLD,
  );
  const stretchAt = new Map<number, [number, number]>();
  for (const s of runsOf) for (let i = shownAt[s[0]]!; i <= shownAt[s[1]]!; i++) stretchAt.set(shown[i]!, s);
  let items: Item[] = [];
  /** The row of each aligned column (a column not shown: the row of the next one shown). */
  let itemOf = new Int32Array(p.columns.length);
  const buildItems = () => {
    items = [];
    let folds = 0;
    for (let i = 0; i < shown.length; i++) {
      const j = shown[i]!;
      const s = stretchAt.get(j);
      if (o.fold && s && s[0] === j && !o.unfolded.has(j)) {
        const to = shownAt[s[1]]!;
        for (let k = i; k <= to; k++) itemOf[shown[k]!] = items.length;
        items.push({ col: s[0], to: s[1], fold: true, count: to - i + 1 });
        folds++;
        i = to;
      } else {
        itemOf[j] = items.length;
        items.push({ col: j, to: j, fold: false, count: 1 });
      }
    }
    let next = Math.max(0, items.length - 1);
    for (let j = p.columns.length - 1; j >= 0 && shown.length < p.columns.length; j--) {
      if (shownAt[j]! < 0) itemOf[j] = next;
      else next = itemOf[j]!;
    }
    table.dataset.folds = String(folds);
    table.dataset.virtual = String(virtual);
  };
  itemOf = new Int32Array(p.columns.length);
  buildItems();

  // what a step outside its column's base group is compared with, in words
  const onRef = p.divergenceBasis?.kind === "reference";
  const baseStep = onRef ? "the reference path's step" : "the column's consensus step";
  const diffs = new Map<string, ReturnType<typeof diffWords> | null>();
  /** The word diff of a cell against its column's consensus, when it is worth showing. */
  const diffOf = (j: number, pos: number, text: string, c: Cell): ReturnType<typeof diffWords> | null => {
    if (c.group === null || c.group === m.base[j]) return null;
    const base = m.consensus[j];
    if (!base || !text) return null;
    const key = `${j}:${pos}`;
    let d = diffs.get(key);
    if (d === undefined) {
      const w = diffWords(text, base);
      d = worthShowing(w) ? w : null;
      diffs.set(key, d);
    }
    return d;
  };
  const withDiff = (el: HTMLElement, text: string, d: ReturnType<typeof diffWords> | null) => {
    if (!d) {
      el.append(text);
      return;
    }
    for (const s of d.segments) el.append(s.changed ? span("df", s.text) : s.text);
  };

  /** A trajectory step's card; outside the consensus, compared with the column's consensus step. */
  const cardOf = (j: number, pos: number, step: Step, c: Cell): HTMLElement =>
    stepCard(step, c.group === null || c.group === m.base[j] ? undefined : { base: m.consensus[j] ?? null, words: () => diffOf(j, pos, step.text, c) });

  const colHead = (j: number): HTMLElement => {
    const col = p.columns[j]!;
    const gaps = m.gaps[j] ?? 0;
    const isFork = j === fork?.col;
    const base = m.consensus[j];
    const th = h(
      "th",
      {
        class: "col-h",
        attrs: { scope: "row" },
        title: `column ${j}: ${plural(col.groups, "group")}, ${plural(p.n - gaps, "run")} with a step, ${plural(gaps, "gap")}${base ? `\n${onRef ? "reference path's step" : "consensus step"}: ${truncate(base, 200)}` : ""}`,
      },
      span("col-idx", String(j)),
      isFork ? h("span", { class: fork.cause ? "fork-badge cause" : "fork-badge", title: fork.cause?.detail ?? "" }, fork.badge) : null,
      col.groups > 1 ? span("col-groups", `${col.groups}g`) : null,
    );
    const s = stretchAt.get(j);
    if (o.fold && s && s[0] === j && o.unfolded.has(j)) {
      th.append(
        h(
          "button",
          { class: "refold", title: `Fold columns ${s[0]}–${s[1]} again`, attrs: { type: "button", "aria-label": `fold columns ${s[0]} to ${s[1]} again` } },
          "fold",
        ),
      );
    }
    return th;
  };

  const buildColumnRow = (j: number): HTMLTableRowElement => {
    const tr = document.createElement("tr");
    tr.dataset.col = String(j);
    tr.setAttribute("aria-rowindex", String(shownAt[j]! + 2));
    const s = stretchAt.get(j);
    tr.className = (j === fork?.col ? "fork" : "") + (s ? " agree" : "") + (s && s[0] === j ? " agree-first" : "") + (s && s[1] === j ? " agree-last" : "");
    if (sel.col === j) tr.classList.add("sel");
    tr.append(colHead(j));
    for (const pos of order) {
      const run = p.runs[pos]!;
      const c = cellOf(j, run.index);
      const td = document.createElement("td");
      td.setAttribute("data-pos", String(pos));
      if (!c || c.step === null) {
        td.className = sel.col === j && sel.pos === pos ? "gap sel" : "gap";
      } else {
        const step = run.steps[c.step];
        const text = step?.text ?? "";
        const bucket = Math.round(Math.min(1, Math.max(0, c.divergence)) * 10);
        td.className = `dv${bucket}${c.group !== m.base[j] ? " alt" : ""}${sel.col === j && sel.pos === pos ? " sel" : ""}${step?.kind ? " card" : ""}`;
        if (step?.kind) td.append(cardOf(j, pos, step, c));
        if (c.group !== null && c.group !== m.base[j]) {
          if (!step?.kind) withDiff(td, text, diffOf(j, pos, text, c));
          const g = document.createElement("span");
          g.className = "grp";
          g.textContent = `g${c.group}`;
          td.append(g);
        } else if (!step?.kind) td.textContent = text;
      }
      tr.append(td);
    }
    return tr;
  };

  const cellTitle = (j: number, pos: number): string => {
    const run = p.runs[pos];
    const c = run ? cellOf(j, run.index) : undefined;
    if (!run || !c || c.step === null) return `run #${run?.index ?? "?"}: no step in column ${j}`;
    const step = run.steps[c.step];
    const text = step?.text ?? "";
    const role = groupRole(p.columns[j]!, c.group, p.divergenceBasis);
    const head = `run #${run.index} · column ${j} · group ${c.group}${role ? ` (${role})` : ""} of ${p.columns[j]!.groups} · divergence ${fmt(c.divergence, 2)} ${divergenceFrom(p.divergenceBasis)}`;
    const base = m.consensus[j];
    // a card compares itself (a call's arguments line by line): say with what
    if (step?.kind && c.group !== m.base[j] && base) return `${head}\nhighlighted: what differs from ${baseStep} “${truncate(base, 160)}”`;
    const d = diffOf(j, pos, text, c);
    return head + (d ? `\nhighlighted: not in ${baseStep} “${truncate(base ?? "", 160)}”` : "");
  };

  const buildFoldRow = (it: Item): HTMLTableRowElement => {
    const count = it.count;
    const first = m.consensus[it.col];
    const last = m.consensus[it.to];
    const btn = h(
      "button",
      {
        class: "fold-btn",
        attrs: { type: "button", "aria-expanded": "false", "aria-label": `show columns ${it.col} to ${it.to}: ${count} steps where every run shown agrees` },
      },
      span("fold-caret", "▸"),
      ` ${count} identical steps`,
    );
    const note = span(
      "fold-note",
      `every run shown is in the consensus (or skips the step)`,
      first ? span("fold-text", ` · “${truncate(first, 60)}”`) : null,
      last && count > 1 ? span("fold-text", ` … “${truncate(last, 60)}”`) : null,
    );
    const tr = h(
      "tr",
      { class: "fold", title: `columns ${it.col}–${it.to}: click to show them`, attrs: { "aria-rowindex": String(shownAt[it.col]! + 2) } },
      h("th", { class: "col-h", attrs: { scope: "row" } }, span("col-idx", `${it.col}–${it.to}`)),
      h("td", { class: "fold-cell", attrs: { colspan: String(Math.max(1, n)) } }, h("div", { class: "fold-inner" }, btn, note)),
    );
    tr.dataset.from = String(it.col);
    tr.dataset.to = String(it.to);
    return tr;
  };

  // Rows are built once and kept (scrolling back costs nothing); keyed by column.
  const rowCache = new Map<string, HTMLTableRowElement>();
  const keyOf = (it: Item) => (it.fold ? `f${it.col}` : `c${it.col}`);
  const rowAt = (i: number): HTMLTableRowElement => {
    const it = items[i]!;
    const key = keyOf(it);
    let tr = rowCache.get(key);
    if (!tr) {
      tr = it.fold ? buildFoldRow(it) : buildColumnRow(it.col);
      rowCache.set(key, tr);
    }
    return tr;
  };

  // ---- geometry: estimated row heights until rows are measured
  const measured = new Map<string, number>();
  let layout = new RowLayout([]);
  let lineH = 17;
  let charW = 6.2;
  const estimate = (it: Item): number => {
    if (it.fold) return measured.get(keyOf(it)) ?? lineH + 13;
    const known = measured.get(keyOf(it));
    if (known !== undefined) return known;
    const j = it.col;
    const perLine = Math.max(8, Math.floor(((runW - 14) / charW) * 0.9));
    let lines = 1;
    for (const pos of order) {
      const run = p.runs[pos]!;
      const c = cellOf(j, run.index);
      if (!c || c.step === null) continue;
      const step = run.steps[c.step];
      const text = step?.text ?? "";
      const cpl = c.group !== m.base[j] ? perLine - 3 : perLine;
      let l = 0;
      if (step?.kind) l = cardLines(step, cpl);
      else for (const para of text.split("\n")) l += Math.max(1, Math.ceil(para.length / cpl));
      if (l > lines) lines = l;
    }
    return lines * lineH + 9;
  };
  const relayout = () => {
    layout = new RowLayout(items.map(estimate));
    items.forEach((it, i) => {
      const hgt = measured.get(keyOf(it));
      if (hgt !== undefined) layout.set(i, hgt);
    });
  };

  // ---- the window of rows in the document
  const pad = (): HTMLTableRowElement => {
    const td = h("td", { attrs: { colspan: String(n + 1) } });
    const tr = h("tr", { class: "vpad", attrs: { "aria-hidden": "true" } }, td);
    tr.hidden = true;
    return tr;
  };
  const topPad = pad();
  const bottomPad = pad();
  const setPad = (tr: HTMLTableRowElement, px: number) => {
    tr.hidden = px < 0.5;
    (tr.firstElementChild as HTMLElement).style.height = `${Math.max(0, px)}px`;
  };
  let first = 0;
  let last = -1;
  let mounted = false;
  let headH = 0;
  let viewH = 600;
  /** The height the rows can show: the box's max-height (min(75vh, 900px), as in the CSS) less the header. */
  const viewport = (laidOut = true) => Math.max(laidOut ? scroller.clientHeight : 0, Math.min(900, window.innerHeight * 0.75)) - headH;
  // Rows kept beyond the view, above and below: small for the first paint, then a screenful.
  let marginPx = 60;
  const margin = () => marginPx;

  const renderWindow = (a: number, b: number) => {
    if (b < a) {
      tbody.replaceChildren();
      first = 0;
      last = -1;
      return;
    }
    if (last < first || a > last || b < first) {
      const frag = document.createDocumentFragment();
      for (let i = a; i <= b; i++) frag.append(rowAt(i));
      if (virtual) tbody.replaceChildren(topPad, frag, bottomPad);
      else tbody.replaceChildren(frag);
    } else {
      for (let i = first; i < a; i++) rowAt(i).remove();
      for (let i = b + 1; i <= last; i++) rowAt(i).remove();
      if (a < first) {
        const frag = document.createDocumentFragment();
        for (let i = a; i < first; i++) frag.append(rowAt(i));
        topPad.after(frag);
      }
      if (b > last) {
        const frag = document.createDocumentFragment();
        for (let i = last + 1; i <= b; i++) frag.append(rowAt(i));
        bottomPad.before(frag);
      }
    }
    first = a;
    last = b;
    if (virtual) {
      setPad(topPad, layout.top(a));
      setPad(bottomPad, layout.total() - layout.top(b + 1));
    }
  };

  /** Records the heights of the rows in the document (layout must be clean, or this forces it). */
  const measure = () => {
    for (let i = first; i <= last; i++) {
      const tr = rowAt(i);
      const hgt = tr.getBoundingClientRect().height;
      if (hgt > 0) {
        measured.set(keyOf(items[i]!), hgt);
        layout.set(i, hgt);
      }
    }
  };

  /** Puts row i's top `off` pixels above the top of the rows' viewport (under the sticky header). */
  const jumpTo = (i: number, off: number) => {
    headH = thead.getBoundingClientRect().height || headH;
    if (!virtual) {
      const tr = rowAt(i);
      scroller.scrollTop = Math.max(0, tr.offsetTop - headH + off);
      return;
    }
    const y = layout.top(i) + off;
    const [a, b] = layout.range(Math.max(0, y - margin()), y + viewH + margin());
    renderWindow(Math.min(a, i), Math.max(b, i));
    measure();
    setPad(bottomPad, layout.total() - layout.top(last + 1));
    scroller.scrollTop = Math.max(0, layout.top(i) + off);
  };

  let busy = false;
  /** On scroll: keep the rows in view (plus a margin) in the document, and the content still. */
  const update = () => {
    if (!virtual || !mounted || busy || !scroller.isConnected) return;
    busy = true;
    try {
      const st = scroller.scrollTop;
      headH = thead.getBoundingClientRect().height || headH;
      viewH = viewport();
      measure();
      const anchor = layout.indexAt(st);
      const off = st - layout.top(anchor);
      const M = margin();
      // Shift the window in small steps (a row or two at a time) rather than a screenful at once.
      const [na, nb] = layout.range(Math.max(0, st - M * 0.85), st + viewH + M * 0.85);
      if (na >= first && nb <= last) {
        setPad(bottomPad, layout.total() - layout.top(last + 1));
        prebuild();
        return;
      }
      const [a, b] = layout.range(Math.max(0, st - M), st + viewH + M);
      renderWindow(a, b);
      // Rows put in above the anchor had estimated heights: measure them now, before the frame
      // is painted, and keep the anchor row where it was.
      measure();
      setPad(bottomPad, layout.total() - layout.top(last + 1));
      const want = layout.top(anchor) + off;
      if (Math.abs(want - st) >= 0.5) scroller.scrollTop = want;
      prebuild();
    } finally {
      busy = false;
    }
  };

  // While the reader pauses, build the rows just past the window (kept aside, not in the
  // document): when a scroll reaches them, they only have to be put in.
  let idle = 0;
  const AHEAD = 6;
  const prebuild = () => {
    if (idle || !virtual) return;
    const wanted = () => {
      const out: number[] = [];
      for (let k = 1; k <= AHEAD; k++) {
        if (last + k < items.length && !rowCache.has(keyOf(items[last + k]!))) out.push(last + k);
        if (first - k >= 0 && !rowCache.has(keyOf(items[first - k]!))) out.push(first - k);
      }
      return out;
    };
    const step = (deadline?: IdleDeadline) => {
      idle = 0;
      if (!scroller.isConnected) return;
      const todo = wanted();
      // one row at a time, while the browser says it has time to spare
      while (todo.length && (!deadline || deadline.timeRemaining() > 4)) {
        rowAt(todo.shift()!);
        if (!deadline) break;
      }
      if (todo.length) schedule();
    };
    const schedule = () => {
      idle = typeof requestIdleCallback === "function" ? requestIdleCallback(step, { timeout: 1000 }) : window.setTimeout(() => step(), 50);
    };
    if (wanted().length) schedule();
  };


  // ---- the scroller and the run's text
  const scroller = h("div", { class: "traces-scroll", attrs: { tabindex: "0", role: "region", "data-fk": "traces", "aria-label": `traces by aligned step: ${plural(n, "run")} × ${plural(shown.length, "column")}` } }, table);
  scroller.addEventListener("scroll", update, { passive: true });
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(() => update()) : null;
  const detail = h("section", { class: "run-detail", attrs: { id: detailId, "aria-label": "run text", tabindex: "-1" } });
  detail.hidden = true;
  let openPos: number | null = null;

  const copyButton = (label: string, text: () => string) =>
    h("button", { class: "link", attrs: { type: "button" }, on: { click: (e) => copy(text(), e.currentTarget as HTMLElement) } }, label);

  const showRun = (pos: number | null, notify = true) => {
    if (pos !== null && !p.runs[pos]) pos = null;
    openPos = pos;
    for (const b of buttons) b.setAttribute("aria-expanded", String(Number(b.dataset.pos) === pos));
    for (const b of buttons) b.parentElement!.classList.toggle("open", Number(b.dataset.pos) === pos);
    if (notify) o.onOpen?.(pos === null ? null : p.runs[pos]!.index);
    if (pos === null) {
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    const run = p.runs[pos]!;
    const cls = p.answers[run.answerClass];
    const slot = m.classSlot[run.answerClass] ?? "other";
    const mark = run.correct === true ? span("ok", " ✓") : run.correct === false ? span("bad", " ✗") : null;

    // The trace: its steps at their offsets, each one a link to its column; the steps outside
    // the consensus carry the same word highlighting as their cells. A trajectory's steps are
    // the same cards as in the table, in order.
    const agentRun = run.steps.some((s) => s.kind !== undefined);
    const text = agentRun
      ? h("div", { class: "run-text run-cards", attrs: { tabindex: "0", "aria-label": "trajectory" } })
      : h("pre", { class: "run-text", attrs: { tabindex: "0", "aria-label": run.fromThinking ? "thinking" : "text" } });
    run.steps.forEach((s, k) => {
      if (k > 0 && !agentRun) text.append(s.start - run.steps[k - 1]!.end > 1 ? "\n\n" : "\n");
      const col = m.stepColumn[pos]?.[k] ?? -1;
      const c = col >= 0 ? cellOf(col, run.index) : undefined;
      const alt = c !== undefined && c.group !== null && c.group !== m.base[col];
      const el = h(agentRun ? "div" : "span", {
        class: "run-step" + (fork !== null && col === fork.col ? " at-fork" : "") + (alt ? " alt" : ""),
        title: col >= 0 ? `column ${col}${alt ? `, group ${c.group} (${onRef ? "not the reference path" : "not the consensus"})` : ""}: click to show it in the table` : "",
      });
      if (agentRun) el.append(c && col >= 0 ? cardOf(col, pos, s, c) : stepCard(s));
      else withDiff(el, s.text, c && col >= 0 ? diffOf(col, pos, s.text, c) : null);
      if (o.rerunFrom && s.source !== undefined && rerunnable(run.steps, k)) {
        const source = s.source;
        const what = s.kind === "tool_call" ? `action ${callNo(run.steps, k)}` : `step ${source}`;
        el.classList.add("has-rerun");
        el.append(
          h(
            "button",
            {
              class: "rerun-from",
              title: `Sample N times what the agent does here, with everything before it frozen (the run's ${what}; the turn holding it is resampled whole)`,
              attrs: { type: "button", "aria-label": `rerun from run ${run.index}'s ${what}` },
              on: {
                click: (e) => {
                  e.stopPropagation();
                  o.rerunFrom!(run.index, source);
                },
              },
            },
            span("rerun-icon", "↻"),
            " Rerun from here",
          ),
        );
      }
      if (col >= 0) el.addEventListener("click", (e) => (e.target as HTMLElement).closest("details.tr-fold") || o.onPick(col, pos));
      text.append(el);
    });
    const calls = run.toolCalls !== undefined ? ` · ${plural(run.toolCalls, "tool call")}` : "";
    const trace = h(
      "div",
      { class: "run-pane" },
      h(
        "div",
        { class: "pane-head" },
        h("h4", null, agentRun ? "Trajectory" : run.fromThinking ? "Thinking" : "Text"),
        span("muted", agentRun ? ` ${plural(run.steps.length, "step")}${calls} · ${run.length} characters` : ` ${plural(run.steps.length, "step")} · ${run.length} characters${run.fromThinking ? "" : " (the visible reply is the trace)"}`),
        copyButton("copy", () => stepsText(run)),
      ),
      text,
      h(
        "div",
        { class: "muted small" },
        agentRun
          ? `The trajectory's steps in the order they happened (click one to show its column; a tool result unfolds from its line).${o.rerunFrom ? " Rerun from here, on an agent's step (shown at the fork, and on hover), samples what the agent does at that point N times." : ""}`
          : "The steps as segmented, at their offsets (click one to show its column); what the segmenter dropped between them, such as blank lines and decoration, is not in the analysis.",
      ),
    );
    const panes = h("div", { class: "run-panes" + (run.fromThinking ? " two" : "") }, trace);
    if (run.fromThinking) {
      const reply = run.reply ?? "";
      panes.append(
        h(
          "div",
          { class: "run-pane" },
          h("div", { class: "pane-head" }, h("h4", null, "Reply"), span("muted", reply ? ` ${reply.length} characters · what the user saw` : " not recorded"), reply ? copyButton("copy", () => reply) : null),
          reply ? h("pre", { class: "run-text reply", attrs: { tabindex: "0", "aria-label": "reply" } }, reply) : h("p", { class: "muted note" }, "The document has no visible reply for this run (an older run file, or the model gave only thinking)."),
        ),
      );
    }
    detail.replaceChildren(
      h(
        "div",
        { class: `run-detail-head cls-${slot}` },
        span("swatch-cls"),
        h("strong", null, `Run #${run.index}`),
        ...(p.agent && run.reward !== undefined
          ? detailOutcome(run, mark)
          : [" · answer ", h("span", { class: "run-ans" }, answerLabel(cls)), mark, span("muted", `${run.answerExtracted ? " · answer read from text" : ""}`), ...(p.agent ? detailOutcome(run, null) : [])]),
        h("button", { class: "link close", attrs: { type: "button", "aria-label": `close run ${run.index}` }, on: { click: () => closeRun() } }, "close"),
      ),
      panes,
    );
    detail.hidden = false;
  };
  const closeRun = () => {
    const pos = openPos;
    showRun(null);
    const b = buttons.find((x) => Number(x.dataset.pos) === pos);
    if (b) focusButton(b);
  };
  detail.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      closeRun();
    }
  });

  /**
   * Scrolls the traces sideways so that `el` (a cell or a header) is in view, clear of the sticky
   * first column by `gap` pixels. Measured on screen: the cells' offsetLeft is relative to
   * whichever ancestor is positioned, which differs between VS Code and the HTML report.
   */
  const revealSideways = (el: HTMLElement, gap: number) => {
    const corner = thead.querySelector("th.corner") as HTMLElement | null;
    const left = corner ? corner.getBoundingClientRect().right : scroller.getBoundingClientRect().left;
    const right = scroller.getBoundingClientRect().left + scroller.clientWidth;
    const r = el.getBoundingClientRect();
    if (r.left < left + gap) scroller.scrollLeft -= left + gap - r.left;
    else if (r.right > right) scroller.scrollLeft += Math.min(r.right - right + gap, r.left - left - gap);
  };

  const focusButton = (b: HTMLButtonElement) => {
    for (const x of buttons) x.tabIndex = x === b ? 0 : -1;
    b.focus({ preventScroll: true });
    revealSideways(b.parentElement!, 0);
  };
  // One tab stop for the whole header row: the run last focused.
  thead.addEventListener("focusin", (e) => {
    const b = e.target as HTMLButtonElement;
    if (buttons.includes(b)) for (const x of buttons) x.tabIndex = x === b ? 0 : -1;
  });
  thead.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest("button.run-btn") as HTMLButtonElement | null;
    if (!b) return;
    const pos = Number(b.dataset.pos);
    for (const x of buttons) x.tabIndex = x === b ? 0 : -1;
    showRun(openPos === pos ? null : pos);
    if (openPos !== null) detail.scrollIntoView({ block: "nearest" });
  });
  thead.addEventListener("keydown", (e) => {
    const i = buttons.indexOf(e.target as HTMLButtonElement);
    if (i < 0) return;
    const to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : -1;
    if (to < 0 || to >= buttons.length) return;
    e.preventDefault();
    focusButton(buttons[to]!);
  });

  const unfold = (from: number) => {
    const mem = memory();
    o.unfolded.add(from);
    rowCache.delete(`f${from}`);
    rowCache.delete(`c${from}`);
    rebuild(mem);
  };
  const refold = (from: number) => {
    const mem = memory();
    o.unfolded.delete(from);
    rowCache.delete(`c${from}`);
    // The row at the top may be inside the stretch that folds away: keep the fold row there.
    if (mem.anchor && stretchAt.get(mem.anchor.col)?.[0] === from) mem.anchor = { col: from, offset: 0 };
    rebuild(mem);
  };
  // A cell's tooltip is written when the pointer first reaches it (most cells never are).
  tbody.addEventListener("mouseover", (e) => {
    const td = (e.target as HTMLElement).closest("td");
    const tr = td?.parentElement;
    if (!td || td.title || !tr?.dataset.col || td.dataset.pos === undefined) return;
    td.title = cellTitle(Number(tr.dataset.col), Number(td.dataset.pos));
  });
  tbody.addEventListener("click", (e) => {
    const target = e.target as HTMLElement;
    const tr = target.closest("tr");
    if (!tr) return;
    if (tr.classList.contains("fold")) {
      const from = Number(tr.dataset.from);
      unfold(from);
      // Keyboard users land on the first row's "fold" button, so they can fold it back.
      if (target.closest("button")) (tbody.querySelector(`tr[data-col="${from}"] button.refold`) as HTMLElement | null)?.focus({ preventScroll: true });
      return;
    }
    if (target.closest("button.refold")) {
      const j = Number(tr.dataset.col);
      refold(j);
      if (e.detail === 0) (tbody.querySelector(`tr.fold[data-from="${j}"] button.fold-btn`) as HTMLElement | null)?.focus({ preventScroll: true });
      return;
    }
    const td = target.closest("td");
    if (!td || !tr.dataset.col || td.dataset.pos === undefined) return;
    // unfolding a tool result (or reading it) is not picking the cell: the row would jump
    if (target.closest("details.tr-fold")) return;
    o.onPick(Number(tr.dataset.col), Number(td.dataset.pos));
  });
  // A tool result unfolded or folded changes its row's height: measure again (virtualised).
  tbody.addEventListener("toggle", () => update(), true);

  const rebuild = (mem: TracesMemory | null) => {
    buildItems();
    relayout();
    first = 0;
    last = -1;
    tbody.replaceChildren();
    place(mem);
  };

  /** Lays out the rows at a remembered place (the top when none). */
  const place = (mem: TracesMemory | null | undefined) => {
    if (!mounted) return;
    const anchor = mem?.anchor ?? null;
    const i = anchor ? itemOf[Math.min(p.columns.length - 1, Math.max(0, anchor.col))] ?? 0 : 0;
    if (!virtual) {
      renderWindow(0, items.length - 1);
      if (anchor && items.length) jumpTo(i, Math.min(anchor.offset, rowAt(i).offsetHeight));
    } else if (items.length && anchor) {
      jumpTo(i, Math.min(anchor.offset, layout.height(i)));
    } else if (items.length) {
      // At the top (a new scroller is there already): the rows of the first screen, measured
      // when the browser lays them out.
      renderWindow(...layout.range(0, viewH + margin()));
    }
    if (mem) scroller.scrollLeft = mem.left;
  };

  const memory = (): TracesMemory => {
    const left = scroller.scrollLeft;
    if (!mounted || items.length === 0) return { anchor: null, left, open: openPos === null ? null : p.runs[openPos]!.index };
    const st = scroller.scrollTop;
    headH = thead.getBoundingClientRect().height || headH;
    let i: number;
    let top: number;
    if (virtual) {
      measure();
      i = layout.indexAt(st);
      top = layout.top(i);
    } else {
      // the first row whose bottom is below the top of the rows' viewport
      i = items.length - 1;
      for (let k = 0; k < items.length; k++) {
        const tr = rowAt(k);
        if (tr.offsetTop - headH + tr.offsetHeight > st) {
          i = k;
          break;
        }
      }
      top = rowAt(i).offsetTop - headH;
    }
    return { anchor: st > 0 ? { col: items[i]!.col, offset: st - top } : null, left, open: openPos === null ? null : p.runs[openPos]!.index };
  };

  // Without virtualisation every row is in the document from the start.
  relayout();
  if (!virtual) renderWindow(0, items.length - 1);

  return {
    element: h("div", { class: "traces-wrap" }, scroller, detail),
    mount(mem) {
      mounted = true;
      // No layout is read here on a first render: the browser lays the page out once, when it
      // paints, and the rows are measured then (the resize observer, then every scroll).
      const fontSize = o.fontSize * 0.92;
      lineH = fontSize * 1.4;
      // the mean advance of ordinary text in a proportional font (an estimate: rows are measured)
      charW = fontSize * 0.52;
      // an agent prompt's run headers have a second line (tool calls, checks)
      headH = lineH * (p.agent ? 2 : 1) + 12;
      relayout();
      if (mem?.anchor) headH = thead.getBoundingClientRect().height;
      viewH = viewport(!!mem?.anchor);
      place(mem);
      ro?.observe(scroller);
      if (virtual)
        setTimeout(() => {
          marginPx = MARGIN;
          update();
        }, 150);
      if (mem?.open !== null && mem?.open !== undefined) {
        const pos = m.runPos.get(mem.open);
        if (pos !== undefined && order.includes(pos)) showRun(pos, false);
      }
    },
    select(col, pos, scroll = true) {
      const prev = sel;
      sel = { col, pos };
      if (col !== null && o.fold) {
        const s = stretchAt.get(col);
        if (s && !o.unfolded.has(s[0])) {
          o.unfolded.add(s[0]);
          rowCache.delete(`f${s[0]}`);
          rowCache.delete(`c${s[0]}`);
          buildItems();
          relayout();
          first = 0;
          last = -1;
          tbody.replaceChildren();
          if (!virtual) renderWindow(0, items.length - 1);
          else if (mounted) jumpTo(itemOf[col]!, -8);
        }
      }
      if (prev.col !== null) {
        const tr = rowCache.get(`c${prev.col}`);
        tr?.classList.remove("sel");
        if (prev.pos !== null) tr?.querySelector(`td[data-pos="${prev.pos}"]`)?.classList.remove("sel");
      }
      const tr = col === null ? undefined : rowCache.get(`c${col}`);
      tr?.classList.add("sel");
      const td = pos === null ? null : (tr?.querySelector(`td[data-pos="${pos}"]`) as HTMLElement | null);
      td?.classList.add("sel");
      if (!scroll || col === null || !mounted) return;
      jumpTo(itemOf[col]!, -8);
      const cell = (rowCache.get(`c${col}`)?.querySelector(`td[data-pos="${pos}"]`) as HTMLElement | null) ?? null;
      if (cell) revealSideways(cell, 8);
    },
    memory,
    open(run) {
      const pos = run === null ? null : (m.runPos.get(run) ?? null);
      showRun(pos !== null && order.includes(pos) ? pos : null, false);
    },
    destroy() {
      ro?.disconnect();
      scroller.removeEventListener("scroll", update);
    },
  };
}

/** An agent run's outcome for its header: its reward, a second line (tool calls, checks), and the same for its title. */
function outcomeOf(run: Run): { reward: string | null; meta: HTMLElement; title: string } {
  const o = runOutcome(run);
  const meta = span("run-meta");
  const title: string[] = [];
  if (o.reward) title.push(o.reward);
  if (o.calls !== null) {
    meta.append(plural(o.calls, "call"));
    title.push(plural(o.calls, "tool call"));
  }
  if (o.checks) {
    const t = checksTitle(o.checks);
    meta.append(o.calls !== null ? " · " : "", h("span", { class: o.checks.failed.length ? "bad" : "ok", title: t }, checksLabel(o.checks)));
    title.push(t);
  }
  return { reward: o.reward, meta, title: title.length ? `; ${title.join("; ")}` : "" };
}

/** An agent run's outcome in its text's heading: " · reward 1 ✓ · 4 calls · ✓ 5 checks" (its reward stands for its answer). */
function detailOutcome(run: Run, mark: HTMLElement | null): (string | HTMLElement | null)[] {
  const o = outcomeOf(run);
  return [o.reward ? ` · ${o.reward}` : "", o.reward ? mark : null, o.meta.childNodes.length ? " · " : "", span("muted", ...o.meta.childNodes)];
}

function copy(text: string, button: HTMLElement): void {
  const done = (msg: string) => {
    const was = button.textContent;
    button.textContent = msg;
    setTimeout(() => (button.textContent = was), 1200);
  };
  if (!navigator.clipboard) {
    done("copy unavailable");
    return;
  }
  navigator.clipboard.writeText(text).then(
    () => done("copied"),
    () => done("copy failed"),
  );
}
