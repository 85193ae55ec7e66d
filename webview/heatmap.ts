// The step-level divergence heatmap: runs × aligned columns (chart.js + chartjs-chart-matrix).
// Cell colour = divergence from the column's consensus; gaps hatched; the fork column outlined
// and marked above; a strip on the left shows each run's answer class. Clicking a cell selects
// it (the traces scroll to it).
import type { ChartConfiguration, Plugin, TooltipItem } from "chart.js";
import { Chart } from "./charts";
import { h, span } from "./dom";
import { answerLabel, fmt, truncate } from "./format";
import type { PromptModel } from "./model";
import { heatColour, type Theme } from "./theme";

interface Pt {
  x: number;
  y: number;
  /** Position of the run in p.runs; −1 never. */
  pos: number;
  /** Column index; −1 for the answer strip. */
  col: number;
  v: number;
  gap: boolean;
}

export interface HeatmapHandle {
  element: HTMLElement;
  select(col: number | null, pos: number | null): void;
  destroy(): void;
}

export function renderHeatmap(
  m: PromptModel,
  order: number[],
  theme: Theme,
  width: number,
  onSelect: (col: number, pos: number | null) => void,
): HeatmapHandle {
  const p = m.p;
  const n = order.length;
  const cols = Math.max(1, p.columns.length);
  const row = Math.max(5, Math.min(22, Math.floor(520 / Math.max(1, n))));
  // Fixed geometry, so that every cell's size is a constant: chart.js resolves constant options
  // once per dataset instead of once per cell (5,000 cells at 100 runs). The y axis is axisW
  // wide, the x axis xAxisH high; then a narrow answer strip and the columns (at most 44 px
  // wide, at least 7: past that the box scrolls sideways).
  const axisW = 56;
  const xAxisH = 40;
  const topPad = 18;
  const rightPad = 8;
  const stripPx = 16;
  const cellPx = Math.max(7, Math.min(44, (width - axisW - stripPx - rightPad) / cols));
  const canvasW = Math.ceil(axisW + stripPx + cellPx * cols + rightPad);
  const canvasH = topPad + n * row + xAxisH;
  /** The strip's slot in x units, left of column 0. */
  const slot = (canvasW - axisW - rightPad) / cellPx - cols;
  const STRIP_X = -0.5 - slot * 0.45;
  const gapX = cellPx >= 6 ? 1 : 0;
  const gapY = row >= 6 ? 1 : 0;

  const yOf = new Map<number, number>();
  order.forEach((pos, y) => yOf.set(pos, y));
  // One dataset per colour (21 shades of divergence, the gaps, each answer-class colour): every
  // option of a dataset is then a constant, which chart.js resolves once, not once per cell.
  const STEPS = 20;
  const pattern = gapPattern(theme);
  const groups = new Map<string, { colour: string | CanvasPattern; strip: boolean; data: Pt[] }>();
  const add = (key: string, colour: () => string | CanvasPattern, strip: boolean, d: Pt) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { colour: colour(), strip, data: [] }));
    g.data.push(d);
  };
  p.columns.forEach((col, j) => {
    for (const c of col.cells) {
      const pos = m.runPos.get(c.run);
      if (pos === undefined) continue;
      const gap = c.step === null;
      const q = Math.round(Math.min(1, Math.max(0, c.divergence)) * STEPS);
      const d: Pt = { x: j, y: yOf.get(pos)!, pos, col: j, v: c.divergence, gap };
      if (gap) add("gap", () => pattern, false, d);
      else add(`d${q}`, () => heatColour(theme, q / STEPS), false, d);
    }
  });
  order.forEach((pos, y) => {
    const slotName = m.classSlot[p.runs[pos]!.answerClass] ?? "other";
    add(`s${slotName}`, () => theme.classColour(slotName), true, { x: STRIP_X, y, pos, col: -1, v: 0, gap: false });
  });
  const sets = [...groups.values()];

  let selCol: number | null = null;
  let selPos: number | null = null;
  const unit = (chart: { scales: Chart["scales"] }, axis: "x" | "y") => {
    const sc = chart.scales[axis];
    return sc ? Math.abs(sc.getPixelForValue(1) - sc.getPixelForValue(0)) : 10;
  };
  const pt = (c: { raw: unknown }) => c.raw as Pt;

  const marks: Plugin<"matrix"> = {
    id: "hotmessMarks",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: a } = chart;
      const x = chart.scales.x!;
      const y = chart.scales.y!;
      const half = unit(chart, "x") / 2;
      ctx.save();
      if (p.forkColumn !== null) {
        const cx = x.getPixelForValue(p.forkColumn);
        ctx.strokeStyle = theme.fork;
        ctx.lineWidth = 2;
        ctx.strokeRect(cx - half, a.top - 1, half * 2, a.bottom - a.top + 2);
        ctx.fillStyle = theme.fork;
        ctx.beginPath();
        ctx.moveTo(cx - 5, a.top - 12);
        ctx.lineTo(cx + 5, a.top - 12);
        ctx.lineTo(cx, a.top - 4);
        ctx.closePath();
        ctx.fill();
        ctx.font = `600 ${Math.max(10, theme.fontSize - 2)}px ${theme.font}`;
        ctx.textBaseline = "bottom";
        ctx.textAlign = cx > a.right - 40 ? "right" : "left";
        ctx.fillText("fork", cx + (ctx.textAlign === "right" ? -8 : 8), a.top - 2);
      }
      if (selCol !== null) {
        const cx = x.getPixelForValue(selCol);
        ctx.strokeStyle = theme.focus;
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(cx - half + 0.5, a.top + 0.5, half * 2 - 1, a.bottom - a.top - 1);
        ctx.setLineDash([]);
        if (selPos !== null) {
          const yy = yOf.get(selPos);
          if (yy !== undefined) {
            const hh = unit(chart, "y") / 2;
            const cy = y.getPixelForValue(yy);
            ctx.lineWidth = 2;
            ctx.strokeRect(cx - half, cy - hh, half * 2, hh * 2);
          }
        }
      }
      ctx.restore();
    },
  };

  const config: ChartConfiguration<"matrix", Pt[]> = {
    type: "matrix",
    data: {
      datasets: sets.map((g) => ({
        data: g.data,
        backgroundColor: g.colour,
        borderWidth: 0,
        hoverBorderWidth: 1,
        hoverBorderColor: theme.fg,
        width: g.strip ? Math.min(9, stripPx * 0.6) : cellPx - gapX,
        height: row - gapY,
      })),
    },
    options: {
      responsive: false,
      maintainAspectRatio: false,
      animation: false,
      events: ["mousemove", "mouseout", "click"],
      layout: { padding: { top: topPad, right: rightPad, left: 0, bottom: 0 } },
      interaction: { mode: "nearest", intersect: true },
      onClick: (_e, els) => {
        const el = els[0];
        if (!el) return;
        const d = sets[el.datasetIndex]?.data[el.index];
        if (!d) return;
        if (d.col < 0) onSelect(selCol ?? p.forkColumn ?? 0, d.pos);
        else onSelect(d.col, d.pos);
      },
      onHover: (e, els) => {
        const t = e.native?.target as HTMLElement | undefined;
        if (t) t.style.cursor = els.length ? "pointer" : "default";
      },
      scales: {
        x: {
          type: "linear",
          position: "bottom",
          min: -0.5 - slot,
          max: cols - 0.5,
          offset: false,
          grid: { display: false },
          border: { display: false },
          title: { display: true, text: "aligned step (column)", padding: { top: 2 } },
          afterFit: (axis) => {
            axis.height = xAxisH;
          },
          afterBuildTicks: (axis) => {
            const step = cellPx >= 22 ? 1 : cellPx >= 11 ? 2 : 5;
            axis.ticks = p.columns.map((_, j) => ({ value: j })).filter((t) => t.value % step === 0);
          },
          ticks: { autoSkip: false, maxRotation: 0, callback: (v) => String(v) },
        },
        y: {
          type: "linear",
          reverse: true,
          min: -0.5,
          max: n - 0.5,
          offset: false,
          grid: { display: false },
          border: { display: false },
          title: { display: true, text: "run", padding: { bottom: 2 } },
          afterFit: (axis) => {
            axis.width = axisW;
          },
          afterBuildTicks: (axis) => {
            const step = n > 60 ? 10 : n > 24 ? 5 : n > 12 ? 2 : 1;
            axis.ticks = order.map((_, y) => ({ value: y })).filter((t) => t.value % step === 0);
          },
          ticks: {
            autoSkip: false,
            callback: (v) => {
              const pos = order[Number(v)];
              return pos === undefined ? "" : `#${p.runs[pos]!.index}`;
            },
          },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<"matrix">[]) => {
              const d = items[0] ? pt(items[0]) : null;
              if (!d) return "";
              const run = p.runs[d.pos]!;
              return d.col < 0 ? `run #${run.index}` : `run #${run.index} · column ${d.col}${d.col === p.forkColumn ? " (fork)" : ""}`;
            },
            label: (item: TooltipItem<"matrix">) => tooltipLines(m, pt(item)),
          },
        },
      },
    },
    plugins: [marks],
  };

  const canvas = h("canvas", { attrs: { role: "img", "aria-label": `divergence heatmap: ${n} runs by ${p.columns.length} aligned steps` } });
  canvas.width = canvasW;
  canvas.height = canvasH;
  canvas.style.width = `${canvasW}px`;
  canvas.style.height = `${canvasH}px`;
  const box = h("div", { class: "heatmap-scroll" }, canvas);
  const chart = new Chart(canvas, config);

  return {
    element: h("div", { class: "heatmap" }, box, legend(theme)),
    select(col, pos) {
      selCol = col;
      selPos = pos;
      chart.draw();
    },
    destroy() {
      chart.destroy();
    },
  };
}

