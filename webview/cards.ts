// A trajectory's steps as cards (agent prompts; steps with a `kind`), for the traces' cells and a
// run's text: a tool call's name and its arguments pretty-printed; a tool result folded to one
// line under its call (a <details>, so it unfolds with the keyboard too), errors marked; a user
// turn as a bubble from the other side; thinking dimmed; what the agent said as text. Outside the
// consensus, what differs from the column's consensus step is highlighted: argument (or JSON
// result) lines whose value differs from the consensus call's, the words of anything else.
// Everything from the model or the tools is set as text.
import type { Step } from "../src/core/types";
import { diffWords, worthShowing, type WordDiff } from "./diff";
import { h, span } from "./dom";
import { charsLabel, jsonLines, jsonPaths, lineText, markLines, missingPaths, parseCall, resultBody, resultSummary, type JsonLine, type LineMark } from "./trajectory";

/** What a card outside the consensus is compared with. */
export interface CardDiff {
  /** The column's consensus step (null: the step is in the consensus, or there is none). */
  base: string | null;
  /** The word diff of the step's text against it, when worth showing (computed on demand). */
  words: () => WordDiff | null;
}

const NO_DIFF: CardDiff = { base: null, words: () => null };

/** The card of a step with a `kind`. */
export function stepCard(step: Step, d: CardDiff = NO_DIFF): HTMLElement {
  switch (step.kind) {
    case "tool_call":
      return callCard(step, d);
    case "tool_result":
      return resultCard(step, d);
    case "user":
      return h("div", { class: "k-user" }, span("k-label", "user"), " ", ...words(step.text, d.words()));
    case "reasoning":
      return h("div", { class: "k-reasoning" }, span("k-label", "thinking"), " ", ...words(step.text, d.words()));
    default:
      return h("div", { class: "k-text" }, ...words(step.text, d.words()));
  }
}

/** A text with its changed words highlighted. */
function words(text: string, w: WordDiff | null): (string | HTMLElement)[] {
  if (!w) return [text];
  return w.segments.map((s) => (s.changed ? span("df", s.text) : s.text));
}

/**
 * JSON lines into a <pre>, one block per line with a hanging indent (a wrapped line continues
 * under its value, not at the margin); the values that differ from the consensus highlighted,
 * with the consensus value in the title.
 */
function appendLines(pre: HTMLElement, lines: readonly JsonLine[], marks: readonly LineMark[] | null, base: ReadonlyMap<string, string> | null): void {
  lines.forEach((l, i) => {
    const mark = marks?.[i] ?? "same";
    const el = span("jl");
    // the CSSOM, not a style attribute (the CSP allows the one, not the other)
    if (l.depth) el.style.setProperty("--d", String(l.depth));
    const indent = "  ".repeat(l.depth);
    const comma = l.comma ? "," : "";
    if (mark === "same") el.append(lineText(l));
    else if (mark === "added") el.append(indent, h("span", { class: "df", title: "not in the consensus" }, l.key + l.value), comma);
    else el.append(indent + l.key, h("span", { class: "df", title: `consensus: ${base?.get(l.path) ?? ""}` }, l.value), comma);
    pre.append(el);
  });
}

/** A name that may break after `_`, `.`, `-` or `/` in a narrow cell (get_user_⏎details), not anywhere. */
function breakable(name: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  for (const part of name.split(/(?<=[_.\-/])/)) {
    if (out.length) out.push(document.createElement("wbr"));
    out.push(part);
  }
  return out;
}

function callCard(step: Step, d: CardDiff): HTMLElement {
  const call = parseCall(step.text, step.name);
  const base = d.base === null ? null : parseCall(d.base);
  // compared only with a call of the same tool (another tool: its name is what differs)
  const other = base !== null && base.name !== call.name;
  const same = base !== null && !other ? base : null;
  const name = h("span", { class: "tc-name" + (other ? " df" : ""), title: other ? `the consensus calls ${base.name}` : "" }, ...breakable(call.name || "(no name)"));
  const args = h("pre", { class: "tc-args" + (call.json ? "" : " raw") });
  let missing: string[] = [];
  if (call.json) {
    const lines = jsonLines(call.value);
    const basePaths = same?.json ? jsonPaths(same.value) : null;
    appendLines(args, lines, basePaths && markLines(lines, basePaths), basePaths);
    if (basePaths) missing = missingPaths(lines, basePaths);
  } else {
    // arguments that are not JSON: the raw string, its words compared with the consensus call's
    const w = same && !same.json ? diffWords(call.args, same.args) : null;
    args.append(...words(call.args, w && worthShowing(w) ? w : null));
  }
  return h(
    "div",
    { class: "tc-card" },
    h("div", { class: "tc-head" }, span("tc-badge", "call"), name),
    args,
    missing.length ? h("div", { class: "tc-missing", title: "the consensus call has these; this one does not" }, `without ${missing.join(", ")}`) : null,
  );
}

function resultCard(step: Step, d: CardDiff): HTMLElement {
  const sum = resultSummary(step.text);
  const details = h("details", { class: "tr-fold" + (step.error ? " err" : "") });
  const summary = h(
    "summary",
    { class: "tr-sum", title: `${step.error ? "error result" : "tool result"}${step.name ? ` of ${step.name}` : ""}, ${charsLabel(sum.chars)}: click (or Enter) to unfold` },
    h("span", { class: "tr-caret", attrs: { "aria-hidden": "true" } }, "▸"),
    // an error says so; any other result is the line under its call (screen readers hear "result")
    step.error ? span("tr-badge err", "✖ error") : span("sr-only", "result: "),
    span("tr-head", sum.head),
    span("tr-len", charsLabel(sum.chars)),
  );
  details.append(summary);
  // The body is built when first unfolded (most results never are).
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    details.append(resultText(step, d));
  };
  summary.addEventListener("click", build);
  details.addEventListener("toggle", () => details.open && build());
  return details;
}

/** A result unfolded: JSON pretty-printed (its lines compared with a JSON consensus result), else the text (its words compared). */
function resultText(step: Step, d: CardDiff): HTMLElement {
  const body = resultBody(step.text);
  const pre = h("pre", { class: "tr-body", attrs: { tabindex: "0", "aria-label": "tool result" } });
  if (body.json) {
    const lines = jsonLines(body.value);
    const b = d.base === null ? null : resultBody(d.base);
    const basePaths = b?.json ? jsonPaths(b.value) : null;
    appendLines(pre, lines, basePaths && markLines(lines, basePaths), basePaths);
  } else pre.append(...words(body.text, d.words()));
  return pre;
}
