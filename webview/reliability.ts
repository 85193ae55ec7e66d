// Reliability across reruns (METRICS.md §7b) for the prompt shown: pass^k (k fresh reruns all
// right) and pass@k (at least one of k right) for k = 1..n as two lines with their 95% interval
// bands, and beside the chart the same figures as a table at k = 1, 2, 3, 5, 10, … n (the chart
// is an image; the table is what a screen reader and a copy read). Only for prompts with a target.
import type { ChartConfiguration, ChartDataset } from "chart.js";
import { summaryKs } from "../src/core/reliability";
import type { Interval, PromptAnalysis } from "../src/core/types";
import { Chart } from "./charts";
import { h } from "./dom";
import { fmt, fmtCi } from "./format";
import { css, toRgba, type Theme } from "./theme";

export interface ReliabilityHandle {
  element: HTMLElement;
  destroy(): void;
}

interface Series {
  label: string;
  values: number[];
  ci: Interval[];
  colour: string;
}

export function renderReliability(p: PromptAnalysis, theme: Theme): ReliabilityHandle | null {
  if (!p.passHatK || !p.passAtK || !p.passHatKCi95 || !p.passAtKCi95) return null;
  const hat: Series = { label: "pass^k", values: p.passHatK, ci: p.passHatKCi95, colour: theme.blue };
  const at: Series = { label: "pass@k", values: p.passAtK, ci: p.passAtKCi95, colour: theme.orange };
  const n = hat.values.length;
  const labels = hat.values.map((_, i) => String(i + 1));
  const band = (c: string) => {
    const [r, g, b] = toRgba(c);
    return css([r, g, b, theme.dark ? 0.28 : 0.18]);
  };
  // past a few dozen k's the points would merge into a bar: lines only
  const pointRadius = n <= 30 ? 2.5 : 0;
  const datasets = (s: Series): ChartDataset<"line">[] => [
    { label: `95% ${s.label} low`, data: s.ci.map((c) => c[0]), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: band(s.colour), fill: false, order: 5 },
    { label: `95% ${s.label} high`, data: s.ci.map((c) => c[1]), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: band(s.colour), fill: "-1", order: 5 },
    { label: s.label, data: s.values, borderColor: s.colour, backgroundColor: s.colour, borderWidth: 2, pointRadius, pointHoverRadius: 4, order: 1 },
  ];
  type Item = { dataset: { label?: string }; dataIndex: number };
  const config: ChartConfiguration<"line"> = {
    type: "line",
    data: { labels, datasets: [...datasets(hat), ...datasets(at)] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { title: { display: true, text: "k reruns" }, grid: { display: false }, ticks: { autoSkip: true, maxTicksLimit: 12 } },
        y: { min: 0, max: 1, title: { display: true, text: "chance" } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 10, boxHeight: 10, filter: (item) => !item.text.startsWith("95%") } },
        tooltip: {
          displayColors: true,
          filter: (i: Item) => !String(i.dataset.label).startsWith("95%"),
          callbacks: {
            title: (items) => `k = ${items[0]?.label ?? ""}`,
            label: (i: Item) => {
              const s = i.dataset.label === hat.label ? hat : at;
              return `${s.label} ${fmt(s.values[i.dataIndex])} ${fmtCi(s.ci[i.dataIndex])}`;
            },
          },
        },
      },
    },
  };
  const canvas = h("canvas", { attrs: { role: "img", "aria-label": `pass^k and pass@k for k = 1 to ${n}, with 95% interval bands; the table beside it gives the figures` } });
  const element = h("div", { class: "rel" }, h("div", { class: "rel-chart" }, h("div", { class: "chart-box rel-box" }, canvas)), table(hat, at));
  let chart: Chart | null = null;
  // Charts need their canvases in the document to size themselves: create it next frame.
  requestAnimationFrame(() => {
    if (canvas.isConnected) chart = new Chart(canvas, config as ChartConfiguration);
  });
  return { element, destroy: () => chart?.destroy() };
}

function table(hat: Series, at: Series): HTMLElement {
  const ks = summaryKs(hat.values.length);
  const cell = (s: Series, k: number) =>
    h("td", { class: "num" }, fmt(s.values[k - 1]), " ", h("span", { class: "muted ci" }, fmtCi(s.ci[k - 1], 2)));
  return h(
    "table",
    { class: "decomp rel-table" },
    h("thead", null, h("tr", null, h("th", null, "k"), h("th", { title: "the chance that k fresh reruns are all right" }, "pass^k"), h("th", { title: "the chance that at least one of k fresh reruns is right" }, "pass@k"))),
    h("tbody", null, ...ks.map((k) => h("tr", null, h("th", null, String(k)), cell(hat, k), cell(at, k)))),
  );
}
