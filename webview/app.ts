// The comparison view: one `hotmess.analysis/1` document in, the whole page out. `render` is
// the single entry point: the self-contained HTML calls it with the inlined document, a VS Code
// host will call it with each document it posts.
import type { Analysis, PromptAnalysis } from "../src/core/types";
import { applyChartTheme } from "./charts";
import { clear, h, span } from "./dom";
import { fmt, fmtCi, fmtSigned, plural, truncate } from "./format";
import { renderHeader } from "./header";
import { renderHeatmap, type HeatmapHandle } from "./heatmap";
import { headline, promptModel, runOrder, type RunOrder } from "./model";
import { renderOptimizer, type OptimizerHandle } from "./optimizer";
import { readTheme } from "./theme";
import { renderTraces, type TracesHandle } from "./traces";

export interface ViewState {
  prompt: number;
  order: RunOrder;
}

export interface AppOptions {
  /** Called when the user changes what is shown (a host can persist it). */
  onState?: (s: ViewState) => void;
}

export class App {
  private analysis: Analysis | null = null;
  private state: ViewState = { prompt: 0, order: "index" };
  private main: HTMLElement | null = null;
  private list: HTMLElement | null = null;
  private items: HTMLElement[] = [];
  private heatmap: HeatmapHandle | null = null;
  private traces: TracesHandle | null = null;
  private optimizer: OptimizerHandle | null = null;
  private width = 0;
  private selectColumn: ((col: number, pos: number | null, from: "heatmap" | "traces") => void) | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly opts: AppOptions = {},
  ) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (this.main && Math.abs(this.main.clientWidth - this.width) > 24) this.renderPrompt();
      }, 150);
    });
    // VS Code changes the theme by rewriting the variables on <html> and the class of <body>.
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => this.renderPrompt(), 50);
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
    observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  }

  /** Show a document (replacing whatever was shown), optionally at a saved state. */
  render(analysis: Analysis, state?: Partial<ViewState>): void {
    this.analysis = analysis;
    this.state = { ...this.state, ...state };
    if (!(this.state.prompt >= 0 && this.state.prompt < analysis.prompts.length)) this.state.prompt = 0;
    this.destroyCharts();
    clear(this.root);
    if (analysis?.schema !== "hotmess.analysis/1" || !Array.isArray(analysis.prompts)) {
      this.root.append(h("div", { class: "empty" }, "This is not a hotmess.analysis/1 document."));
      return;
    }
    this.root.append(topBar(analysis));
    if (analysis.prompts.length === 0) {
      this.root.append(h("div", { class: "empty" }, "The analysis holds no prompts."));
      return;
    }
    this.main = h("main", { class: "prompt" });
    const body = h("div", { class: "body" + (analysis.prompts.length === 1 ? " single" : "") });
    if (analysis.prompts.length > 1) body.append(this.promptList(analysis.prompts));
    body.append(this.main);
    this.root.append(body);
    this.renderPrompt();
  }

  select(index: number): void {
    if (!this.analysis || index < 0 || index >= this.analysis.prompts.length || index === this.state.prompt) return;
    this.state.prompt = index;
    this.items.forEach((el, i) => el.setAttribute("aria-selected", String(i === index)));
    this.items[index]?.scrollIntoView({ block: "nearest" });
    // Scroll while the old layout is still clean: after the new prompt is built, this would
    // force a second full layout.
    window.scrollTo({ top: 0 });
    this.renderPrompt();
    this.opts.onState?.({ ...this.state });
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

  private promptList(prompts: PromptAnalysis[]): HTMLElement {
    const max = Math.max(...prompts.map((p) => p.n));
    this.items = prompts.map((p, i) => {
      const inc = headline(p);
      const bar = span("mini-bar");
      const fill = span("mini-fill" + (inc === null ? " dis" : ""));
      fill.style.width = `${Math.round(100 * Math.min(1, Math.max(0, inc ?? p.disagreement)))}%`;
      bar.append(fill);
      const item = h(
        "li",
        {
          class: "prompt-item",
          attrs: { role: "option", "aria-selected": String(i === this.state.prompt), tabindex: i === this.state.prompt ? "0" : "-1" },
          title: `${p.id}\nn ${p.n} · incoherence ${fmt(inc)} ${fmtCi(p.brier?.ci95)}${p.model ? `\nmodel ${p.model}` : ""}`,
          on: { click: () => this.select(i) },
        },
        h("span", { class: "pi-id" }, truncate(p.id, 40)),
        h("span", { class: "pi-n num" }, String(p.n).padStart(String(max).length, " ")),
        h("span", { class: "pi-inc num" }, inc === null ? span("muted", "—") : fmt(inc, 2)),
        bar,
      );
      return item;
    });
    const ul = h("ul", { class: "prompt-list", attrs: { role: "listbox", "aria-label": "prompts" } }, ...this.items);
    ul.addEventListener("keydown", (e) => {
      const d = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      let i = this.state.prompt + d;
      while (i >= 0 && i < this.items.length && this.items[i]!.hidden) i += d;
      if (i < 0 || i >= this.items.length) return;
      this.items.forEach((el, k) => el.setAttribute("tabindex", k === i ? "0" : "-1"));
      this.select(i);
      this.items[i]!.focus();
    });
    const head = h("div", { class: "list-head" }, span("", "prompt"), span("num", "n"), span("num", "incoh."));
    const nav = h("nav", { class: "prompts", attrs: { "aria-label": "prompts" } });
    if (prompts.length > 8) {
      const filter = h("input", { class: "filter", attrs: { type: "search", placeholder: `Filter ${prompts.length} prompts`, "aria-label": "filter prompts" } });
      filter.addEventListener("input", () => {
        const q = filter.value.trim().toLowerCase();
        prompts.forEach((p, i) => (this.items[i]!.hidden = q !== "" && !p.id.toLowerCase().includes(q) && !(p.model ?? "").toLowerCase().includes(q)));
      });
      nav.append(filter);
    }
    nav.append(head, ul);
    this.list = ul;
    return nav;
  }

  private destroyCharts(): void {
    this.heatmap?.destroy();
    this.optimizer?.destroy();
    this.heatmap = this.traces = this.optimizer = null;
  }

  private renderPrompt(): void {
    const a = this.analysis;
    const main = this.main;
    if (!a || !main || !main.isConnected) return;
    const p = a.prompts[this.state.prompt];
    if (!p) return;
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
    const order = runOrder(p, this.state.order);
    main.append(renderHeader(m));

    if (p.optimizer) {
      this.optimizer = renderOptimizer(p.optimizer, p.n, theme);
      main.append(section("Optimizer benchmark: incoherence per step", null, this.optimizer.element));
    }

    const select = (col: number, pos: number | null, from: "heatmap" | "traces") => {
      this.heatmap?.select(col, pos);
      this.traces?.select(col, pos, from === "heatmap");
      if (from === "heatmap") tracesSection.scrollIntoView({ block: "start", behavior: "smooth" });
    };
    this.selectColumn = select;
    const orderToggle = h(
      "span",
      { class: "seg", attrs: { role: "group", "aria-label": "order of runs" } },
      span("muted", "runs by "),
      ...(["index", "answer"] as const).map((o) =>
        h("button", { class: this.state.order === o ? "on" : "", attrs: { "aria-pressed": String(this.state.order === o) }, on: { click: () => this.setOrder(o) } }, o),
      ),
    );
    if (p.columns.length > 0 && p.runs.length > 0) {
      performance.mark("hm:heatmap");
      this.heatmap = renderHeatmap(m, order, theme, width, (col, pos) => select(col, pos, "heatmap"));
      performance.measure("hm:heatmap", "hm:heatmap");
      const sub = `${plural(p.n, "run")} × ${plural(p.columns.length, "aligned step")}${p.forkColumn !== null ? ` · fork at column ${p.forkColumn}` : " · no fork"}`;
      main.append(section("Step-level divergence", sub, this.heatmap.element, orderToggle));
    }
    performance.mark("hm:traces");
    this.traces = renderTraces(m, order, width, (col, pos) => select(col, pos, "traces"));
    performance.measure("hm:traces", "hm:traces");
    const tracesSection = section("Traces by aligned step", "one row per aligned step, one column per run; click a run to read it whole", this.traces.element);
    main.append(tracesSection);
    performance.measure("hm:prompt", "hm:prompt");
  }

  private setOrder(o: RunOrder): void {
    if (this.state.order === o) return;
    this.state.order = o;
    this.renderPrompt();
    this.opts.onState?.({ ...this.state });
  }
}