function tooltipLines(m: PromptModel, d: Pt): string[] {
  const p = m.p;
  const run = p.runs[d.pos]!;
  const cls = p.answers[run.answerClass];
  const mark = run.correct === true ? " ✓" : run.correct === false ? " ✗" : "";
  const answer = `answer ${truncate(answerLabel(cls), 40)}${mark}`;
  if (d.col < 0) return [answer, `${run.steps.length} steps · ${run.length} characters`];
  const cell = p.columns[d.col]!.cells.find((c) => c.run === run.index);
  if (!cell || cell.step === null) return ["gap: no step of this run here", answer];
  const step = run.steps[cell.step];
  const groups = p.columns[d.col]!.groups;
  return [
    `group ${cell.group}${cell.group === 0 ? " (consensus)" : ""} of ${groups} · divergence ${fmt(cell.divergence, 2)}`,
    ...wrap(truncate(step?.text ?? "", 180), 60),
    answer,
  ];
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.map((l) => `  ${l}`);
}

function gapPattern(theme: Theme): CanvasPattern | string {
  const c = document.createElement("canvas");
  c.width = c.height = 6;
  const ctx = c.getContext("2d");
  if (!ctx) return theme.gap;
  ctx.fillStyle = theme.gap;
  ctx.fillRect(0, 0, 6, 6);
  ctx.strokeStyle = theme.gapLine;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, 6);
  ctx.lineTo(6, 0);
  ctx.moveTo(-1, 1);
  ctx.lineTo(1, -1);
  ctx.moveTo(5, 7);
  ctx.lineTo(7, 5);
  ctx.stroke();
  return ctx.createPattern(c, "repeat") ?? theme.gap;
}

function legend(theme: Theme): HTMLElement {
  const ramp = span("ramp");
  ramp.style.background = `linear-gradient(to right, ${heatColour(theme, 0)}, ${heatColour(theme, 0.5)}, ${heatColour(theme, 1)})`;
  return h(
    "div",
    { class: "legend" },
    h("span", { class: "legend-item" }, span("muted", "consensus 0 "), ramp, span("muted", " 1 different")),
    h("span", { class: "legend-item" }, span("swatch hatch"), " gap"),
    h("span", { class: "legend-item" }, span("swatch fork"), " fork column"),
    h("span", { class: "legend-item" }, span("swatch strip"), " answer class (left strip)"),
    h("span", { class: "legend-item muted" }, "click a cell to show it in the traces"),
  );
}
