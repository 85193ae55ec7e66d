// The comparison view: one `hotmess.analysis/1` document in, the whole page out. `render` is
// the single entry point: the self-contained HTML calls it with the inlined document, a VS Code
// host calls it with each document it posts (every few hundred milliseconds while a run fills
// in: a new document of the same prompt keeps what the reader was looking at).
import type { Analysis, PromptAnalysis } from "../src/core/types";
import type { ReportDocument } from "../src/protocol/webview";
import { actionColumns, forkMark, shownColumns } from "./actions";
import { applyChartTheme } from "./charts";
import { clear, h, span } from "./dom";
import { answerLabel, fmt, fmtCi, fmtSigned, plural, truncate } from "./format";
import { renderHeader } from "./header";
import { renderHeatmap, type HeatmapHandle } from "./heatmap";
import { filterRuns, promptModel, runOrder, type PromptModel, type RunOrder } from "./model";
import { benchmarkLead, openingPrompt, renderOptimizer, type OptimizerHandle } from "./optimizer";
import { renderReliability, type ReliabilityHandle } from "./reliability";
import { readTheme } from "./theme";
import { MIN_FOLD, renderTraces, type TracesHandle, type TracesMemory } from "./traces";
import { cutSentence, isCut, loadPrompt, type PickedFile } from "./lazy";
import { renderPromptList } from "./promptlist";
import { deltaWords, tallyOfPrompt, versionDelta } from "../src/core/compare";
import { sideBySide } from "../src/core/versions";
import { parseSort, type PromptSort } from "./promptsort";

export interface ViewState {
  prompt: number;
  order: RunOrder;
  /** Answer classes whose runs are shown (their keys, see classKey); empty: all. Per prompt. */
  classes: string[];
  /**
   * Fold stretches of steps where every run shown agrees; null: the default, on when the prompt
   * has more than FOLD_AUTO aligned steps (in a short table folding saves little and hides context).
   */
  fold: boolean | null;
  /** The prompt list's order (promptsort.ts); null or absent: file order. */
  sort?: PromptSort | null;
  /**
   * An agent prompt's heatmap and traces show only the aligned columns that hold tool calls
   * (one per aligned action); the others are hidden. Off by default.
   */
  actions?: boolean;
}

export interface AppOptions {
  /** Called when the user changes what is shown (a host can persist it). */
  onState?: (s: ViewState) => void;
  /**
   * "Rerun from here" on an agent's step (in VS Code only: the HTML report has no host): the
   * prompt's id, the run's index and the trajectory step's index.
   */
  onRerunFrom?: (prompt: string, run: number, step: number) => void;
  onSetReference?: (prompt: string, answer: string) => void;
  /** Class the replies by meaning, or merge or split the class of a run (its index). */
  onClasses?: (prompt: string, action: "judge" | "merge" | "split", run?: number) => void;
}

/** Chips shown before "+N more" in the filter row. */
const CHIPS = 10;
/** Past this many aligned steps, identical stretches are folded unless the reader said otherwise. */
export const FOLD_AUTO = 24;

/** What a re-render keeps: where the page and the traces are scrolled, the cursor, the focus. */
interface Memory {
  /** The section at the top of what is visible, how far into it, and where that top was (below the sticky bars). */
  page: { key: string; offset: number; top: number } | null;
  scrollY: number;
  traces: TracesMemory | null;
  heatLeft: number;
  cursor: { run: number; col: number } | null;
  focus: string | null;
  listScroll: number;
}

export class App {
  /** The document is two versions of a prompt (before, after): headed by the change (versionsBanner). */
  compareVersions = false;
  private analysis: Analysis | null = null;
  private state: ViewState = { prompt: 0, order: "index", classes: [], fold: null, actions: false };
  private main: HTMLElement | null = null;
  private nav: HTMLElement | null = null;
  private filterInput: HTMLInputElement | null = null;
  private items: HTMLElement[] = [];
  private heatmap: HeatmapHandle | null = null;
  private traces: TracesHandle | null = null;
  private optimizer: OptimizerHandle | null = null;
  private reliability: ReliabilityHandle | null = null;
  private width = 0;
  private selectColumn: ((col: number, pos: number | null, from: "heatmap" | "traces") => void) | null = null;
  // Per prompt, kept across re-renders of the same prompt (a live run posts a new document
  // every few hundred milliseconds): the selected cell, the unfolded stretches, the open run.
  private sel: { col: number; run: number | null } | null = null;
  private unfolded = new Set<number>();
  private openRun: number | null = null;
  private promptOpen = false;
  private moreChips = false;
  /** The analysis JSON the reader picked for the runs a report left out, and what became of the last read. */
  private full: PickedFile | null = null;
  private fullStatus: HTMLElement | null = null;
  private loading: string | null = null;
  /** Keeps --hm-runbar-h (on <body>) at the sticky toolbar's height, for scroll margins. */
  private readonly runbarSize =
    typeof ResizeObserver === "function" ? new ResizeObserver((es) => es[0] && document.body.style.setProperty("--hm-runbar-h", `${Math.ceil(es[0].target.getBoundingClientRect().height)}px`)) : null;

