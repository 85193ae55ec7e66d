// The step-level divergence heatmap: runs × aligned columns, drawn straight onto a canvas (one
// fillRect per cell: 6,000 cells take a couple of milliseconds). Cell colour = divergence from
// the column's consensus; gaps hatched; the fork column outlined and marked above; a strip on the
// left shows each run's answer class. That layer is drawn once, off screen; the canvas shown is
// that image plus what changes often: the hovered cell, the selected column and cell, the
// keyboard cursor. The tooltip is an element
// built with textContent (model text). Clicking a cell selects it (the traces scroll to it); the
// canvas takes keyboard focus: the arrow keys move a cursor cell (its tooltip shows, a live
// region reads it), Enter selects it as a click does.
import { h, span } from "./dom";
import { answerLabel, fmt, truncate } from "./format";
import type { PromptModel } from "./model";
import { heatColour, type Theme } from "./theme";

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

/** Shades of divergence drawn (0 … STEPS). */
const STEPS = 20;

let liveIds = 0;

export function renderHeatmap(m: PromptModel, order: number[], theme: Theme, width: number, onSelect: (col: number, pos: number | null) => void): HeatmapHandle {
  const p = m.p;
  const n = order.length;
  const cols = Math.max(1, p.columns.length);
  const row = Math.max(5, Math.min(22, Math.floor(520 / Math.max(1, n))));
  // The y axis is axisW wide, then a narrow answer strip and the columns (at most 44 px wide, at
  // least 7: past that the box scrolls sideways); the x axis below is xAxisH high.
  const axisW = 56;
  const xAxisH = 40;
  const topPad = 18;
  const rightPad = 8;
  const stripPx = 16;
  const cellPx = Math.max(7, Math.min(44, (width - axisW - stripPx - rightPad) / cols));
  const x0 = axisW + stripPx;
  const y0 = topPad;
  const plotW = cellPx * cols;
  const plotH = row * n;
  const canvasW = Math.ceil(x0 + plotW + rightPad);
  const canvasH = topPad + plotH + xAxisH;
  const gapX = cellPx >= 6 ? 1 : 0;
  const gapY = row >= 6 ? 1 : 0;
  const yOf = new Map<number, number>();
  order.forEach((pos, y) => yOf.set(pos, y));
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));

  // The base layer is drawn into the canvas shown; it is copied off screen the first time the
  // overlay needs drawing (most renders never do).
  const over = h("canvas");
  over.width = Math.round(canvasW * dpr);
  over.height = Math.round(canvasH * dpr);
  over.style.width = `${canvasW}px`;
  over.style.height = `${canvasH}px`;
  let base: HTMLCanvasElement | null = null;
  const font = (px: number, weight = 400) => `${weight} ${px}px ${theme.font}`;
  const small = Math.max(10, Math.round(theme.fontSize * 0.85));

  // ---- the base layer: cells, strip, axes, fork
  const bctx = over.getContext("2d");
  if (bctx) {
    const ctx = bctx;
    ctx.scale(dpr, dpr);
    // cells, one fillStyle per shade
    const buckets: number[][] = Array.from({ length: STEPS + 2 }, () => []);
    p.columns.forEach((col, j) => {
      for (const c of col.cells) {
        const pos = m.runPos.get(c.run);
        const y = pos === undefined ? undefined : yOf.get(pos);
        if (y === undefined) continue;
        const b = c.step === null ? STEPS + 1 : Math.round(Math.min(1, Math.max(0, c.divergence)) * STEPS);
        buckets[b]!.push(j, y);
      }
    });
    const pattern = gapPattern(ctx, theme);
    buckets.forEach((cells, b) => {
      if (!cells.length) return;
      ctx.fillStyle = b === STEPS + 1 ? pattern : heatColour(theme, b / STEPS);
      for (let k = 0; k < cells.length; k += 2) ctx.fillRect(x0 + cells[k]! * cellPx, y0 + cells[k + 1]! * row, cellPx - gapX, row - gapY);
    });
    // the answer class of each run
    const stripW = Math.min(9, stripPx * 0.6);
    order.forEach((pos, y) => {
      ctx.fillStyle = theme.classColour(m.classSlot[p.runs[pos]!.answerClass] ?? "other");
      ctx.fillRect(axisW + (stripPx - stripW) / 2 - 2, y0 + y * row, stripW, row - gapY);
    });
    // y axis: run indices
    ctx.fillStyle = theme.muted;
    ctx.font = font(small);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const yStep = n > 60 ? 10 : n > 24 ? 5 : n > 12 ? 2 : 1;
    order.forEach((pos, y) => {
      if (y % yStep === 0) ctx.fillText(`#${p.runs[pos]!.index}`, axisW - 6, y0 + y * row + (row - gapY) / 2);
    });
    ctx.save();
    ctx.translate(10, y0 + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("run", 0, 0);
    ctx.restore();
    // x axis: columns
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const xStep = cellPx >= 22 ? 1 : cellPx >= 11 ? 2 : 5;
    for (let j = 0; j < p.columns.length; j += xStep) ctx.fillText(String(j), x0 + j * cellPx + (cellPx - gapX) / 2, y0 + plotH + 5);
    ctx.fillText("aligned step (column)", x0 + plotW / 2, y0 + plotH + 5 + small + 6);
    // the fork: outlined, marked above
    if (p.forkColumn !== null) {
      const fx = x0 + p.forkColumn * cellPx;
      const cx = fx + (cellPx - gapX) / 2;
      ctx.strokeStyle = theme.fork;
      ctx.lineWidth = 2;
      ctx.strokeRect(fx - 1, y0 - 1, cellPx - gapX + 2, plotH - gapY + 2);
      ctx.fillStyle = theme.fork;
      ctx.beginPath();
      ctx.moveTo(cx - 5, y0 - 12);
      ctx.lineTo(cx + 5, y0 - 12);
      ctx.lineTo(cx, y0 - 4);
      ctx.closePath();
      ctx.fill();
      ctx.font = font(Math.max(10, theme.fontSize - 2), 600);
      ctx.textBaseline = "bottom";
      const right = cx > x0 + plotW - 40;
      ctx.textAlign = right ? "right" : "left";
      ctx.fillText("fork", cx + (right ? -8 : 8), y0 - 2);
    }
  }

  // ---- the overlay: hover, selection, cursor
  let selCol: number | null = null;
  let selPos: number | null = null;
  let hover: { y: number; col: number } | null = null;
  /** The keyboard cursor: row y (in display order) and column (−1: the strip). */
  let cur: { y: number; col: number } | null = null;
  let focused = false;
  const octx = bctx;
  const cellRect = (col: number, y: number) => (col < 0 ? { x: axisW, y: y0 + y * row, w: stripPx - 4, h: row - gapY } : { x: x0 + col * cellPx, y: y0 + y * row, w: cellPx - gapX, h: row - gapY });
  const drawOverlay = () => {
    const ctx = octx;
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!base) {
      base = document.createElement("canvas");
      base.width = over.width;
      base.height = over.height;
      base.getContext("2d")?.drawImage(over, 0, 0);
    }
    ctx.clearRect(0, 0, over.width, over.height);
    ctx.drawImage(base, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (selCol !== null) {
      const r = cellRect(selCol, 0);
      ctx.strokeStyle = theme.focus;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 2]);
      ctx.strokeRect(r.x - 0.5, y0 - 0.5, r.w + 1, plotH - gapY + 1);
      ctx.setLineDash([]);
      const yy = selPos === null ? undefined : yOf.get(selPos);
      if (yy !== undefined) {
        const c = cellRect(selCol, yy);
        ctx.lineWidth = 2;
        ctx.strokeRect(c.x - 1, c.y - 1, c.w + 2, c.h + 2);
      }
    }
    if (hover && !(cur && focused && hover.y === cur.y && hover.col === cur.col)) {
      const r = cellRect(hover.col, hover.y);
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.strokeRect(r.x - 0.5, r.y - 0.5, r.w + 1, r.h + 1);
    }
    if (cur && focused) {
      const r = cellRect(cur.col, cur.y);
      ctx.lineWidth = 2;
      ctx.strokeStyle = theme.bg;
      ctx.strokeRect(r.x - 3, r.y - 3, r.w + 6, r.h + 6);
      ctx.strokeStyle = theme.focus;
      ctx.lineWidth = 3;
      ctx.strokeRect(r.x - 1.5, r.y - 1.5, r.w + 3, r.h + 3);
    }
  };

  // ---- the tooltip
  const tip = h("div", { class: "heat-tip", attrs: { role: "tooltip", "aria-hidden": "true" } });
  tip.hidden = true;
  const box = h("div", { class: "heatmap-scroll" }, over);
  const wrap = h("div", { class: "heatmap" });
  const showTip = (at: { y: number; col: number } | null) => {
    if (!at) {
      tip.hidden = true;
      return;
    }
    const pos = order[at.y];
    if (pos === undefined) return;
    const run = p.runs[pos]!;
    const lines = tooltipLines(m, pos, at.col);
    tip.replaceChildren(
      h("div", { class: "tip-title" }, at.col < 0 ? `run #${run.index}` : `run #${run.index} · column ${at.col}${at.col === p.forkColumn ? " (fork)" : ""}`),
      ...lines.map((l) => h("div", { class: l.kind }, l.text)),
    );
    tip.hidden = false;
    // Beside the cell (right, else left), clear of it; inside the heatmap's box vertically.
    const r = cellRect(at.col, at.y);
    const left = r.x - box.scrollLeft + box.offsetLeft;
    const tw = tip.offsetWidth;
    const th = tip.offsetHeight;
    const room = wrap.clientWidth;
    let x = left + r.w + 10;
    if (x + tw > room) x = left - tw - 10;
    if (x < 0) x = Math.max(0, Math.min(room - tw, left + r.w / 2 - tw / 2));
    let y = box.offsetTop + r.y + r.h / 2 - th / 2;
    // centred under or over the cell when it cannot sit beside it
    if (x + tw > left - 2 && x < left + r.w + 2) y = r.y > canvasH / 2 ? box.offsetTop + r.y - th - 8 : box.offsetTop + r.y + r.h + 8;
    tip.style.left = `${Math.round(x)}px`;
    tip.style.top = `${Math.round(Math.max(0, y))}px`;
  };

  /** The cell under a mouse position (client coordinates), if any. */
  const hit = (ev: MouseEvent): { y: number; col: number } | null => {
    const b = over.getBoundingClientRect();
    const x = ev.clientX - b.left;
    const yy = ev.clientY - b.top;
    const y = Math.floor((yy - y0) / row);
    if (y < 0 || y >= n) return null;
    if (x >= axisW && x < x0) return { y, col: -1 };
    const col = Math.floor((x - x0) / cellPx);
    return col >= 0 && col < p.columns.length ? { y, col } : null;
  };
  const onMove = (ev: MouseEvent) => {
    const at = hit(ev);
    if (at?.y === hover?.y && at?.col === hover?.col) return;
    hover = at;
    over.style.cursor = at ? "pointer" : "default";
    drawOverlay();
    showTip(at ?? (focused ? cur : null));
  };
  const onLeave = () => {
    hover = null;
    over.style.cursor = "default";
    drawOverlay();
    showTip(focused ? cur : null);
  };
  const onClick = (ev: MouseEvent) => {
    const at = hit(ev);
    if (!at) return;
    const pos = order[at.y]!;
    const col = at.col < 0 ? (selCol ?? p.forkColumn ?? 0) : at.col;
    cur = { y: at.y, col };
    onSelect(col, pos);
  };
  over.addEventListener("mousemove", onMove);
  over.addEventListener("mouseleave", onLeave);
  over.addEventListener("click", onClick);

  // ---- the keyboard
  over.tabIndex = 0;
  over.setAttribute("role", "application");
  over.setAttribute("aria-roledescription", "heatmap");
  over.setAttribute(
    "aria-label",
    `divergence heatmap: ${n} runs by ${p.columns.length} aligned steps. Arrow keys move between cells, Home and End to the first and last step, Page Up and Page Down by ten runs, Enter shows the cell in the traces.`,
  );
  over.dataset.fk = "heatmap";
  const live = h("div", { class: "sr-only", attrs: { "aria-live": "polite", "aria-atomic": "true" } });
  live.id = `hm-heat-live-${++liveIds}`;
  over.setAttribute("aria-describedby", live.id);

  /** Show the cursor: redraw, its tooltip, the live text, and keep it in the box's view. */
  const showCursor = (announce: boolean) => {
    if (!cur) return;
    const pos = order[cur.y];
    if (pos === undefined) return;
    drawOverlay();
    // keep it in view sideways
    const r = cellRect(cur.col, cur.y);
    if (r.x - cellPx < box.scrollLeft + x0) box.scrollLeft = Math.max(0, r.x - cellPx - x0);
    else if (r.x + r.w + cellPx > box.scrollLeft + box.clientWidth) box.scrollLeft = r.x + r.w + cellPx - box.clientWidth;
    showTip(cur);
    if (announce) {
      const run = p.runs[pos]!;
      live.textContent = [`run ${run.index}, column ${cur.col} of ${p.columns.length}${cur.col === p.forkColumn ? " (fork)" : ""}`, ...tooltipLines(m, pos, cur.col).map((l) => l.text)].join(". ");
    }
  };
  over.addEventListener("focus", () => {
    focused = true;
    if (!cur) {
      const y = selPos !== null ? (yOf.get(selPos) ?? 0) : 0;
      cur = { y, col: selCol ?? p.forkColumn ?? 0 };
    }
    showCursor(true);
  });
  over.addEventListener("blur", () => {
    focused = false;
    drawOverlay();
    showTip(hover);
  });
  over.addEventListener("keydown", (e) => {
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
        if (pos !== undefined) onSelect(cur.col, pos);
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    cur = { y: Math.max(0, Math.min(n - 1, y)), col: Math.max(0, Math.min(p.columns.length - 1, col)) };
    showCursor(true);
  });

  wrap.append(box, tip, live, legend(theme));
  return {
    element: wrap,
    select(col, pos) {
      selCol = col;
      selPos = pos;
      drawOverlay();
    },
    cursor() {
      if (!cur) return null;
      const pos = order[cur.y];
      return pos === undefined ? null : { pos, col: cur.col };
    },
    setCursor(pos, col) {
      const y = yOf.get(pos);
      if (y === undefined || col < 0 || col >= p.columns.length) return;
      cur = { y, col };
      if (focused) showCursor(false);
    },
    focus() {
      over.focus({ preventScroll: true });
    },
    get scrollLeft() {
      return box.scrollLeft;
    },
    set scrollLeft(x: number) {
      box.scrollLeft = x;
    },
    destroy() {
      over.removeEventListener("mousemove", onMove);
      over.removeEventListener("mouseleave", onLeave);
      over.removeEventListener("click", onClick);
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
  const cell = p.columns[col]!.cells.find((c) => c.run === run.index);
  if (!cell || cell.step === null) return [{ text: "gap: no step of this run here", kind: "tip-meta" }, answer];
  const step = run.steps[cell.step];
  const groups = p.columns[col]!.groups;
  return [
    { text: `group ${cell.group}${cell.group === 0 ? " (consensus)" : ""} of ${groups} · divergence ${fmt(cell.divergence, 2)}`, kind: "tip-meta" },
    { text: truncate(step?.text ?? "", 220), kind: "tip-step" },
    answer,
  ];
}

function gapPattern(target: CanvasRenderingContext2D, theme: Theme): CanvasPattern | string {
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
  return target.createPattern(c, "repeat") ?? theme.gap;
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
    h("span", { class: "legend-item muted" }, "click a cell (or Tab to the map, move with the arrow keys, Enter) to show it in the traces"),
  );
}
