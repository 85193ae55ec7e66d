// The optimizer benchmark (METRICS.md §10): incoherence per step k with its interval, bias² and
// variance per step, and the runs missing at each step; then the per-step figures as a table.
import type { ChartConfiguration, ChartDataset } from "chart.js";
import { benchmarkSentence, benchmarkSubject, longestProblem } from "../src/core/lead";
import type { Analysis, OptimizerAnalysis, OptimizerStep } from "../src/core/types";
import { Chart } from "./charts";
import { h, span } from "./dom";
import { DASH, fmt, fmtCi, fmtSig, plural } from "./format";
import { css, over, toRgba, type Theme } from "./theme";

export interface OptimizerHandle {
  element: HTMLElement;
  destroy(): void;
}

export function renderOptimizer(o: OptimizerAnalysis, n: number, theme: Theme): OptimizerHandle {
  const steps = o.steps;
  const labels = steps.map((s) => String(s.k));
  const bg = toRgba(theme.bg);
  const band = (c: string) => {
    const [r, g, b] = toRgba(c);
    return css([r, g, b, theme.dark ? 0.3 : 0.2]);
  };
  const charts: Chart[] = [];

  const lineDs = (label: string, data: (number | null)[], color: string, extra: Partial<ChartDataset<"line">> = {}): ChartDataset<"line"> => ({
    type: "line",
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2,
    pointRadius: 2.5,
    pointHoverRadius: 4,
    spanGaps: false,
    order: 1,
    ...extra,
  });
  const bandDs = (label: string, data: (number | null)[], color: string, fill: string | false): ChartDataset<"line"> => ({
    type: "line",
    label,
    data,
    borderWidth: 0,
    pointRadius: 0,
    pointHitRadius: 0,
    backgroundColor: band(color),
    fill,
    // chart.js draws a lower order on top: the bands go under the lines.
    order: 5,
  });
  const lo = (s: (st: OptimizerStep) => [number, number] | null) => steps.map((st) => s(st)?.[0] ?? null);
  const hi = (s: (st: OptimizerStep) => [number, number] | null) => steps.map((st) => s(st)?.[1] ?? null);
  const hideBands = { filter: (item: { text: string }) => !item.text.startsWith("95%") };
  /**
   * What both per-step charts share: the step axis, the legend without the bands, a tooltip per
   * step whose line for a dataset `label` gives.
   */
  type Item = { dataset: { label?: string }; dataIndex: number };
  const stepOptions = (yScales: Record<string, object>, label: (dataset: string, s: OptimizerStep) => string) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    interaction: { mode: "index" as const, intersect: false },
    scales: { x: { title: { display: true, text: "step k" }, grid: { display: false } }, ...yScales },
    plugins: {
      legend: { position: "bottom" as const, labels: { boxWidth: 10, boxHeight: 10, ...hideBands } },
      tooltip: {
        displayColors: true,
        filter: (i: Item) => !String(i.dataset.label).startsWith("95%"),
        callbacks: {
          title: (items: { label: string }[]) => `step k = ${items[0]?.label ?? ""}`,
          label: (i: Item) => label(String(i.dataset.label), steps[i.dataIndex]!),
        },
      },
    },
  });

  // Incoherence per step, with its band, and the missing runs as bars on a second axis.
  const incConfig: ChartConfiguration<"line" | "bar"> = {
    type: "line",
    data: {
      labels,
      datasets: [
        // line datasets in a mixed chart (chart.js types each dataset by the chart's union type)
        ...([
          bandDs("95% low", lo((s) => s.ci95), theme.blue, false),
          bandDs("95% interval", hi((s) => s.ci95), theme.blue, "-1"),
          lineDs("incoherence", steps.map((s) => s.incoherence), theme.blue),
          lineDs("unbiased", steps.map((s) => s.incoherenceUnbiased), theme.blue, { borderDash: [4, 3], borderWidth: 1.5, pointRadius: 0 }),
        ] as unknown as ChartDataset<"line" | "bar">[]),
        {
          type: "bar",
          label: "runs missing",
          data: steps.map((s) => s.missing.length),
          backgroundColor: css(over(bg, toRgba(theme.fg), 0.22)),
          yAxisID: "y2",
          barPercentage: 0.5,
          order: 10,
        },
      ],
    },
    options: stepOptions(
      {
        y: { min: 0, max: 1, title: { display: true, text: "incoherence" } },
        y2: { position: "right", min: 0, max: n, grid: { display: false }, ticks: { precision: 0 }, title: { display: true, text: `runs missing (of ${n})` } },
      },
      (ds, s) => {
        if (ds === "incoherence") return `incoherence ${fmt(s.incoherence)} ${fmtCi(s.ci95)}`;
        if (ds === "unbiased") return `unbiased ${fmt(s.incoherenceUnbiased)}`;
        return `${s.reached} of ${n} runs reached k; ${plural(s.missing.length, "run")} missing`;
      },
    ),
  };

  // bias² and variance (finite-sample corrected, with their intervals), log scale.
  const pos = (x: number | null) => (x !== null && x > 0 ? x : null);
  const posBand = (s: (st: OptimizerStep) => [number, number] | null, side: 0 | 1) => steps.map((st) => pos(s(st)?.[side] ?? null));
  const errConfig: ChartConfiguration<"line"> = {
    type: "line",
    data: {
      labels,
      datasets: [
        bandDs("95% bias² low", posBand((s) => s.bias2Ci95, 0), theme.orange, false),
        bandDs("95% bias² high", posBand((s) => s.bias2Ci95, 1), theme.orange, "-1"),
        bandDs("95% var low", posBand((s) => s.varianceCi95, 0), theme.purple, false),
        bandDs("95% var high", posBand((s) => s.varianceCi95, 1), theme.purple, "-1"),
        lineDs("bias²", steps.map((s) => pos(s.bias2Unbiased)), theme.orange),
        lineDs("variance", steps.map((s) => pos(s.varianceUnbiased)), theme.purple),
        lineDs("error", steps.map((s) => pos(s.error)), theme.muted, { borderDash: [4, 3], borderWidth: 1.5, pointRadius: 0 }),
      ],
    },
    options: stepOptions(
      { y: { type: "logarithmic", title: { display: true, text: "squared error (log)" }, ticks: { callback: (v: string | number) => logTick(Number(v)) } } },
      (ds, s) => {
        if (ds === "bias²") return `bias² ${fmtSig(s.bias2Unbiased)} ${sigCi(s.bias2Ci95)} (plug-in ${fmtSig(s.bias2)})`;
        if (ds === "variance") return `variance ${fmtSig(s.varianceUnbiased)} ${sigCi(s.varianceCi95)} (plug-in ${fmtSig(s.variance)})`;
        return `error ${fmtSig(s.error)}`;
      },
    ),
  };

  const canvasA = h("canvas", { attrs: { role: "img", "aria-label": "incoherence per optimizer step" } });
  const canvasB = h("canvas", { attrs: { role: "img", "aria-label": "bias squared and variance per optimizer step" } });
  const grid = h(
    "div",
    { class: "opt-charts" },
    h("div", { class: "opt-chart" }, h("div", { class: "chart-title" }, "incoherence per step"), h("div", { class: "chart-box" }, canvasA)),
    h("div", { class: "opt-chart" }, h("div", { class: "chart-title" }, "bias² and variance per step (finite-sample corrected)"), h("div", { class: "chart-box" }, canvasB)),
  );
  const element = h("div", { class: "optimizer" }, specLine(o), grid, table(o, n));
  // Charts need their canvases in the document to size themselves: create them next frame.
  requestAnimationFrame(() => {
    if (!canvasA.isConnected) return;
    charts.push(new Chart(canvasA, incConfig as ChartConfiguration));
    charts.push(new Chart(canvasB, errConfig as ChartConfiguration));
  });
  return { element, destroy: () => charts.forEach((c) => c.destroy()) };
}