  constructor(
    private readonly root: HTMLElement,
    private readonly opts: AppOptions = {},
  ) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (this.main && Math.abs(this.main.clientWidth - this.width) > 24) this.rerender();
      }, 150);
    });
    // VS Code changes the theme by rewriting the variables on <html> and the class of <body>.
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => this.rerender(), 50);
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
    observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  }

  /**
   * Show a document, optionally at a saved state. A new document of the prompt already shown (a
   * live run filling in) keeps the scroll positions, the selection, the filter and the open run.
   */
  render(analysis: Analysis, state?: Partial<ViewState>): void {
    const prevId = this.analysis?.prompts?.[this.state.prompt]?.id;
    const same = prevId !== undefined && Array.isArray(analysis?.prompts) ? analysis.prompts.findIndex((p) => p.id === prevId) : -1;
    const mem = same >= 0 ? this.capture() : null;
    const filterText = this.filterInput?.value ?? "";
    this.analysis = analysis;
    this.state = { ...this.state, ...state };
    if (!Array.isArray(this.state.classes)) this.state.classes = [];
    if (same >= 0) this.state.prompt = same;
    else {
      this.resetPrompt(!!state?.classes?.length);
      // a benchmark opens on its longest problem, unless the reader was somewhere else
      if (state?.prompt === undefined) this.state.prompt = openingPrompt(analysis) ?? this.state.prompt;
    }
    if (!(this.state.prompt >= 0 && this.state.prompt < (analysis?.prompts?.length ?? 0))) this.state.prompt = 0;
    this.destroyCharts();
    clear(this.root);
    if (analysis?.schema !== "hotmess.analysis/1" || !Array.isArray(analysis.prompts)) {
      this.root.append(h("div", { class: "empty" }, "This is not a hotmess.analysis/1 document."));
      return;
    }
    this.root.append(topBar(analysis));
    if (this.compareVersions && analysis.prompts.length === 2) this.root.append(versionsBanner(analysis.prompts[0]!, analysis.prompts[1]!, (i) => this.select(i)));
    const cut = this.cutNotice(analysis);
    if (cut) this.root.append(cut);
    if (analysis.prompts.length === 0) {
      this.root.append(h("div", { class: "empty" }, "The analysis holds no prompts."));
      return;
    }
    this.main = h("main", { class: "prompt" });
    const body = h("div", { class: "body" + (analysis.prompts.length === 1 ? " single" : "") });
    this.nav = this.filterInput = null;
    if (analysis.prompts.length > 1) body.append(this.promptList(analysis.prompts, filterText));
    body.append(this.main);
    this.root.append(body);
    this.renderPrompt(mem);
  }

  select(index: number): void {
    if (!this.analysis || index < 0 || index >= this.analysis.prompts.length || index === this.state.prompt) return;
    this.state.prompt = index;
    this.resetPrompt(false);
    this.items.forEach((el, i) => {
      el.setAttribute("aria-selected", String(i === index));
      el.tabIndex = i === index ? 0 : -1;
    });
    this.items[index]?.scrollIntoView({ block: "nearest" });
    // Scroll while the old layout is still clean: after the new prompt is built, this would
    // force a second full layout.
    window.scrollTo({ top: 0 });
    this.renderPrompt(null);
    this.emit();
  }

  /** Show a prompt's aligned column: the heatmap marks it, the traces scroll to it. */
  reveal(promptId: string, column: number): void {
    const i = this.analysis?.prompts.findIndex((p) => p.id === promptId) ?? -1;
    if (i < 0) return;
    this.select(i);
    this.selectColumn?.(column, null, "heatmap");
  }

  /** The index of the largest prompt (runs × aligned steps). */
  largest(): number {
    const ps = this.analysis?.prompts ?? [];
    let best = 0;
    ps.forEach((p, i) => {
      if (p.n * p.columns.length > ps[best]!.n * ps[best]!.columns.length) best = i;
    });
    return best;
  }

  private resetPrompt(keepClasses: boolean): void {
    this.sel = null;
    this.unfolded = new Set();
    this.openRun = null;
    this.promptOpen = false;
    this.moreChips = false;
    if (!keepClasses) this.state.classes = [];
  }

  private emit(): void {
    this.opts.onState?.({ ...this.state, classes: [...this.state.classes] });
  }

  private promptList(prompts: PromptAnalysis[], filterText: string): HTMLElement {
    const list = renderPromptList({
      prompts,
      selected: () => this.state.prompt,
      filterText,
      sort: parseSort(this.state.sort),
      onSelect: (i) => this.select(i),
      onSort: (sort) => {
        this.state.sort = sort;
        this.emit();
      },
    });
    this.items = list.items;
    this.filterInput = list.filter;
    this.nav = list.nav;
    return list.nav;
  }

  private destroyCharts(): void {
    this.heatmap?.destroy();
    this.optimizer?.destroy();
    this.traces?.destroy();
    this.reliability?.destroy();
    this.heatmap = this.traces = this.optimizer = this.reliability = null;
  }

  /** The answer classes filtered on, when they still match runs (else: none, all runs shown). */
  private activeFilter(m: PromptModel): Set<string> {
    const keys = new Set(this.state.classes);
    if (keys.size === 0 || !m.p.runs.some((r) => keys.has(m.classKeys[r.answerClass] ?? ""))) return new Set();
    return keys;
  }

  private toggleClass(m: PromptModel, key: string | null): void {
    const keys = this.activeFilter(m);
    if (key === null) keys.clear();
    else if (keys.has(key)) keys.delete(key);
    else keys.add(key);
    // every class with runs on is the same as all
    const present = new Set(m.p.runs.map((r) => m.classKeys[r.answerClass] ?? ""));
    if ([...present].every((k) => keys.has(k))) keys.clear();
    this.state.classes = [...keys];
    this.rerender();
    this.emit();
  }

  /** Re-render the prompt shown, keeping what the reader was looking at. */
  private rerender(): void {
    if (!this.main?.isConnected) return;
    this.renderPrompt(this.capture());
  }

  private capture(): Memory | null {
    const main = this.main;
    if (!main?.isConnected) return null;
    // The page: the last section whose top is above the top of what is visible (under the host
    // bar and, once it sticks, the runs toolbar), and by how much.
    // (A section that starts just below that line counts: it is what the reader is at.)
    const top = this.visibleTop();
    let page: Memory["page"] = null;
    for (const el of main.querySelectorAll<HTMLElement>("[data-anchor]")) {
      const y = el.getBoundingClientRect().top - top;
      if (y <= 48) page = { key: el.dataset.anchor!, offset: -y, top };
    }
    const active = document.activeElement as HTMLElement | null;
    const p = this.analysis?.prompts[this.state.prompt];
    const cursor = this.heatmap?.cursor() ?? null;
    return {
      page,
      scrollY: window.scrollY,
      traces: this.traces?.memory() ?? null,
      heatLeft: this.heatmap?.scrollLeft ?? 0,
      cursor: cursor && p?.runs[cursor.pos] ? { run: p.runs[cursor.pos]!.index, col: cursor.col } : null,
      focus: active && this.root.contains(active) ? (active.closest<HTMLElement>("[data-fk]")?.dataset.fk ?? null) : null,
      listScroll: this.nav?.scrollTop ?? 0,
    };
  }

  /** The viewport's top below the sticky bars: the host bar, and the runs toolbar when it sticks. */
  private visibleTop(): number {
    const sticky = parseFloat(getComputedStyle(document.body).getPropertyValue("--hm-sticky-top")) || 0;
    const bar = this.main?.querySelector<HTMLElement>(".runbar");
    if (!bar) return sticky;
    const r = bar.getBoundingClientRect();
    // stuck: sticky (not in a narrow panel, where it scrolls away) and at the top
    return getComputedStyle(bar).position === "sticky" && r.top <= sticky + 1 && r.top >= sticky - 1 ? sticky + r.height : sticky;
  }

  private restore(mem: Memory): void {
    if (this.nav) this.nav.scrollTop = mem.listScroll;
    let done = false;
    if (mem.page) {
      const el = this.main?.querySelector<HTMLElement>(`[data-anchor="${mem.page.key}"]`);
      if (el) {
        // (the bars stick again once the page is back where it was: use the top they left then)
        window.scrollBy(0, el.getBoundingClientRect().top - mem.page.top + mem.page.offset);
        done = true;
      }
    }
    if (!done) window.scrollTo(0, mem.scrollY);
    if (this.heatmap) this.heatmap.scrollLeft = mem.heatLeft;
    if (mem.focus) {
      const el = [...this.root.querySelectorAll<HTMLElement>("[data-fk]")].find((x) => x.dataset.fk === mem.focus);
      el?.focus({ preventScroll: true });
    }
  }

  /** The notice of a report that left runs out, with the button that loads them (null: nothing left out). */
  private cutNotice(a: ReportDocument): HTMLElement | null {
    const sentence = cutSentence(a);
    if (!sentence) return null;
    const input = h("input", { class: "file-input", attrs: { type: "file", accept: ".json,application/json", "aria-label": "the analysis JSON with every run" } });
    input.hidden = true;
    input.addEventListener("change", () => {
      const f = input.files?.[0];
      if (!f) return;
      this.full = f;
      this.loadShown();
    });
    const label = a.report?.full ? `Load every run from ${a.report.full.file}…` : "Load every run from the analysis JSON…";
    const button = h("button", { class: "host-button", attrs: { type: "button", "data-fk": "load-runs" }, on: { click: () => input.click() } }, label);
    this.fullStatus = span("muted cut-status", this.full ? `Reading runs from ${this.full.name}.` : "");
    return h("div", { class: "cut-notice", attrs: { role: "note" } }, h("p", { class: "note" }, sentence), h("div", { class: "cut-tools" }, button, input, this.fullStatus));
  }

  /** Reads the runs the report left out of the prompt shown, from the file the reader picked, then shows them. */
  private loadShown(): void {
    const a = this.analysis as ReportDocument | null;
    const index = this.state.prompt;
    const p = a?.prompts[index];
    if (!a?.report || !p || !this.full || !isCut(p) || this.loading === p.id) return;
    const file = this.full;
    this.loading = p.id;
    if (this.fullStatus) this.fullStatus.textContent = `Reading the runs of ${p.id} from ${file.name}…`;
    loadPrompt(file, a.report, index, p.id).then(
      (found) => {
        this.loading = null;
        if (this.analysis !== a) return;
        a.prompts.forEach((q, i) => {
          const f = found.get(q.id);
          if (f && isCut(q)) a.prompts[i] = f;
        });
        if (this.fullStatus) this.fullStatus.textContent = `Every run of ${p.id} read from ${file.name}.`;
        if (this.state.prompt === index) this.rerender();
      },
      (e: Error) => {
        this.loading = null;
        this.full = null;
        if (this.fullStatus) this.fullStatus.textContent = e.message;
      },
    );
  }

  private renderPrompt(mem: Memory | null): void {
    const a = this.analysis;
    const main = this.main;
    if (!a || !main || !main.isConnected) return;
    const p = a.prompts[this.state.prompt];
    if (!p) return;
    if (this.full && isCut(p)) this.loadShown();
    // Timings of the last render only (hm:prompt, hm:heatmap, hm:traces), for profiling.
    performance.clearMarks();
    performance.clearMeasures();
    performance.mark("hm:prompt");
    // Measure before building: layout is still clean, so this forces no extra layout pass.
    this.width = main.clientWidth;
    const cs = getComputedStyle(main);
    const width = Math.max(320, this.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 2);
    this.destroyCharts();
    clear(main);
    const theme = readTheme();
    applyChartTheme(theme);
    const m = promptModel(p);
    const filter = this.activeFilter(m);
    const order = filterRuns(m, runOrder(p, this.state.order), filter);
    // A benchmark prompt is read by its per-step view: it comes first, right under the title.
    if (p.optimizer) this.optimizer = renderOptimizer(p.optimizer, p.n, theme);
    const lead = this.optimizer ? anchor(section("Optimizer benchmark: incoherence per step", null, this.optimizer.element), "opt") : null;
    main.append(
      anchor(
        renderHeader(m, {
          filter,
          onFilter: (key) => this.toggleClass(m, key),
          promptOpen: this.promptOpen,
          onPromptToggle: (open) => (this.promptOpen = open),
          lead,
          onColumn: (col) => this.selectColumn?.(col, null, "heatmap"),
          ...(this.opts.onSetReference ? { onSetReference: (answer: string) => this.opts.onSetReference!(p.id, answer) } : {}),
          ...(this.opts.onClasses ? { onClasses: (action: "judge" | "merge" | "split", run?: number) => this.opts.onClasses!(p.id, action, run) } : {}),
          onOpenRun: (run) => {
            this.traces?.open(run);
            this.traces?.element.querySelector(".run-detail")?.scrollIntoView({ block: "nearest" });
          },
        }),
        "head",
      ),
    );
    // pass^k and pass@k (METRICS.md §7b), for a prompt with a target
    this.reliability = renderReliability(p, theme);
    if (this.reliability)
      main.append(anchor(section("Reliability across reruns", "pass^k: k fresh reruns all right · pass@k: at least one of k right · bands: 95% intervals", this.reliability.element), "rel"));
    if (p.columns.length === 0 || p.runs.length === 0) {
      main.append(h("p", { class: "muted note" }, "No steps to compare: the runs have no text."));
      performance.measure("hm:prompt", "hm:prompt");
      return;
    }

    // the aligned columns shown: all, or an agent prompt's actions only
    const columns = shownColumns(m, this.actionsOnly(p));
    const isShown = (col: number) => columns.length === p.columns.length || columns.includes(col);
    const select = (col: number, pos: number | null, from: "heatmap" | "traces") => {
      if (!(col >= 0 && col < p.columns.length)) return;
      if (!isShown(col)) {
        // a step "actions only" hides (a run's text, the host): show every column, then it
        this.state.actions = false;
        this.unfolded.clear();
        this.rerender();
        this.emit();
        if (this.selectColumn !== select) this.selectColumn?.(col, pos, from);
        return;
      }
      if (pos !== null && !order.includes(pos)) pos = null;
      this.sel = { col, run: pos === null ? null : p.runs[pos]!.index };
      this.heatmap?.select(col, pos);
      if (pos !== null) this.heatmap?.setCursor(pos, col);
      this.traces?.select(col, pos, true);
      if (from === "heatmap") tracesSection.scrollIntoView({ block: "start", behavior: "smooth" });
    };
    this.selectColumn = select;

    const runbar = anchor(this.runbar(m, filter, order.length), "runbar");
    main.append(runbar);
    this.runbarSize?.disconnect();
    this.runbarSize?.observe(runbar);

    performance.mark("hm:heatmap");
    this.heatmap = renderHeatmap(m, order, theme, width, (col, pos) => select(col, pos, "heatmap"), { columns });
    performance.measure("hm:heatmap", "hm:heatmap");
    // a report may hold only the first runs of the prompt: say which
    const held = isCut(p) ? `the first ${p.runs.length} of ${plural(p.n, "run")}` : plural(p.n, "run");
    const shown = order.length < p.runs.length ? `${order.length} of ${held}` : held;
    const fork = p.agent ? forkMark(m) : null;
    const steps = columns.length < p.columns.length ? `${columns.length} actions of ${plural(p.columns.length, "aligned step")}` : plural(p.columns.length, "aligned step");
    const sub = p.agent
      ? `${shown} × ${steps}${fork ? ` · ${fork.label} at column ${fork.col}` : " · no fork action"}`
      : `${shown} × ${plural(p.columns.length, "aligned step")}${p.forkColumn !== null ? ` · fork at column ${p.forkColumn}` : " · no fork"}`;
    main.append(anchor(section("Step-level divergence", sub, this.heatmap.element), "heat"));

    performance.mark("hm:traces");
    this.traces = renderTraces({
      m,
      order,
      width,
      fontSize: theme.fontSize,
      fold: this.folding(p, columns.length),
      columns,
      unfolded: this.unfolded,
      onPick: (col, pos) => select(col, pos, "traces"),
      onOpen: (run) => (this.openRun = run),
      ...(p.agent && this.opts.onRerunFrom ? { rerunFrom: (run: number, step: number) => this.opts.onRerunFrom!(p.id, run, step) } : {}),
    });
    const tracesSection = anchor(
      section(
        "Traces by aligned step",
        null,
        this.traces.element,
        undefined,
        h(
          "span",
          { class: "muted" },
          "one row per aligned step, one column per run; click a run for its thinking and reply · ",
          span("df legend-df", "highlighted"),
          p.divergenceBasis?.kind === "reference" ? ": not in the reference path's step" : ": not in the column's consensus step",
        ),
      ),
      "traces",
    );
    main.append(tracesSection);
    this.traces.mount(mem?.traces ?? (this.openRun !== null ? { anchor: null, left: 0, open: this.openRun } : null));
    performance.measure("hm:traces", "hm:traces");

    // The selection and the cursor, by run index (positions may differ in a new document).
    if (this.sel && this.sel.col < p.columns.length && isShown(this.sel.col)) {
      const pos = this.sel.run === null ? null : (m.runPos.get(this.sel.run) ?? null);
      const vis = pos !== null && order.includes(pos) ? pos : null;
      this.heatmap.select(this.sel.col, vis);
      this.traces.select(this.sel.col, vis, false);
    }
    if (mem?.cursor) {
      const pos = m.runPos.get(mem.cursor.run);
      if (pos !== undefined) this.heatmap.setCursor(pos, nearest(columns, Math.min(mem.cursor.col, p.columns.length - 1)));
    }
    if (mem) this.restore(mem);
    performance.measure("hm:prompt", "hm:prompt");
  }

  /** Folding is on, by the reader's say or by default when more than FOLD_AUTO aligned steps are shown. */
  private folding(p: PromptAnalysis, shown = p.columns.length): boolean {
    return this.state.fold ?? shown > FOLD_AUTO;
  }

  /** "actions only" is on and applies: an agent prompt. */
  private actionsOnly(p: PromptAnalysis): boolean {
    return !!this.state.actions && !!p.agent;
  }

  /** The toolbar over the heatmap and the traces: which runs are shown, their order, folding. */
  private runbar(m: PromptModel, filter: Set<string>, shownRuns: number): HTMLElement {
    const p = m.p;
    const chip = (key: string | null, label: string, count: number, slot: string | null, extra: { ref?: boolean; title: string }) => {
      const on = key === null ? filter.size === 0 : filter.has(key);
      return h(
        "button",
        {
          class: `chip${slot ? ` cls-${slot}` : ""}${on ? " on" : ""}`,
          title: extra.title,
          attrs: { type: "button", "aria-pressed": String(on), "data-fk": `chip:${key ?? "*all"}` },
          on: { click: () => this.toggleClass(m, key) },
        },
        slot ? span("swatch-cls") : null,
        span("chip-label", label),
        extra.ref ? span("ok", "✓") : null,
        span("chip-count num", String(count)),
      );
    };
    const classes = p.answers.map((a, i) => ({ a, i })).filter(({ a }) => a.count > 0);
    const visible = this.moreChips ? classes : classes.slice(0, CHIPS);
    const chips = h(
      "div",
      { class: "chips", attrs: { role: "group", "aria-label": "show the runs of these answers (several can be on)" } },
      span("label", "runs"),
      chip(null, "all", p.n, null, { title: "Show every run" }),
      ...visible.map(({ a, i }) =>
        chip(m.classKeys[i]!, truncate(answerLabel(a), 18), a.count, m.classSlot[i] ?? "other", {
          ref: a.reference,
          title: `answer ${answerLabel(a)}${a.reference ? " (the reference)" : ""}: ${a.count} of ${p.n} runs. Click to show only these (and any other class that is on); again to take it off.`,
        }),
      ),
      classes.length > CHIPS
        ? h(
            "button",
            {
              class: "chip more",
              attrs: { type: "button", "aria-expanded": String(this.moreChips), "data-fk": "chip:*more" },
              on: {
                click: () => {
                  this.moreChips = !this.moreChips;
                  this.rerender();
                },
              },
            },
            this.moreChips ? "fewer" : `+${classes.length - CHIPS} more`,
          )
        : null,
      filter.size ? span("muted chips-note", `${shownRuns} of ${p.n} shown`) : null,
    );
    const order = h(
      "span",
      { class: "seg", attrs: { role: "group", "aria-label": "order of runs" } },
      span("label", "order "),
      ...(["index", "answer"] as const).map((o) =>
        h(
          "button",
          { class: this.state.order === o ? "on" : "", attrs: { type: "button", "aria-pressed": String(this.state.order === o), "data-fk": `order:${o}` }, on: { click: () => this.setOrder(o) } },
          o,
        ),
      ),
    );
    const folding = this.folding(p, shownColumns(m, this.actionsOnly(p)).length);
    const fold = h(
      "button",
      {
        class: "toggle" + (folding ? " on" : ""),
        title: `Fold stretches of ${MIN_FOLD} or more aligned steps where every run shown is in the consensus (or skips the step) into one row. By default on past ${FOLD_AUTO} aligned steps${p.agent ? " shown" : ""}.`,
        attrs: { type: "button", "aria-pressed": String(folding), "data-fk": "fold" },
        on: {
          click: () => {
            this.state.fold = !folding;
            this.unfolded.clear();
            this.rerender();
            this.emit();
          },
        },
      },
      span("toggle-box", folding ? "✓" : ""),
      " fold identical steps",
    );
    return h("div", { class: "runbar", attrs: { role: "toolbar", "aria-label": "runs shown" } }, chips, h("div", { class: "runbar-tools" }, order, fold, this.actionsToggle(m)));
  }

  /** An agent prompt's "actions only": the heatmap and the traces show only the columns of tool calls. */
  private actionsToggle(m: PromptModel): HTMLElement | null {
    const p = m.p;
    if (!p.agent) return null;
    const acts = actionColumns(m).length;
    const on = this.actionsOnly(p) && acts > 0;
    return h(
      "button",
      {
        class: "toggle actions-toggle" + (on ? " on" : ""),
        title: acts
          ? `Show only the ${plural(acts, "aligned column")} that hold tool calls (one per aligned action) in the heatmap and the traces; the other ${plural(p.columns.length - acts, "column")} (reasoning, text, tool results, user turns) are hidden. Column numbers stay the aligned ones.`
          : "No run called a tool: there are no action columns to show.",
        attrs: { type: "button", "aria-pressed": String(on), "data-fk": "actions", ...(acts ? {} : { disabled: "" }) },
        on: {
          click: () => {
            this.state.actions = !on;
            // the folds were of the other columns
            this.unfolded.clear();
            this.rerender();
            this.emit();
          },
        },
      },
      span("toggle-box", on ? "✓" : ""),
      " actions only",
    );
  }

  private setOrder(o: RunOrder): void {
    if (this.state.order === o) return;
    this.state.order = o;
    this.rerender();
    this.emit();
  }
}

