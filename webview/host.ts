// The bar a VS Code host adds above the view: live progress while a run fills it (with Cancel),
// and the exports. Absent from the self-contained HTML file, which has no host.
import type { ExportFormat, LiveProgress } from "../src/protocol/webview";
import { h, span } from "./dom";

export interface HostApi {
  postMessage(message: unknown): void;
}

const EXPORTS: [ExportFormat, string, string][] = [
  ["html", "HTML", "This view as one self-contained file"],
  ["md", "Markdown", "Summary and tables, ready for a pull request"],
  ["csv", "CSV", "One row per run × aligned step"],
  ["json", "JSON", "hotmess.analysis/1 with the raw traces"],
];

function tokens(n: number): string {
  return n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export class HostBar {
  readonly el: HTMLElement;
  private readonly status: HTMLElement;
  private readonly meter: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly cancel: HTMLButtonElement;
  private readonly exports: HTMLElement;

  constructor(private readonly host: HostApi) {
    this.fill = span("host-fill");
    this.meter = h("div", { class: "host-meter", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" } }, this.fill);
    this.status = span("host-status");
    this.cancel = h("button", { class: "host-button", title: "Stop the run; finished samples are kept", on: { click: () => this.host.postMessage({ type: "run/cancel" }) } }, "Cancel");
    this.exports = h(
      "span",
      { class: "host-exports" },
      span("label", "Export"),
      ...EXPORTS.map(([format, label, title]) => h("button", { class: "host-button", title, on: { click: () => this.host.postMessage({ type: "export/request", format }) } }, label)),
    );
    this.exports.hidden = true;
    this.el = h("div", { class: "hostbar", attrs: { role: "status", "aria-live": "polite" } }, this.meter, this.status, this.cancel, this.exports);
    this.meter.hidden = true;
    this.cancel.hidden = true;
  }

  /** A document is shown: exports become possible. */
  ready(): void {
    this.exports.hidden = false;
  }

  progress(p: LiveProgress): void {
    const parts = [`${p.done} of ${p.target} samples`];
    if (p.streaming) parts.push(`${p.streaming} streaming`);
    if (p.retrying) parts.push(`${p.retrying} retrying`);
    if (p.failed) parts.push(`${p.failed} failed`);
    const cost = (c: number) => `$${c < 0.01 ? c.toFixed(4) : c.toFixed(2)}`;
    parts.push(`${tokens(p.inputTokens + p.outputTokens)} tokens${p.cacheReadTokens ? ` (${tokens(p.cacheReadTokens)} from the cache)` : ""}`);
    parts.push(p.costUsd === null ? "cost unknown" : cost(p.costUsd));
    // a long prefix is paid again at each rerun: what one costs
    if (p.done > 1 && p.costUsd !== null && p.cacheReadTokens) parts.push(`${cost(p.costUsd / p.done)} a rerun`);
    const pct = p.target > 0 ? Math.round((100 * (p.done + p.failed)) / p.target) : 0;
    this.meter.hidden = p.finished;
    this.meter.setAttribute("aria-valuenow", String(pct));
    this.fill.style.width = `${pct}%`;
    this.cancel.hidden = p.finished;
    this.status.textContent = p.finished ? (p.message ? `${p.message}.` : `Done: ${parts.join(" · ")}`) : `Rerunning: ${parts.join(" · ")}${p.done === 0 ? " (the view fills in as samples finish)" : ""}`;
  }
}