const sigCi = (ci: [number, number] | null) => (ci ? `[${fmtSig(ci[0])}–${fmtSig(ci[1])}]` : "");

/** Ticks at powers of ten only: 0.001, 0.01, 0.1, 1, 10 … and 1e-4 beyond. */
function logTick(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) > 1e-9) return "";
  const k = Math.round(e);
  return k >= -3 && k <= 3 ? String(10 ** k) : `1e${k}`;
}

function specLine(o: OptimizerAnalysis): HTMLElement {
  const s = o.spec;
  const rule = s.rule === "gd" ? `gradient descent, η = ${s.eta ?? DASH}` : `steepest descent, step ${s.stepNorm ?? DASH}`;
  const kappa = s.conditionNumber !== undefined ? `κ = ${s.kappa} (exact ${fmtSig(s.conditionNumber)})` : `κ = ${s.kappa}`;
  return h(
    "div",
    { class: "facts" },
    ...[
      ["rule", rule],
      ["d", String(s.d)],
      ["condition", kappa],
      ["K", String(s.K)],
      ["decimals", String(s.decimals)],
      ["seed", String(s.seed)],
      ...(s.difficulty ? [["difficulty", s.difficulty]] : []),
    ].map(([l, v]) => h("span", { class: "fact" }, span("label", l!), " ", span("value", v!))),
  );
}

