// The step-level divergence heatmap: runs × aligned columns, drawn by chart.js with
// chartjs-chart-matrix. Cell colour = divergence from the reference class's path when the prompt
// has one with runs, else from the column's consensus (the legend says which); gaps hatched; the
// fork column (an agent prompt's: the fork action's, with its cause) outlined and marked above;
// a strip on the left shows each run's answer class. It shows every aligned column, or the ones
// the caller passes ("actions only"), under their own column numbers.
//
// Speed (6,000 cells at 100 runs × 60 steps): one dataset per colour (21 shades of divergence,
// the gaps, each answer-class colour of the strip), so that every option of a dataset is a
// constant that chart.js resolves once per dataset, not once per cell; no animation, no parsing
// (the points are in chart.js's internal {x, y} form already), normalized data, fixed geometry
// (each cell's size is a constant, the axes have fixed sizes); the legend, tooltip and filler
// plugins off for this chart. Hit testing is arithmetic on the scales (a custom interaction mode:
// O(1) per mouse move, and no gaps between cells where the hover drops). Redraws (hover, cursor,
// selection) reuse the cells as chart.js drew them (see the cache plugin).
//
// What chart.js does not draw is drawn by a plugin on the same canvas: the fork (outline, ▼ and
// label), the selected column and cell, the hovered cell, the keyboard cursor. The tooltip is an
// element built with textContent (model text is never HTML), shown for the hovered cell and for
// the keyboard cursor. Clicking a cell selects it (the traces scroll to it); the canvas takes
// keyboard focus: the arrow keys move a cursor cell (its tooltip shows, a live region reads it),
// Enter selects it as a click does.
import { Interaction, type ChartConfiguration, type ChartEvent, type ChartOptions, type InteractionItem, type InteractionModeFunction, type Plugin } from "chart.js";
import { Chart } from "./charts";
import { h, span } from "./dom";
import { answerLabel, fmt, truncate } from "./format";
import { forkMark } from "./actions";
import { divergenceCaption, divergenceFrom, groupRole } from "../src/core/refpath";
import type { PromptModel } from "./model";
import { heatColour, type Theme } from "./theme";

declare module "chart.js" {
  interface InteractionModeMap {
    /** The heatmap's cell under the pointer, found from the scales (see below). */
    hotmessCell: InteractionModeFunction;
  }
}

export interface HeatmapHandle {
  element: HTMLElement;
  select(col: number | null, pos: number | null): void;
  /** The keyboard cursor (run position, column), or null before the heatmap had focus. */
  cursor(): { pos: number; col: number } | null;
  /** Put the keyboard cursor on a cell (of a run shown), e.g. after a re-render. */
  setCursor(pos: number, col: number): void;
  focus(): void;
  /** Sideways scroll of the heatmap box (when it is wider than the page). */
  scrollLeft: number;
  destroy(): void;
}

/** A cell of the matrix, in chart.js's internal form (parsing: false). */
interface Pt {
  /** Column index, or the strip's x for the answer strip. */
  x: number;
  /** Row in display order. */
  y: number;
}

/**
 * A cell in display coordinates: row y (in display order), column x (the position among the
 * columns shown; −1: the answer strip). Outside (selection, cursor, clicks) columns are aligned
 * column indices.
 */
interface At {
  y: number;
  col: number;
}

export interface HeatmapOptions {
  /** The aligned columns shown, ascending (see shownColumns); absent: all of them. */
  columns?: number[];
}

/** The least row height for up to 200 runs, in px: a run's label and its cells stay readable. */
export const ROW_MIN = 12;
/** The heatmap box's most height before it scrolls down (taller maps: many runs). */
export const BOX_MAX_H = 560;

/** Shades of divergence drawn (0 … STEPS). */
const STEPS = 20;

/** Each chart's cell finder, for the interaction mode (chart.js passes the chart, not our state). */
const finders = new WeakMap<object, (x: number, y: number) => InteractionItem[]>();
Interaction.modes.hotmessCell = (chart, e) => (e.x === null || e.y === null ? [] : (finders.get(chart)?.(e.x, e.y) ?? []));

let liveIds = 0;