/** The column of `cols` (ascending, not empty) nearest to `col`: itself when it is there. */
function nearest(cols: number[], col: number): number {
  let best = cols[0] ?? col;
  for (const j of cols) if (Math.abs(j - col) < Math.abs(best - col)) best = j;
  return best;
}

function anchor<T extends HTMLElement>(el: T, key: string): T {
  el.dataset.anchor = key;
  return el;
}

function section(title: string, sub: string | null, body: HTMLElement, tools?: HTMLElement, subEl?: HTMLElement): HTMLElement {
  return h(
    "section",
    { class: "panel", attrs: { "aria-label": title } },
    h("div", { class: "panel-head" }, h("h3", null, title), sub ? span("muted", sub) : null, subEl ?? null, tools ? h("span", { class: "tools" }, tools) : null),
    body,
  );
}

/** Title, the pooled figures and the length split. */
function topBar(a: Analysis): HTMLElement {
  const lead = benchmarkLead(a);
  const pl = a.pooled ?? ({} as Analysis["pooled"]);
  const count = pl.prompts ?? a.prompts.length;
  const parts: (HTMLElement | string)[] = [];
  const b = pl.brier;
  if (b) {
    parts.push(
      h(
        "span",
        {
          class: "pooled",
          title: "Pooled over the prompts with a target: the estimate Σ variance / Σ error (Brier, finite-sample corrected) with its 95% interval; the plug-in is the paper's uncorrected ratio; bias², variance and error are means over those prompts.",
        },
        span("label", `${lead ? "final answers " : ""}pooled over ${pl.promptsWithTarget} of ${plural(count, "prompt")} `),
        span("label", "incoherence "),
        h("strong", { class: "num" }, fmt(b.estimate)),
        " ",
        span("muted num", fmtCi(b.ci95)),
        span("label", " plug-in "),
        span("num", fmt(b.incoherence)),
        span("label", " · bias² "),
        span("num", fmt(b.bias2)),
        span("label", " variance "),
        span("num", fmt(b.variance)),
        span("label", " error "),
        span("num", fmt(b.error)),
        pl.binary ? span("label", " · binary ") : null,
        pl.binary ? span("num", fmt(pl.binary.estimate)) : null,
        pl.binary?.ci95 ? span("muted num", " " + fmtCi(pl.binary.ci95)) : null,
      ),
    );
  } else {
    parts.push(
      h(
        "span",
        { class: "pooled" },
        span("label", `${plural(count, "prompt")} · no target · `),
        span("label", "disagreement "),
        span("num", fmt(pl.disagreement)),
        span("label", " · entropy "),
        span("num", fmt(pl.entropy)),
        span("label", " nats"),
      ),
    );
  }
  const ls = pl.lengthSplit;
  if (ls) {
    const d = ls.long.estimate !== null && ls.short.estimate !== null ? ls.long.estimate - ls.short.estimate : null;
    parts.push(
      h(
        "span",
        { class: "split", title: "Each prompt's runs cut at the median trace length, then pooled: the paper's finding is that the long half is more incoherent." },
        span("label", "length split: short "),
        span("num", fmt(ls.short.estimate)),
        " ",
        span("muted num", fmtCi(ls.short.ci95)),
        span("label", ` (${plural(ls.short.samples, "run")}, ${fmt(ls.short.meanLength, 0)} ch) · long `),
        span("num", fmt(ls.long.estimate)),
        " ",
        span("muted num", fmtCi(ls.long.ci95)),
        span("label", ` (${plural(ls.long.samples, "run")}, ${fmt(ls.long.meanLength, 0)} ch) · long − short `),
        h("strong", { class: "num" }, fmtSigned(d)),
      ),
    );
  }
  const gen = `${a.generator?.name ?? "?"} ${a.generator?.version ?? ""} · seed ${a.options?.seed ?? "?"} · ${a.options?.resamples ?? "?"} resamples${a.options?.referenceFree ? " · reference-free" : ""}`;
  return h(
    "header",
    { class: "top" },
    h("div", { class: "top-row" }, h("h1", null, "Hot Mess Inspector"), span("muted small", gen)),
    lead ? h("p", { class: "lead" }, lead) : null,
    h("div", { class: "summary" }, ...parts),
    a.skipped?.length
      ? h(
          "div",
          { class: "warn", title: a.skipped.map((s) => `line ${s.line}: ${s.message}`).join("\n") },
          `⚠ ${plural(a.skipped.length, "input line or sample", "input lines or samples")} skipped (hover for details)`,
        )
      : null,
  );
}

