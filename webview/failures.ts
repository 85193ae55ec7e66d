// The banner over the view for each run that did not complete (VS Code only): its status in one
// sentence, why (each kind of failure once, with its HTTP status, the server's words, the URL,
// the request ids, the attempts and the wait the server asked for), what a failed sample had
// said before its error, the prompt when no sample finished (nothing else shows it then), and
// Retry, which asks the host to run the missing samples into the same run file. Every string
// here came from a run file or a server: it is set as text, never parsed as HTML.
import { isFailureKind, RETRYABLE } from "../src/core/failures";
import type { FailureGroup, RunState } from "../src/core/runstate";
import type { RunInView } from "../src/protocol/webview";
import { formatWait } from "../src/core/wait";
import { h, span, type Child } from "./dom";
import { plural } from "./format";
import type { HostApi } from "./host";

/** Request ids listed before "and N more". */
const REQUEST_IDS = 3;
/** Sample indices listed before "…". */
const SAMPLES = 12;

/** What a user can do about a kind of failure. */
function advice(g: FailureGroup): string | null {
  if (g.kind === "auth") return "The API key was refused: set a working one (Hot Mess: Set API Key…), then Retry.";
  if (g.kind === "request") return "The request itself was refused (the model, a parameter): Retry would send it unchanged; fix the settings and rerun instead.";
  if (g.kind === "rate_limit" || g.kind === "overloaded") {
    if (g.retryAfterMs !== undefined) return "That wait is longer than the hotmess.maxRetryWait setting allows: Retry once it has passed (or raise the setting).";
    return "The server was busy: Retry in a while.";
  }
  if (g.retryable || (isFailureKind(g.kind) && RETRYABLE.has(g.kind))) return "Retry runs these samples again.";
  return null;
}

function samplesText(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const shown = sorted.slice(0, SAMPLES).join(", ");
  return `${sorted.length === 1 ? "sample" : "samples"} ${shown}${sorted.length > SAMPLES ? `, … (${sorted.length - SAMPLES} more)` : ""}`;
}

/** A labelled fact: "URL  https://…". */
function fact(label: string, ...value: Child[]): HTMLElement {
  return h("div", { class: "rs-fact" }, span("label", label), " ", span("rs-value", ...value));
}

function failureItem(g: FailureGroup): HTMLElement {
  const head: Child[] = [];
  head.push(h("strong", { class: "rs-kind" }, g.label || (g.status !== undefined ? "HTTP error" : "error")));
  if (g.status !== undefined) head.push(span("rs-status num", `HTTP ${g.status}`));
  head.push(span("muted", g.samples.length ? `${plural(g.count, "time")} · ${samplesText(g.samples)}` : "stopped the run"));
  const facts: HTMLElement[] = [];
  if (g.url) facts.push(fact("URL", h("code", null, g.url)));
  if (g.requestIds.length) facts.push(fact(g.requestIds.length === 1 ? "request id" : "request ids", h("code", null, g.requestIds.slice(0, REQUEST_IDS).join(", ")), g.requestIds.length > REQUEST_IDS ? span("muted", ` and ${g.requestIds.length - REQUEST_IDS} more`) : null));
  if (g.attempts) facts.push(fact("attempts", span("num", g.attempts[0] === g.attempts[1] ? String(g.attempts[0]) : `${g.attempts[0]}–${g.attempts[1]}`)));
  if (g.retryAfterMs !== undefined) facts.push(fact("server asked to wait", span("num", formatWait(g.retryAfterMs))));
  const tip = advice(g);
  return h(
    "li",
    { class: "rs-failure" },
    h("div", { class: "rs-failure-head" }, ...head),
    h("div", { class: "rs-message" }, g.message),
    facts.length ? h("div", { class: "rs-facts" }, ...facts) : null,
    tip ? h("div", { class: "rs-advice" }, tip) : null,
  );
}

function textBlock(label: string, text: string): HTMLElement {
  return h("div", { class: "rs-text-block" }, h("h4", null, label), h("pre", { class: "run-text rs-text" }, text));
}

function partialsList(state: RunState): HTMLElement | null {
  if (state.partials.length === 0) return null;
  return h(
    "div",
    { class: "rs-partials" },
    ...state.partials.map((p, i) =>
      h(
        "details",
        { class: "rs-partial", attrs: i === 0 ? { open: "" } : {} },
        h("summary", null, `What sample ${p.sample} had said before its error (${plural(p.text.length + p.thinking.length, "character")})`),
        p.thinking ? textBlock("thinking", p.thinking) : null,
        p.text ? textBlock("reply", p.text) : null,
      ),
    ),
  );
}

/** One run's banner: status, why, partial replies, the prompt when nothing else shows it, Retry. */
function banner(r: RunInView, host: HostApi): HTMLElement {
  const s = r.state;
  const severity = s.status === "failed" ? "error" : s.status === "partial" ? "warning" : "info";
  const retry = h(
    "button",
    {
      class: "host-button rs-retry",
      title: `Run the ${plural(s.missing, "sample")} that did not finish again, with this run's provider, model and parameters, into the same run file`,
      attrs: { type: "button", "data-file": r.file },
      on: {
        click: () => {
          // the host answers with the runs' states again (and a live run): the banner is rebuilt
          retry.disabled = true;
          retry.textContent = "Retrying…";
          host.postMessage({ type: "run/resume", file: r.file });
        },
      },
    },
    s.status === "failed" || s.status === "partial" ? "Retry" : "Resume",
  );
  retry.hidden = !s.resumable;
  return h(
    "section",
    { class: `runstate rs-${severity}`, attrs: { role: s.status === "failed" ? "alert" : "status", "aria-label": s.summary, "data-status": s.status } },
    h("div", { class: "rs-head" }, span(`rs-icon rs-icon-${severity}`, severity === "error" ? "✖" : severity === "warning" ? "⚠" : "ℹ"), h("strong", { class: "rs-summary" }, s.summary), retry),
    h("div", { class: "muted rs-run" }, `${r.model} · ${r.provider} · ${r.name}`),
    s.failures.length ? h("ul", { class: "rs-failures" }, ...s.failures.map(failureItem)) : s.message ? h("div", { class: "rs-message" }, s.message) : null,
    partialsList(s),
    s.finished === 0 ? h("details", { class: "rs-prompt", attrs: { open: "" } }, h("summary", null, "Prompt"), h("pre", { class: "run-text rs-text" }, r.prompt)) : null,
  );
}

/**
 * The banners of the runs that did not complete (null when every run completed). A run that
 * completed, even after earlier failures, has nothing to explain.
 */
export function renderRunStates(runs: readonly RunInView[], host: HostApi): HTMLElement | null {
  const shown = runs.filter((r) => r && typeof r === "object" && r.state && r.state.status !== "complete");
  if (shown.length === 0) return null;
  return h("div", { class: "runstates" }, ...shown.map((r) => banner(r, host)));
}