function section(title: string, sub: string | null, body: HTMLElement, tools?: HTMLElement): HTMLElement {
  return h("section", { class: "panel" }, h("div", { class: "panel-head" }, h("h3", null, title), sub ? span("muted", sub) : null, tools ? h("span", { class: "tools" }, tools) : null), body);
}

/** Title, the pooled figures and the length split. */
function topBar(a: Analysis): HTMLElement {
  const pl = a.pooled ?? ({} as Analysis["pooled"]);
  const count = pl.prompts ?? a.prompts.length;
  const parts: (HTMLElement | string)[] = [];
  const b = pl.brier;
  if (b) {
    parts.push(
      h(
        "span",
        { class: "pooled", title: "Pooled over the prompts with a target: Σ variance / Σ error (Brier); bias², variance and error are means over those prompts." },
        span("label", `pooled over ${pl.promptsWithTarget} of ${plural(count, "prompt")} `),
        span("label", "incoherence "),
        h("strong", { class: "num" }, fmt(b.incoherence)),
        " ",
        span("muted num", fmtCi(b.ci95)),
        span("label", " unbiased "),
        span("num", fmt(b.incoherenceUnbiased)),
        span("label", " · bias² "),
        span("num", fmt(b.bias2)),
        span("label", " variance "),
        span("num", fmt(b.variance)),
        span("label", " error "),
        span("num", fmt(b.error)),
        pl.binary ? span("label", " · binary ") : null,
        pl.binary ? span("num", fmt(pl.binary.incoherence)) : null,
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
    const d = ls.long.incoherence !== null && ls.short.incoherence !== null ? ls.long.incoherence - ls.short.incoherence : null;
    parts.push(
      h(
        "span",
        { class: "split", title: "Each prompt's runs cut at the median trace length, then pooled: the paper's finding is that the long half is more incoherent." },
        span("label", "length split: short "),
        span("num", fmt(ls.short.incoherence)),
        " ",
        span("muted num", fmtCi(ls.short.ci95)),
        span("label", ` (${plural(ls.short.samples, "run")}, ${fmt(ls.short.meanLength, 0)} ch) · long `),
        span("num", fmt(ls.long.incoherence)),
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
