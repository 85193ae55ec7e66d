// The prompt list (documents with more than one prompt): one row per prompt, its columns chosen
// by what the document has (promptsort.ts's listColumns), their heads sort buttons. Agent
// documents show pass^k and the fork action, plain ones the incoherence, the accuracy and the fork
// column; an agent prompt's row says what it asks on a second line. The rows stay indexed by the
// prompt's index in the document (the file order), whatever order they are shown in; the arrow
// keys follow the order shown.
import type { PromptAnalysis } from "../src/core/types";
import { h, span, type Child } from "./dom";
import { fmt, pct } from "./format";
import { headline, headlineModel } from "./model";
import {
  accuracy,
  firstUserMessage,
  forkPosition,
  listColumns,
  matchesFilter,
  nextSort,
  passAt,
  promptName,
  promptSubtitle,
  sortKeys,
  sortPrompts,
  type PromptSort,
  type SortKey,
} from "./promptsort";

export interface PromptListOptions {
  prompts: PromptAnalysis[];
  /** The prompt shown (its index in `prompts`). */
  selected: () => number;
  filterText: string;
  sort: PromptSort | null;
  onSelect: (index: number) => void;
  onSort: (sort: PromptSort | null) => void;
}

export interface PromptListHandle {
  nav: HTMLElement;
  /** The rows, by prompt index (not by the order shown). */
  items: HTMLElement[];
  filter: HTMLInputElement | null;
}

/** Past this many prompts the list has a filter box. */
export const FILTER_PAST = 8;

interface Column {
  key: SortKey | null;
  /** The head's text, and what it sorts by in words (for its title and screen readers). */
  head: string;
  what: string;
  /** Its grid track. */
  track: string;
  cls: string;
  cell: (p: PromptAnalysis) => Child;
}