export function renderHeatmap(m: PromptModel, order: number[], theme: Theme, width: number, onSelect: (col: number, pos: number | null) => void, opts: HeatmapOptions = {}): HeatmapHandle {
  const p = m.p;
  const n = order.length;
  // The columns shown (x = 0, 1, … on the canvas) and where each aligned column is among them.
  const shown = opts.columns ?? p.columns.map((_, j) => j);
  const xOf = new Int32Array(p.columns.length).fill(-1);
  shown.forEach((j, x) => (xOf[j] = x));
  /** The x of an aligned column, −1 when it is not shown. */
  const xAt = (col: number | null): number => (col !== null && col >= 0 && col < p.columns.length ? xOf[col]! : -1);
  const fork = forkMark(m);
  const forkX = xAt(fork?.col ?? null);
  const cols = Math.max(1, shown.length);
  // Rows fill about 520 px, but up to 200 runs never go under ROW_MIN (their labels stay
  // readable; the box scrolls down); past that, 5 px (a canvas of thousands of runs must stay small).
  const row = Math.max(n <= 200 ? ROW_MIN : 5, Math.min(22, Math.floor(520 / Math.max(1, n))));
  // Fixed geometry: the y axis is axisW wide, the x axis xAxisH high; then a narrow answer strip
  // and the columns (at most 44 px wide, at least 7: past that the box scrolls sideways).
  const axisW = 56;
  const xAxisH = 40;
  const topPad = 18;
  const rightPad = 8;
  const stripPx = 16;
  const cellPx = Math.max(7, Math.min(44, (width - axisW - stripPx - rightPad) / cols));
  const canvasW = Math.ceil(axisW + stripPx + cellPx * cols + rightPad);
  const canvasH = topPad + Math.max(1, n) * row + xAxisH;
  /** The strip's slot in x units, left of column 0 (one x unit is cellPx pixels). */
  const slot = (canvasW - axisW - rightPad) / cellPx - cols;
  const STRIP_X = -0.5 - slot * 0.45;
  const stripW = Math.min(9, stripPx * 0.6);
  const gapX = cellPx >= 6 ? 1 : 0;
  const gapY = row >= 6 ? 1 : 0;
  const cellW = cellPx - gapX;
  const cellH = row - gapY;

  const yOf = new Map<number, number>();
  order.forEach((pos, y) => yOf.set(pos, y));

  // ---- the data: one dataset per colour. (This loop visits every cell: no closures, no maps in
  // it; the row of a run by its index comes from an array.)
  const pattern = gapPattern(theme);
  interface Group {
    colour: string | CanvasPattern;
    strip: boolean;
    data: Pt[];
  }
  /** Shades 0…STEPS, then the gaps. */
  const shades: (Group | undefined)[] = new Array<Group | undefined>(STEPS + 2);
  let maxIndex = 0;
  for (const r of p.runs) maxIndex = Math.max(maxIndex, r.index);
  const byIndex = maxIndex < 4 * p.runs.length + 1024;
  const yOfRun = new Int32Array(byIndex ? maxIndex + 1 : 0).fill(-1);
  if (byIndex) order.forEach((pos, y) => (yOfRun[p.runs[pos]!.index] = y));
  const rowOf = (run: number): number => {
    if (byIndex) return run >= 0 && run <= maxIndex ? yOfRun[run]! : -1;
    const pos = m.runPos.get(run);
    return pos === undefined ? -1 : (yOf.get(pos) ?? -1);
  };
  // Where each cell's element is, by (row, column + 1) (column 0: the strip): dataset, index.
  const stride = shown.length + 1;
  const whereSet = new Int32Array(Math.max(1, n) * stride).fill(-1);
  const whereIdx = new Int32Array(Math.max(1, n) * stride);
  const columns = p.columns;
  for (let j = 0; j < shown.length; j++) {
    const cells = columns[shown[j]!]!.cells;
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k]!;
      const y = rowOf(c.run);
      if (y < 0) continue; // a run filtered out
      const b = c.step === null ? STEPS + 1 : Math.round(Math.min(1, Math.max(0, c.divergence)) * STEPS);
      const g = (shades[b] ??= { colour: b > STEPS ? pattern : heatColour(theme, b / STEPS), strip: false, data: [] });
      whereIdx[y * stride + j + 1] = g.data.length;
      whereSet[y * stride + j + 1] = b;
      g.data.push({ x: j, y });
    }
  }
  // the answer strip: a bucket per class colour, after the shades and the gaps
  const buckets = shades;
  const stripBucket = new Map<string, number>();
  order.forEach((pos, y) => {
    const s = m.classSlot[p.runs[pos]!.answerClass] ?? "other";
    let b = stripBucket.get(s);
    if (b === undefined) {
      stripBucket.set(s, (b = buckets.length));
      buckets.push({ colour: theme.classColour(s), strip: true, data: [] });
    }
    const g = buckets[b]!;
    whereSet[y * stride] = b;
    whereIdx[y * stride] = g.data.length;
    g.data.push({ x: STRIP_X, y });
  });
  // the datasets: the buckets with cells (whereSet holds buckets; dsOf maps them to datasets)
  const dsOf = new Int32Array(buckets.length).fill(-1);
  const sets: Group[] = [];
  buckets.forEach((g, b) => {
    if (g?.data.length) {
      dsOf[b] = sets.length;
      sets.push(g);
    }
  });

  // ---- state (columns as x, the position among the columns shown)
  let selCol: number | null = null;
  let selPos: number | null = null;
  let hover: At | null = null;
  /** The keyboard cursor: row y (in display order) and column (never the strip). */
  let cur: At | null = null;
  let focused = false;
  let chart: Chart<"matrix", Pt[]> | null = null;

  /** The cell at a point of the canvas (CSS pixels), from the scales: no gaps between cells. */
  const hitAt = (px: number, py: number): At | null => {
    const c = chart;
    const xs = c?.scales.x;
    const ys = c?.scales.y;
    if (!c || !xs || !ys) return null;
    const a = c.chartArea;
    if (px < a.left || px >= a.right || py < a.top || py >= a.bottom) return null;
    const y = Math.round(ys.getValueForPixel(py) ?? -1);
    if (!(y >= 0 && y < n)) return null;
    const xv = xs.getValueForPixel(px) ?? -1e9;
    if (xv < -0.5) return { y, col: -1 };
    const col = Math.round(xv);
    return col >= 0 && col < shown.length ? { y, col } : null;
  };
  /**
   * A cell's rectangle on the canvas (CSS pixels). (The plugin's hooks pass their chart: the
   * first draw happens inside the constructor, before `chart` is set.)
   */
  const rectOf = (at: At, c: { scales: Chart["scales"] } | null = chart) => {
    const xs = c?.scales.x;
    const ys = c?.scales.y;
    const w = at.col < 0 ? stripW : cellW;
    const cx = xs ? xs.getPixelForValue(at.col < 0 ? STRIP_X : at.col) : 0;
    const cy = ys ? ys.getPixelForValue(at.y) : 0;
    return { x: cx - w / 2, y: cy - cellH / 2, w, h: cellH };
  };
  const same = (a: At | null, b: At | null) => a === b || (!!a && !!b && a.y === b.y && a.col === b.col);

  // ---- redraws. The cells never change once drawn, only what is drawn over them (hover,
  // selection, cursor). The first redraw keeps the plot area as chart.js drew it (before the
  // marks) in an off-screen canvas; later redraws put that image back instead of drawing the
  // 6,000 cells again (a redraw then takes about a millisecond instead of ten).
  let draws = 0;
  let cells: { img: HTMLCanvasElement; x: number; y: number } | null = null;
  let fromCache = false;
  const cache: Plugin<"matrix"> = {
    id: "hotmessCellCache",
    afterUpdate() {
      cells = null;
    },
    beforeDatasetsDraw(c) {
      fromCache = cells !== null;
      if (!cells) return;
      const ctx = c.ctx;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(cells.img, cells.x, cells.y);
      ctx.restore();
    },
    beforeDatasetDraw: () => (fromCache ? false : undefined),
    afterDatasetsDraw(c) {
      if (fromCache || draws++ === 0) return;
      // the plot area in device pixels (chart.js scales the context by the pixel ratio)
      const dpr = c.currentDevicePixelRatio || 1;
      const a = c.chartArea;
      const x = Math.max(0, Math.floor(a.left * dpr));
      const y = Math.max(0, Math.floor(a.top * dpr));
      const w = Math.min(c.canvas.width, Math.ceil(a.right * dpr)) - x;
      const hh = Math.min(c.canvas.height, Math.ceil(a.bottom * dpr)) - y;
      if (w <= 0 || hh <= 0) return;
      const img = document.createElement("canvas");
      img.width = w;
      img.height = hh;
      img.getContext("2d")?.drawImage(c.canvas, x, y, w, hh, 0, 0, w, hh);
      cells = { img, x, y };
    },
  };

  // ---- the marks: fork, selection, hover, keyboard cursor; and pointer events
  const marks: Plugin<"matrix"> = {
    id: "hotmessMarks",
    afterDatasetsDraw(c) {
      const { ctx, chartArea: a } = c;
      ctx.save();
      if (fork && forkX >= 0) {
        const r = rectOf({ y: 0, col: forkX }, c);
        const cx = r.x + r.w / 2;
        ctx.strokeStyle = theme.fork;
        ctx.lineWidth = 2;
        ctx.strokeRect(r.x - 1, a.top - 1, r.w + 2, a.bottom - a.top - gapY + 2);
        ctx.fillStyle = theme.fork;
        ctx.beginPath();
        ctx.moveTo(cx - 5, a.top - 12);
        ctx.lineTo(cx + 5, a.top - 12);
        ctx.lineTo(cx, a.top - 4);
        ctx.closePath();
        ctx.fill();
        ctx.font = `600 ${Math.max(10, theme.fontSize - 2)}px ${theme.font}`;
        ctx.textBaseline = "bottom";
        // right of the ▼, or left of it when it would run past the plot
        const right = cx > a.right - Math.max(40, ctx.measureText(fork.label).width + 12);
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(fork.label, cx + (right ? -8 : 8), a.top - 2);
      }
      if (selCol !== null && selCol < shown.length) {
        const r = rectOf({ y: 0, col: selCol }, c);
        ctx.strokeStyle = theme.focus;
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(r.x - 0.5, a.top - 0.5, r.w + 1, a.bottom - a.top - gapY + 1);
        ctx.setLineDash([]);
        const yy = selPos === null ? undefined : yOf.get(selPos);
        if (yy !== undefined) {
          const s = rectOf({ y: yy, col: selCol }, c);
          ctx.lineWidth = 2;
          ctx.strokeRect(s.x - 1, s.y - 1, s.w + 2, s.h + 2);
        }
      }
      if (hover && !(focused && same(hover, cur))) {
        const r = rectOf(hover, c);
        ctx.strokeStyle = theme.fg;
        ctx.lineWidth = 1;
        ctx.strokeRect(r.x - 0.5, r.y - 0.5, r.w + 1, r.h + 1);
      }
      ctx.restore();
    },
    // The cursor last, over everything: a ring in the focus colour with the background around it.
    afterDraw(c) {
      if (!cur || !focused) return;
      const { ctx } = c;
      const r = rectOf(cur, c);
      ctx.save();
      ctx.lineWidth = 2;
      ctx.strokeStyle = theme.bg;
      ctx.strokeRect(r.x - 3, r.y - 3, r.w + 6, r.h + 6);
      ctx.strokeStyle = theme.focus;
      ctx.lineWidth = 3;
      ctx.strokeRect(r.x - 1.5, r.y - 1.5, r.w + 3, r.h + 3);
      ctx.restore();
    },
    // Every pointer event, inside the plot or not: the hovered cell, its tooltip, the pointer.
    afterEvent(c, args) {
      const e = args.event;
      if (e.type !== "mousemove" && e.type !== "mouseout") return;
      const at = e.type === "mouseout" || e.x === null || e.y === null ? null : hitAt(e.x, e.y);
      if (same(at, hover)) return;
      hover = at;
      canvas.style.cursor = at ? "pointer" : "default";
      // (outside the plot chart.js keeps the last active element: let go of it)
      if (!at && c.getActiveElements().length) c.setActiveElements([]);
      args.changed = true;
      showTip(at ?? (focused ? cur : null));
    },
  };

  const config: ChartConfiguration<"matrix", Pt[]> = {
    type: "matrix",
    data: {
      datasets: sets.map((g) => ({
        data: g.data,
        backgroundColor: g.colour,
        borderWidth: 0,
        width: g.strip ? stripW : cellW,
        height: cellH,
        // (every cell is inside the plot: no clipping to do)
        clip: false as const,
      })),
    },
    options: {
      responsive: false,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      normalized: true,
      events: ["mousemove", "mouseout", "click"],
      layout: { padding: { top: topPad, right: rightPad, left: 0, bottom: 0 } },
      interaction: { mode: "hotmessCell", intersect: true },
      hover: { mode: "hotmessCell", intersect: true },
      onClick: (e: ChartEvent) => {
        const at = e.x === null || e.y === null ? null : hitAt(e.x, e.y);
        if (!at) return;
        const pos = order[at.y]!;
        const col = at.col < 0 ? (selCol ?? (forkX >= 0 ? forkX : 0)) : at.col;
        cur = { y: at.y, col };
        onSelect(shown[col]!, pos);
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
          title: { display: true, text: shown.length < p.columns.length ? "aligned step (column) · actions only" : "aligned step (column)", padding: { top: 2 } },
          afterFit: (axis) => {
            axis.height = xAxisH;
          },
          afterBuildTicks: (axis) => {
            const step = cellPx >= 22 ? 1 : cellPx >= 11 ? 2 : 5;
            axis.ticks = shown.map((_, x) => ({ value: x })).filter((t) => t.value % step === 0);
          },
          // the aligned column's own number (with "actions only" they are not consecutive)
          ticks: { autoSkip: false, maxRotation: 0, callback: (v) => String(shown[Number(v)] ?? v) },
        },
        y: {
          type: "linear",
          reverse: true,
          min: -0.5,
          max: Math.max(1, n) - 0.5,
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
      // No legend (ours is HTML below), no chart.js tooltip (ours is an element: text only, and
      // it follows the keyboard cursor too): both plugins off, not just hidden (the legend would
      // still build an item per dataset). (false is what chart.js takes; its types want objects.)
      plugins: { legend: false, tooltip: false, filler: false } as unknown as ChartOptions<"matrix">["plugins"],
    },
    plugins: [cache, marks],
  };

  const canvas = h("canvas");
  canvas.width = canvasW;
  canvas.height = canvasH;
  canvas.style.width = `${canvasW}px`;
  canvas.style.height = `${canvasH}px`;
  const box = h("div", { class: "heatmap-scroll" }, canvas);
  // many runs: the map scrolls down inside its box (its own height, not the page's)
  if (canvasH > BOX_MAX_H) box.style.maxHeight = `${BOX_MAX_H}px`;
  // a tooltip stays by its cell only while the box does not move under it
  box.addEventListener("scroll", () => (tip.hidden = true), { passive: true });
  const wrap = h("div", { class: "heatmap" });

  // ---- the tooltip
  const tip = h("div", { class: "heat-tip", attrs: { role: "tooltip", "aria-hidden": "true" } });
  tip.hidden = true;
  /** What the tooltip's title says of the fork's column: " (fork)", " (fork action 2 · policy)". */
  const forkTitle = (x: number) => (fork && x === forkX ? ` (${fork.label})` : "");
  const showTip = (at: At | null) => {
    if (!at) {
      tip.hidden = true;
      return;
    }
    const pos = order[at.y];
    if (pos === undefined) return;
    const run = p.runs[pos]!;
    tip.replaceChildren(
      h("div", { class: "tip-title" }, at.col < 0 ? `run #${run.index}` : `run #${run.index} · column ${shown[at.col]}${forkTitle(at.col)}`),
      // why the runs parted at the fork action (an agent prompt's)
      ...(at.col >= 0 && at.col === forkX && fork?.cause ? [h("div", { class: "tip-fork" }, truncate(fork.cause.detail, 280))] : []),
      ...tooltipLines(m, pos, at.col < 0 ? -1 : shown[at.col]!).map((l) => h("div", { class: l.kind }, l.text)),
    );
    tip.hidden = false;
    // Beside the cell (right, else left), clear of it; inside the heatmap's box vertically.
    const r = rectOf(at);
    const left = box.offsetLeft + canvas.offsetLeft - box.scrollLeft + r.x;
    const top = box.offsetTop + canvas.offsetTop - box.scrollTop + r.y;
    const tw = tip.offsetWidth;
    const th = tip.offsetHeight;
    const room = wrap.clientWidth;
    let x = left + r.w + 10;
    if (x + tw > room) x = left - tw - 10;
    if (x < 0) x = Math.max(0, Math.min(room - tw, left + r.w / 2 - tw / 2));
    let y = top + r.h / 2 - th / 2;
    // centred under or over the cell when it cannot sit beside it
    if (x + tw > left - 2 && x < left + r.w + 2) y = r.y > canvasH / 2 ? top - th - 8 : top + r.h + 8;
    tip.style.left = `${Math.round(x)}px`;
    tip.style.top = `${Math.round(Math.max(0, y))}px`;
  };

  // ---- the keyboard
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "heatmap");
  canvas.setAttribute(
    "aria-label",
    `${divergenceCaption(p.divergenceBasis)}, heatmap: ${n} runs by ${shown.length < p.columns.length ? `${shown.length} of ${p.columns.length}` : p.columns.length} aligned steps${fork?.action ? `; ${fork.label} at column ${fork.col}` : ""}. Arrow keys move between cells, Home and End to the first and last step, Page Up and Page Down by ten runs, Enter shows the cell in the traces.`,
  );
  canvas.dataset.fk = "heatmap";
  const live = h("div", { class: "sr-only", attrs: { "aria-live": "polite", "aria-atomic": "true" } });
  live.id = `hm-heat-live-${++liveIds}`;
  canvas.setAttribute("aria-describedby", live.id);

  const draw = () => chart?.draw();
  /** Show the cursor: redraw, its tooltip, the live text, and keep it in the box's view. */
  const showCursor = (announce: boolean) => {
    if (!cur) return;
    const pos = order[cur.y];
    if (pos === undefined) return;
    draw();
    // keep it in view sideways (clear of the axis and the strip)
    const r = rectOf(cur);
    const x0 = axisW + stripPx;
    if (r.x - cellPx < box.scrollLeft + x0) box.scrollLeft = Math.max(0, r.x - cellPx - x0);
    else if (r.x + r.w + cellPx > box.scrollLeft + box.clientWidth) box.scrollLeft = r.x + r.w + cellPx - box.clientWidth;
    // and up and down, when the box scrolls (many runs)
    if (r.y - row < box.scrollTop) box.scrollTop = Math.max(0, r.y - row);
    else if (r.y + r.h + row > box.scrollTop + box.clientHeight) box.scrollTop = r.y + r.h + row - box.clientHeight;
    showTip(cur);
    if (announce) {
      const run = p.runs[pos]!;
      const said = cur.col === forkX && fork ? ` (${fork.said})` : "";
      live.textContent = [`run ${run.index}, column ${shown[cur.col]} of ${p.columns.length}${said}`, ...tooltipLines(m, pos, shown[cur.col]!).map((l) => l.text)].join(". ");
    }
  };
  const onFocus = () => {
    focused = true;
    if (!cur) {
      const y = selPos !== null ? (yOf.get(selPos) ?? 0) : 0;
      cur = { y, col: selCol ?? (forkX >= 0 ? forkX : 0) };
    }
    showCursor(true);
  };
  const onBlur = () => {
    focused = false;
    draw();
    showTip(hover);
  };
  const onKey = (e: KeyboardEvent) => {
    if (!cur) return;
    let { y, col } = cur;
    switch (e.key) {
      case "ArrowRight":
        col++;
        break;
      case "ArrowLeft":
        col--;
        break;
      case "ArrowDown":
        y++;
        break;
      case "ArrowUp":
        y--;
        break;
      case "Home":
        col = 0;
        if (e.ctrlKey) y = 0;
        break;
      case "End":
        col = cols - 1;
        if (e.ctrlKey) y = n - 1;
        break;
      case "PageDown":
        y += 10;
        break;
      case "PageUp":
        y -= 10;
        break;
      case "Escape":
        showTip(null);
        return;
      case "Enter":
      case " ": {
        e.preventDefault();
        const pos = order[cur.y];
        if (pos !== undefined) onSelect(shown[cur.col]!, pos);
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    cur = { y: Math.max(0, Math.min(n - 1, y)), col: Math.max(0, Math.min(shown.length - 1, col)) };
    showCursor(true);
  };
  canvas.addEventListener("focus", onFocus);
  canvas.addEventListener("blur", onBlur);
  canvas.addEventListener("keydown", onKey);

  // ---- the chart
  chart = new Chart(canvas, config);
  const ch = chart;
  finders.set(ch, (x, y) => {
    const at = hitAt(x, y);
    const k = at ? at.y * stride + at.col + 1 : -1;
    const b = k < 0 ? -1 : whereSet[k]!;
    const datasetIndex = b < 0 ? -1 : dsOf[b]!;
    if (datasetIndex < 0) return [];
    const index = whereIdx[k]!;
    const element = ch.getDatasetMeta(datasetIndex).data[index];
    return element ? [{ element, datasetIndex, index }] : [];
  });

  wrap.append(box, tip, live, legend(theme, !!p.agent, m));
  return {
    element: wrap,
    select(col, pos) {
      // (a column not shown is not marked)
      const x = xAt(col);
      selCol = x >= 0 ? x : null;
      selPos = pos;
      draw();
    },
    cursor() {
      if (!cur) return null;
      const pos = order[cur.y];
      return pos === undefined ? null : { pos, col: shown[cur.col]! };
    },
    setCursor(pos, col) {
      const y = yOf.get(pos);
      const x = xAt(col);
      if (y === undefined || x < 0) return;
      cur = { y, col: x };
      if (focused) showCursor(false);
    },
    focus() {
      canvas.focus({ preventScroll: true });
    },
    get scrollLeft() {
      return box.scrollLeft;
    },
    set scrollLeft(x: number) {
      box.scrollLeft = x;
    },
    destroy() {
      canvas.removeEventListener("focus", onFocus);
      canvas.removeEventListener("blur", onBlur);
      canvas.removeEventListener("keydown", onKey);
      finders.delete(ch);
      ch.destroy();
      chart = null;
    },
  };
}

interface TipLine {
  text: string;
  kind: "tip-meta" | "tip-step" | "tip-ans";
}

function tooltipLines(m: PromptModel, pos: number, col: number): TipLine[] {
  const p = m.p;
  const run = p.runs[pos]!;
  const cls = p.answers[run.answerClass];
  const mark = run.correct === true ? " ✓" : run.correct === false ? " ✗" : "";
  const answer: TipLine = { text: `answer ${truncate(answerLabel(cls), 40)}${mark}`, kind: "tip-ans" };
  if (col < 0) return [answer, { text: `${run.steps.length} steps · ${run.length} characters`, kind: "tip-meta" }];
  const column = p.columns[col]!;
  const cell = column.cells.find((c) => c.run === run.index);
  // with a reference, a column where the reference path has no step: a gap is on it, a step is off it
  const offPath = p.divergenceBasis?.kind === "reference" && column.referenceGroup === null;
  if (!cell || cell.step === null) return [{ text: offPath ? "gap, as on the reference path · divergence 0" : "gap: no step of this run here", kind: "tip-meta" }, answer];
  const step = run.steps[cell.step];
  const role = groupRole(column, cell.group, p.divergenceBasis);
  return [
    { text: `group ${cell.group}${role ? ` (${role})` : ""} of ${column.groups} · divergence ${fmt(cell.divergence, 2)} ${divergenceFrom(p.divergenceBasis)}${offPath ? " · the reference path has no step here" : ""}`, kind: "tip-meta" },
    { text: truncate(step?.text ?? "", 220), kind: "tip-step" },
    answer,
  ];
}

/** The fill of a gap: hatched, in the theme's colours. */
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

function legend(theme: Theme, forkAction: boolean, m: PromptModel): HTMLElement {
  const ramp = span("ramp");
  ramp.style.background = `linear-gradient(to right, ${heatColour(theme, 0)}, ${heatColour(theme, 0.5)}, ${heatColour(theme, 1)})`;
  const basis = m.p.divergenceBasis;
  // what 0 is: the reference class's path, or (without a reference, or a run in its class) the majority's
  const caption = h("span", { class: `legend-item legend-basis${basis?.kind === "reference" ? "" : " muted"}` }, divergenceCaption(basis));
  caption.dataset.basis = basis?.kind ?? "majority";
  return h(
    "div",
    { class: "legend" },
    caption,
    h("span", { class: "legend-item" }, span("muted", basis?.kind === "reference" ? "reference path 0 " : "consensus 0 "), ramp, span("muted", " 1 different")),
    h("span", { class: "legend-item" }, span("swatch hatch"), " gap"),
    h("span", { class: "legend-item" }, span("swatch fork"), forkAction ? " fork action (cause)" : " fork column"),
    h("span", { class: "legend-item" }, span("swatch strip"), " answer class (left strip)"),
    h("span", { class: "legend-item muted" }, "click a cell (or Tab to the map, move with the arrow keys, Enter) to show it in the traces"),
  );
}