function table(o: OptimizerAnalysis, n: number): HTMLElement {
  const vec = (x: number[] | null) => (x ? `(${x.map((v) => fmtSig(v)).join(", ")})` : DASH);
  const missing = (m: number[]) => (m.length === 0 ? "" : m.length <= 6 ? m.map((r) => `#${r}`).join(" ") : `${m.slice(0, 5).map((r) => `#${r}`).join(" ")} +${m.length - 5}`);
  return h(
    "details",
    { class: "opt-table", attrs: { open: "" } },
    h("summary", null, "per-step figures"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "decomp wide" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ...["k", "reached", "missing", "bias²", "variance", "error", "incoherence", "95% interval", "unbiased", "true x*ₖ", "mean x̄ₖ"].map((t) => h("th", null, t)),
          ),
        ),
        h(
          "tbody",
          null,
          ...o.steps.map((s) =>
            h(
              "tr",
              null,
              h("th", null, String(s.k)),
              h("td", null, `${s.reached}/${n}`),
              h("td", { class: "muted", title: s.missing.map((r) => `#${r}`).join(" ") }, missing(s.missing)),
              h("td", { title: `unbiased ${fmtSig(s.bias2Unbiased)} ${sigCi(s.bias2Ci95)}` }, fmtSig(s.bias2)),
              h("td", { title: `unbiased ${fmtSig(s.varianceUnbiased)} ${sigCi(s.varianceCi95)}` }, fmtSig(s.variance)),
              h("td", null, fmtSig(s.error)),
              h("td", null, fmt(s.incoherence)),
              h("td", { class: "muted" }, fmtCi(s.ci95)),
              h("td", null, fmt(s.incoherenceUnbiased)),
              h("td", { class: "vec" }, vec(s.truth)),
              h("td", { class: "vec" }, vec(s.mean)),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * The one sentence of what a benchmark analysis shows (src/core/lead.ts: word for word what the
 * CLI prints). Null unless every prompt is a benchmark prompt.
 */
export function benchmarkLead(a: Analysis): string | null {
  if (a.prompts.length === 0 || !a.prompts.every((p) => p.optimizer)) return null;
  return benchmarkSentence(benchmarkSubject(a), a);
}

/** The prompt a benchmark analysis opens on: its longest problem, the one the sentence follows (core/lead.ts). */
export function openingPrompt(a: Analysis): number | null {
  if (a.prompts.length < 2 || !a.prompts.every((p) => p.optimizer)) return null;
  return longestProblem(a);
}
