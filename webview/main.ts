// Boot: the self-contained HTML carries the document in <script type="application/json"
// id="hotmess-data">; a VS Code host (issue 5) posts it as {type: "analysis/set", analysis}.
import "./style.css";
import type { Analysis } from "../src/core/types";
import type { HostMessage, ViewSource } from "../src/protocol/webview";
import { HostBar } from "./host";
import { App, type ViewState } from "./app";
import { renderRunStates } from "./failures";

declare global {
  interface Window {
    /** Render timings, for the screenshot script and for anyone curious. */
    hotmess?: { app: App; bootMs: number; renderMs: number; firstPaintMs: number };
  }
}

const t0 = performance.now();
const vscode = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : null;
const root = document.getElementById("app") ?? document.body.appendChild(document.createElement("div"));

// In VS Code the state also remembers where the document came from, so the host can read it
// again after a window reload (its WebviewPanelSerializer gets this state back).
type Saved = Partial<ViewState> & { source?: ViewSource };
const saved = (): Saved => (vscode?.getState() as Saved | undefined) ?? {};
const app = new App(root, {
  onState: (s) => vscode?.setState({ ...saved(), ...s }),
  ...(vscode ? { onRerunFrom: (prompt: string, run: number, step: number) => vscode.postMessage({ type: "rerun/from", prompt, run, step }) } : {}),
  ...(vscode ? { onSetReference: (prompt: string, answer: string) => vscode.postMessage({ type: "reference/set", prompt, answer }) } : {}),
  ...(vscode ? { onClasses: (prompt: string, action: "judge" | "merge" | "split", run?: number) => vscode.postMessage({ type: "classes/change", prompt, action, ...(run !== undefined ? { run } : {}) }) } : {}),
});
const bar = vscode ? new HostBar(vscode) : null;
// The banners of failed, partial or interrupted runs, between the host bar and the view.
const runStates = document.createElement("div");
runStates.className = "runstates-slot";
if (bar) {
  document.body.insertBefore(bar.el, root);
  document.body.insertBefore(runStates, root);
  // The host bar sticks to the top: the view's own sticky toolbar sits below it. (On <body>: the
  // app re-renders when <html>'s style changes, which is how VS Code changes the theme.)
  const setTop = () => document.body.style.setProperty("--hm-sticky-top", `${bar.el.getBoundingClientRect().height}px`);
  if (typeof ResizeObserver === "function") new ResizeObserver(setTop).observe(bar.el);
  else setTop();
}

function show(analysis: Analysis): void {
  const t1 = performance.now();
  app.render(analysis, saved());
  bar?.ready();
  const t2 = performance.now();
  requestAnimationFrame(() =>
    setTimeout(() => {
      window.hotmess = { app, bootMs: t1 - t0, renderMs: t2 - t1, firstPaintMs: performance.now() };
      document.body.dataset.rendered = "1";
    }),
  );
}

const data = document.getElementById("hotmess-data");
if (data?.textContent?.trim()) {
  try {
    show(JSON.parse(data.textContent) as Analysis);
  } catch (e) {
    root.textContent = `Could not read the analysis: ${(e as Error).message}`;
  }
}

// Messages from a host (src/protocol/webview.ts). They are checked before use: a page that
// shows untrusted text should not trust the shape of what it is sent either.
window.addEventListener("message", (e: MessageEvent<HostMessage | null>) => {
  const m = e.data;
  if (!m || typeof m !== "object") return;
  if (m.type === "analysis/set" && m.analysis && typeof m.analysis === "object") {
    if (m.source) vscode?.setState({ ...saved(), source: m.source });
    // two versions of a prompt side by side: the view heads them with the change
    app.compareVersions = m.source?.kind === "runs" && m.source.compare === true;
    show(m.analysis);
  } else if (m.type === "run/progress" && m.progress && typeof m.progress === "object") bar?.progress(m.progress);
  else if (m.type === "view/reveal" && typeof m.prompt === "string" && Number.isInteger(m.column)) app.reveal(m.prompt, m.column);
  else if (m.type === "runs/set" && Array.isArray(m.runs) && vscode) {
    if (m.source) vscode.setState({ ...saved(), source: m.source });
    runStates.replaceChildren(...[renderRunStates(m.runs, vscode)].filter((x): x is HTMLElement => x !== null));
  }
});
vscode?.postMessage({ type: "ready" });