export function renderPromptList(o: PromptListOptions): PromptListHandle {
  const { prompts } = o;
  const c = listColumns(prompts);
  const k = c.k;
  const keys = sortKeys(c);
  const dash = () => span("muted", "—");
  const num = (x: number | null, f: (x: number) => string) => (x === null ? dash() : f(x));
  const maxN = Math.max(...prompts.map((p) => p.n));
  const bar = (p: PromptAnalysis) => {
    const inc = headline(p);
    const b = span("mini-bar");
    const fill = span("mini-fill" + (inc === null ? " dis" : ""));
    fill.style.width = `${Math.round(100 * Math.min(1, Math.max(0, inc ?? p.disagreement)))}%`;
    b.append(fill);
    return b;
  };
  const forkWhat = c.agent ? "fork action" : "fork column";
  const cols: Column[] = [{ key: "name", head: "prompt", what: "name", track: "minmax(0, 1fr)", cls: "pi-id", cell: (p) => promptName(p) }];
  if (c.n) cols.push({ key: "n", head: "n", what: "runs", track: `${Math.max(1.4, 0.62 * String(maxN).length + 0.5)}em`, cls: "pi-n num", cell: (p) => String(p.n) });
  // plain documents: the incoherence as a number over a thin bar (no room for a column of bars)
  if (!c.agent) cols.push({ key: "incoherence", head: "incoh.", what: "incoherence", track: "3.4em", cls: "pi-inc num", cell: (p) => h("span", { class: "pi-inc-in" }, num(headline(p), (x) => fmt(x, 2)), bar(p)) });
  if (c.accuracy) cols.push({ key: "accuracy", head: "acc.", what: "accuracy (share of correct runs)", track: "3.1em", cls: "pi-acc num", cell: (p) => num(accuracy(p), (x) => pct(x)) });
  if (k !== null) cols.push({ key: "passk", head: `pass^${k}`, what: `pass^${k} (${k} fresh reruns all right)`, track: "4em", cls: "pi-pass num", cell: (p) => num(passAt(p, k), (x) => fmt(x, 2)) });
  if (c.fork) cols.push({ key: "fork", head: "fork", what: forkWhat, track: "2.6em", cls: "pi-fork num", cell: (p) => num(forkPosition(p), String) });
  // agent documents: the incoherence as a bar only (its head sorts by it; the number is in the row's title)
  if (c.agent) cols.push({ key: "incoherence", head: "inc.", what: "incoherence", track: "2.4em", cls: "pi-bar", cell: bar });
  const track = cols.map((x) => x.track).join(" ");

  const nav = h("nav", { class: "prompts", attrs: { "aria-label": "prompts" } });
  // the rows' and the head's grid (through the CSSOM: the CSP allows no style attribute)
  nav.style.setProperty("--pl-cols", track);

  const items = prompts.map((p, i) => {
    const name = promptName(p);
    const sub = promptSubtitle(p);
    const ask = firstUserMessage(p);
    const said = headlineModel(p).text ?? (p.brier ? "none (no error to split)" : "none (no target)");
    const acc = accuracy(p);
    const pk = passAt(p, k);
    const fork = forkPosition(p);
    const facts = [
      `${p.n} runs`,
      `incoherence ${said}`,
      acc !== null ? `accuracy ${pct(acc)}` : null,
      k !== null && pk !== null ? `pass^${k} ${fmt(pk, 2)}` : null,
      c.fork || fork !== null ? `${p.agent ? "fork action" : "fork column"} ${fork ?? "none"}` : null,
    ].filter((x): x is string => x !== null);
    const title = [name === p.id ? p.id : `${name}\nid ${p.id}`, ask && ask !== name ? ask : null, facts.join(" · "), p.model ? `model ${p.model}` : null].filter(Boolean).join("\n");
    const li = h(
      "li",
      {
        class: "prompt-item" + (sub ? " has-sub" : ""),
        attrs: {
          id: `hm-prompt-${i}`,
          role: "option",
          "aria-selected": String(i === o.selected()),
          "aria-label": `${name}${sub ? ` (${sub})` : ""}: ${facts.join(", ")}`,
          tabindex: i === o.selected() ? "0" : "-1",
          "data-fk": `prompt:${p.id}`,
        },
        title,
        on: { click: () => o.onSelect(i) },
      },
      ...cols.map((col) => h("span", { class: col.cls + (col.key === "name" && name !== p.id ? " from-text" : "") }, col.cell(p))),
      sub ? span("pi-sub", sub) : null,
    );
    return li;
  });

  let sort: PromptSort | null = o.sort && keys.includes(o.sort.key) ? o.sort : null;
  let order: number[] = [];
  const ul = h("ul", { class: "prompt-list", attrs: { role: "listbox" } });
  const heads = new Map<SortKey, { cell: HTMLElement; button: HTMLButtonElement; arrow: HTMLElement; col: Column }>();
  const head = h("div", { class: "list-head", attrs: { role: "row", "aria-label": "sort the prompts by" } });
  for (const col of cols) {
    if (!col.key || heads.has(col.key)) {
      head.append(span(col.cls.includes("num") ? "num" : "", col.head));
      continue;
    }
    const key = col.key;
    const arrow = span("sort-arrow", "");
    const button = h("button", { class: "sort-btn", attrs: { type: "button", "data-fk": `sort:${key}` }, on: { click: () => setSort(nextSort(sort, key)) } }, arrow, span("sort-label", col.head));
    const cell = h("span", { class: "sort-head" + (col.cls.includes("num") || key === "incoherence" ? " num" : ""), attrs: { role: "columnheader" } }, button);
    heads.set(key, { cell, button, arrow, col });
    head.append(cell);
  }

  const described = (s: PromptSort | null) => {
    if (!s) return "file order";
    const col = heads.get(s.key)!.col;
    if (s.key === "name") return `name, ${s.dir === "asc" ? "A to Z" : "Z to A"}`;
    return `${col.what}, ${s.dir === "asc" ? "lowest" : "highest"} first`;
  };
  function apply(): void {
    order = sortPrompts(prompts, sort, k);
    ul.append(...order.map((i) => items[i]!));
    ul.setAttribute("aria-label", `prompts, sorted by ${described(sort)} (up and down arrows move)`);
    for (const [key, x] of heads) {
      const on = sort?.key === key ? sort : null;
      x.cell.setAttribute("aria-sort", on ? (on.dir === "asc" ? "ascending" : "descending") : "none");
      x.cell.classList.toggle("on", !!on);
      x.arrow.textContent = on ? (on.dir === "asc" ? "▲" : "▼") : "";
      const next = nextSort(sort, key);
      x.button.title = `Sorted by ${described(sort)}. Click: sort by ${next ? described(next) : "file order"}.`;
      x.button.setAttribute("aria-label", `sort by ${x.col.what}${on ? `, now ${on.dir === "asc" ? "ascending" : "descending"}` : ""}`);
    }
  }
  function setSort(s: PromptSort | null): void {
    sort = s;
    apply();
    nav.scrollTop = 0;
    o.onSort(s);
  }

  const shown = () => order.filter((i) => !items[i]!.hidden);
  ul.addEventListener("keydown", (e) => {
    const list = shown();
    if (!list.length) return;
    const at = list.indexOf(o.selected());
    const step = (d: number) => list[at < 0 ? 0 : Math.max(0, Math.min(list.length - 1, at + d))];
    let to: number | undefined;
    if (e.key === "ArrowDown") to = step(1);
    else if (e.key === "ArrowUp") to = step(-1);
    else if (e.key === "Home") to = list[0];
    else if (e.key === "End") to = list[list.length - 1];
    else if (e.key === "PageDown") to = step(10);
    else if (e.key === "PageUp") to = step(-10);
    else return;
    e.preventDefault();
    if (to === undefined) return;
    o.onSelect(to);
    items[to]!.focus();
  });

  const top = h("div", { class: "pl-top" });
  let filter: HTMLInputElement | null = null;
  if (prompts.length > FILTER_PAST) {
    const box = h("input", {
      class: "filter",
      attrs: { type: "search", placeholder: `Filter ${prompts.length} prompts`, "aria-label": c.agent ? "filter prompts (id, first user message, model)" : "filter prompts (id, name, model)", "data-fk": "prompt-filter" },
    });
    const filterRows = () => {
      const q = box.value.trim().toLowerCase();
      prompts.forEach((p, i) => (items[i]!.hidden = !matchesFilter(p, q)));
    };
    box.addEventListener("input", filterRows);
    box.addEventListener("keydown", (e) => {
      // Down from the filter box goes to the list.
      if (e.key !== "ArrowDown") return;
      e.preventDefault();
      const cur = items[o.selected()];
      const first = shown()[0];
      (cur && !cur.hidden ? cur : first !== undefined ? items[first] : undefined)?.focus();
    });
    box.value = o.filterText;
    if (o.filterText) filterRows();
    filter = box;
    top.append(box);
  }
  top.append(head);
  apply();
  nav.append(top, ul);
  return { nav, items, filter };
}