/**
 * Two versions of a prompt side by side (the lens's "Δ since the previous version", the Runs
 * view's Compare): B − A of accuracy and incoherence with 95% intervals (src/core/compare.ts,
 * as `hotmess compare` and the lens say it), and a button to each version.
 */
function versionsBanner(a: PromptAnalysis, b: PromptAnalysis, onOpen: (i: number) => void): HTMLElement {
  const A = { id: a.id, tally: tallyOfPrompt(a), estimate: a.brier?.estimate ?? null };
  const B = { tally: tallyOfPrompt(b), estimate: b.brier?.estimate ?? null };
  const words = deltaWords(A, B, versionDelta(A, B));
  const open = (i: number, label: string, p: PromptAnalysis) =>
    h("button", { class: "link", attrs: { type: "button", "data-fk": `version:${i}` }, title: p.prompt ?? p.id, on: { click: () => onOpen(i) } }, `${label}: ${truncate(p.id, 40)} (n ${p.n})`);
  // the typical run of each version, step by step, the steps that differ marked (model text as text)
  const sbs = sideBySide(a, b);
  const MAX_ROWS = 80;
  const steps = sbs
    ? h(
        "details",
        { class: "versions-steps", attrs: { open: "" } },
        h("summary", null, `their typical paths side by side: run #${sbs.runA} before, run #${sbs.runB} after · ${plural(sbs.differing, "step differs", "steps differ")}`),
        h(
          "table",
          { class: "versions-table" },
          h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "before"), h("th", { attrs: { scope: "col" } }, "after"))),
          h(
            "tbody",
            null,
            ...sbs.rows.slice(0, MAX_ROWS).map((r) =>
              h("tr", { class: r.same ? "same" : "diff", title: r.same ? "the same step" : r.a === null ? "only after" : r.b === null ? "only before" : "a different step" }, h("td", null, r.a ?? "—"), h("td", null, r.b ?? "—")),
            ),
          ),
        ),
        sbs.rows.length > MAX_ROWS ? h("p", { class: "muted" }, `+ ${sbs.rows.length - MAX_ROWS} more steps`) : null,
      )
    : null;
  return h(
    "section",
    { class: "versions", attrs: { "aria-label": "the change between the two runs" } },
    span("kpi-label", "before → after (B − A, 95% intervals)"),
    h("div", { class: "versions-delta" }, words ?? "no target on one side: the answers are compared in each run's own classes below"),
    h("div", { class: "versions-links" }, open(0, "before", a), " · ", open(1, "after", b)),
    steps,
  );
}
