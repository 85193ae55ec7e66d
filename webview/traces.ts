// The traces side by side: one row per aligned column, one column per run. Every step is set
// with textContent (model text is untrusted). Gaps are hatched, cells tinted by divergence,
// the fork row marked; clicking a run's header shows its whole text below.
import { h, span } from "./dom";
import { answerLabel, fmt, plural, truncate } from "./format";
import { stepsText, type PromptModel } from "./model";

export interface TracesHandle {
  element: HTMLElement;
  /** Highlight a column (and a run's cell in it) and scroll it into view. */
  select(col: number | null, pos: number | null, scroll?: boolean): void;
}

export function renderTraces(m: PromptModel, order: number[], width: number, onPick: (col: number, pos: number) => void): TracesHandle {
  const p = m.p;
  const n = order.length;
  const runW = Math.round(Math.min(320, Math.max(150, (width - 64) / Math.max(1, n))));
  const table = h("table", { class: "traces" });
  table.style.setProperty("--run-w", `${runW}px`);

  // Header: one cell per run, coloured by answer class.
  const headRow = h("tr", null, h("th", { class: "corner", title: "aligned column" }, "col"));
  const headers: HTMLElement[] = [];
  for (const pos of order) {
    const run = p.runs[pos]!;
    const cls = p.answers[run.answerClass];
    const slot = m.classSlot[run.answerClass] ?? "other";
    const mark = run.correct === true ? span("ok", "✓") : run.correct === false ? span("bad", "✗") : null;
    const label = answerLabel(cls);
    const th = h(
      "th",
      {
        class: `run-h cls-${slot}`,
        title: `run #${run.index}: answer ${label}${run.answerExtracted ? " (read from text)" : ""}, ${plural(run.steps.length, "step")}, ${run.length} characters${run.fromThinking ? " of thinking" : ""}. Click for the whole text.`,
        attrs: { scope: "col", tabindex: "0", "aria-expanded": "false" },
      },
      span("run-idx", `#${run.index}`),
      " ",
      mark,
      mark ? " " : null,
      span("run-ans", truncate(label, 24)),
    );
    th.dataset.pos = String(pos);
    headers.push(th);
    headRow.append(th);
  }
  const thead = h("thead", null, headRow);

  // Body: one row per column. Built as one fragment for speed.
  const tbody = h("tbody");
  const rows: HTMLTableRowElement[] = [];
  const cellAt = new Map<string, HTMLElement>();
  const frag = document.createDocumentFragment();
  p.columns.forEach((col, j) => {
    const isFork = j === p.forkColumn;
    const gaps = m.gaps[j] ?? 0;
    const rowHead = h(
      "th",
      { class: "col-h", attrs: { scope: "row" }, title: `column ${j}: ${plural(col.groups, "group")}, ${plural(n - gaps, "run")} with a step, ${plural(gaps, "gap")}` },
      span("col-idx", String(j)),
      isFork ? span("fork-badge", "fork") : null,
      col.groups > 1 ? span("col-groups", `${col.groups}g`) : null,
    );
    const tr = h("tr", { class: isFork ? "fork" : "" }, rowHead);
    const byRun = new Map<number, (typeof col.cells)[number]>();
    for (const c of col.cells) byRun.set(c.run, c);
    for (const pos of order) {
      const run = p.runs[pos]!;
      const c = byRun.get(run.index);
      let td: HTMLElement;
      if (!c || c.step === null) {
        td = h("td", { class: "gap", title: `run #${run.index}: no step in column ${j}` });
      } else {
        const step = run.steps[c.step];
        const bucket = Math.round(Math.min(1, Math.max(0, c.divergence)) * 10);
        td = h("td", { class: `dv${bucket}${c.group !== 0 ? " alt" : ""}` }, step?.text ?? "");
        if (c.group !== 0 && c.group !== null) td.append(span("grp", `g${c.group}`));
        td.title = `run #${run.index} · column ${j} · group ${c.group} · divergence ${fmt(c.divergence, 2)}`;
      }
      td.dataset.pos = String(pos);
      cellAt.set(`${j}:${pos}`, td);
      tr.append(td);
    }
    tr.dataset.col = String(j);
    rows.push(tr);
    frag.append(tr);
  });
  tbody.append(frag);
  table.append(thead, tbody);

  const scroller = h("div", { class: "traces-scroll", attrs: { tabindex: "0", "aria-label": "traces by aligned step" } }, table);
  const detail = h("div", { class: "run-detail", attrs: { "aria-live": "polite" } });
  detail.hidden = true;
  let openPos: number | null = null;

  const showRun = (pos: number | null) => {
    for (const th of headers) th.setAttribute("aria-expanded", String(Number(th.dataset.pos) === pos));
    openPos = pos;
    if (pos === null) {
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    const run = p.runs[pos]!;
    const cls = p.answers[run.answerClass];
    const mark = run.correct === true ? span("ok", " ✓") : run.correct === false ? span("bad", " ✗") : null;
    const text = h("pre", { class: "run-text" });
    run.steps.forEach((s, k) => {
      if (k > 0) text.append(s.start - run.steps[k - 1]!.end > 1 ? "\n\n" : "\n");
      const col = m.stepColumn[pos]?.[k] ?? -1;
      const el = h("span", { class: "run-step" + (col === p.forkColumn ? " at-fork" : ""), title: col >= 0 ? `column ${col}: click to show` : "" }, s.text);
      if (col >= 0) el.addEventListener("click", () => onPick(col, pos));
      text.append(el);
    });
    detail.replaceChildren(
      h(
        "div",
        { class: "run-detail-head" },
        h("strong", null, `Run #${run.index}`),
        " · answer ",
        h("span", { class: "run-ans" }, answerLabel(cls)),
        mark,
        span("muted", ` · ${plural(run.steps.length, "step")} · ${run.length} characters of ${run.fromThinking ? "thinking" : "text"}${run.answerExtracted ? " · answer read from text" : ""}`),
        h("button", { class: "link", on: { click: () => showRun(null) } }, "close"),
      ),
      text,
      h(
        "div",
        { class: "muted small" },
        "The steps as segmented, in order (click one to show its column); what the segmenter dropped between them, such as blank lines and decoration, is not in the analysis. ",
        h("button", { class: "link", on: { click: (e) => copy(stepsText(run), e.currentTarget as HTMLElement) } }, "copy text"),
      ),
    );
    detail.hidden = false;
  };
  for (const th of headers) {
    const toggle = () => {
      const pos = Number(th.dataset.pos);
      showRun(openPos === pos ? null : pos);
      if (openPos !== null) detail.scrollIntoView({ block: "nearest" });
    };
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggle();
      }
    });
  }
  tbody.addEventListener("click", (e) => {
    const td = (e.target as HTMLElement).closest("td");
    const tr = td?.parentElement as HTMLElement | null;
    if (!td || !tr?.dataset.col) return;
    onPick(Number(tr.dataset.col), Number(td.dataset.pos));
  });

  let selRow: HTMLElement | null = null;
  let selCell: HTMLElement | null = null;
  return {
    element: h("div", { class: "traces-wrap" }, scroller, detail),
    select(col, pos, scroll = true) {
      selRow?.classList.remove("sel");
      selCell?.classList.remove("sel");
      selRow = col === null ? null : (rows[col] ?? null);
      selCell = col === null || pos === null ? null : (cellAt.get(`${col}:${pos}`) ?? null);
      selRow?.classList.add("sel");
      selCell?.classList.add("sel");
      if (!scroll || !selRow) return;
      // Scroll inside the traces box, clear of the sticky header and first column.
      const head = thead.getBoundingClientRect().height;
      const first = (rows[0]?.firstElementChild as HTMLElement | null)?.getBoundingClientRect().width ?? 0;
      scroller.scrollTop = Math.max(0, selRow.offsetTop - head - 8);
      if (selCell) {
        const left = selCell.offsetLeft - first;
        if (left < scroller.scrollLeft || selCell.offsetLeft + selCell.offsetWidth > scroller.scrollLeft + scroller.clientWidth)
          scroller.scrollLeft = Math.max(0, left - 8);
      }
    },
  };
}

function copy(text: string, button: HTMLElement): void {
  const done = (msg: string) => {
    const was = button.textContent;
    button.textContent = msg;
    setTimeout(() => (button.textContent = was), 1200);
  };
  navigator.clipboard?.writeText(text).then(
    () => done("copied"),
    () => done("copy failed"),
  );
}
