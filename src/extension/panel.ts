// The comparison view in a webview panel: the `webview/` app, loaded from the bundle with a
// strict CSP and a per-load nonce, `localResourceRoots` limited to dist/ and media/, fed by typed
// messages (src/protocol/webview.ts). A serializer restores the panel after a window reload by
// reading its source files again. Every message is redacted before it leaves the host: a model
// or a server that echoes an API key shows "[redacted]", never the key. The document (the
// analysis, up to megabytes, posted every 400 ms during a run) is redacted where it is made
// (loadView with every known key, the run's samples as recorded); the small messages here.
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { redactDeep, secretsFromEnv, type Analysis } from "../core";
import type { LoadedRun } from "../report/load";
import { walkthroughDone } from "./walkthrough";
import { isViewMessage, type ExportFormat, type HostMessage, type LiveProgress, type ChangeClasses, type RerunFrom, type RunInView, type SetReference, type ViewSource } from "../protocol/webview";

export const VIEW_TYPE = "hotmess.comparison";

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")],
  };
}

/** The view's HTML: nothing but the bundle and its stylesheet, under a CSP with a fresh nonce. */
export function viewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.js"));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.css"));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>Hot Mess Inspector</title>
</head>
<body data-host="vscode">
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export interface PanelHandlers {
  onExport(panel: ComparisonPanel, format: ExportFormat): void;
  onCancel(panel: ComparisonPanel): void;
  /** Retry in the view: continue a run file the panel shows. */
  onResume(panel: ComparisonPanel, file: string): void;
  /** "Rerun from here" on a step of a run the panel shows. */
  onRerunFrom(panel: ComparisonPanel, point: RerunFrom): void;
  onSetReference(panel: ComparisonPanel, m: SetReference): void;
  /** Class by meaning, merge or split, from the answer classes. */
  onChangeClasses(panel: ComparisonPanel, m: ChangeClasses): void;
  /** Every key to redact from what the view is sent (Secrets.known()). */
  secrets(): Promise<readonly string[]>;
}

/** The runs as the view's banners show them, with their states (computed once, by whoever read or recorded the runs). */
function runsInView(runs: readonly LoadedRun[]): RunInView[] {
  return runs.map(({ file, run, state }) => ({ file, name: basename(file), prompt: run.header.prompt, model: run.header.model, provider: run.header.provider, state }));
}

export class ComparisonPanel {
  private static readonly open = new Set<ComparisonPanel>();
  private ready = false;
  private pending: HostMessage[] = [];
  /** The document shown, for exports. */
  analysis: Analysis | null = null;
  source: ViewSource | null = null;
  /** References set from this view (Set as reference) since its runs were made, by prompt id. */
  readonly references = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static create(extensionUri: vscode.Uri, title: string, handlers: PanelHandlers): ComparisonPanel {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    return new ComparisonPanel(panel, extensionUri, handlers);
  }

  /** Adopts a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, handlers: PanelHandlers): ComparisonPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new ComparisonPanel(panel, extensionUri, handlers);
  }

  /** An open panel that shows this run file (Retry fills it again), the active one first. */
  static showing(file: string): ComparisonPanel | undefined {
    const all = [...ComparisonPanel.open].filter((p) => p.files.includes(file));
    return all.find((p) => p.panel.active) ?? all[all.length - 1];
  }

  /** The most recently active panel, for commands run from the palette. */
  static active(): ComparisonPanel | undefined {
    let last: ComparisonPanel | undefined;
    for (const p of ComparisonPanel.open) if (p.panel.active || !last) last = p;
    return last;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
  ) {
    ComparisonPanel.open.add(this);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, "media", "icon.svg");
    panel.webview.html = viewHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isViewMessage(m)) return;
        if (m.type === "ready") {
          this.ready = true;
          // the view is up in the editor: the walkthrough's "Read the view" is done
          walkthroughDone("read");
          for (const msg of this.pending.splice(0)) void panel.webview.postMessage(msg);
        } else if (m.type === "export/request") this.handlers.onExport(this, m.format);
        else if (m.type === "run/cancel") this.handlers.onCancel(this);
        else if (m.type === "run/resume") this.handlers.onResume(this, m.file);
        else if (m.type === "rerun/from") this.handlers.onRerunFrom(this, m);
        else if (m.type === "reference/set") this.handlers.onSetReference(this, m);
        else if (m.type === "classes/change") this.handlers.onChangeClasses(this, m);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The run files (or trace set) the panel shows. */
  get files(): string[] {
    const s = this.source;
    return s ? (s.kind === "traces" ? [s.file] : s.files) : [];
  }

  private outbox: Promise<void> = Promise.resolve();

  /**
   * Sends a message, in order, one after the other; `build` redacts what it holds with every
   * known key (`redact`: every string in a value, e.g. failure messages, partial replies).
   */
  private post(build: (redact: <T>(value: T) => T) => HostMessage): void {
    if (this.disposed) return;
    this.outbox = this.outbox.then(async () => {
      const secrets = await this.handlers.secrets().catch(() => secretsFromEnv(process.env));
      this.deliver(build((value) => redactDeep(value, secrets)));
    });
  }

  private deliver(msg: HostMessage): void {
    if (this.disposed) return;
    // only the latest document and progress matter: drop older ones still queued
    if (!this.ready) {
      this.pending = this.pending.filter((p) => p.type !== msg.type);
      this.pending.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  /** Shows a document, which must be redacted already (loadView with `secrets`, a run's samples as recorded): it is not walked again. */
  show(analysis: Analysis, source: ViewSource, title?: string): void {
    this.analysis = analysis;
    this.source = source;
    if (title) this.panel.title = title;
    this.post((redact) => ({ type: "analysis/set", analysis, source: redact(source) }));
  }

  /**
   * The runs behind the view with their states (computed with every key redacted): a banner for
   * each that failed, is partial or was interrupted (with Retry); none when all completed.
   * Without a document (no sample finished) this is all the view shows, so it also carries the
   * source and the title.
   */
  showRuns(runs: readonly LoadedRun[], source?: ViewSource, title?: string): void {
    if (source) this.source = source;
    if (title) this.panel.title = title;
    this.lastRuns = { runs, ...(source ? { source } : {}) };
    this.showRunsAgain();
  }

  /** The runs last shown. */
  private lastRuns: { runs: readonly LoadedRun[]; source?: ViewSource } = { runs: [] };

  /** Sends the runs last shown again, as they were (a refused Retry: its banner comes back with the button). */
  showRunsAgain(): void {
    const { runs, source } = this.lastRuns;
    this.post((redact) => redact({ type: "runs/set", runs: runsInView(runs), ...(source ? { source } : {}) }));
  }

  progress(progress: LiveProgress): void {
    this.post((redact) => redact({ type: "run/progress", progress }));
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ComparisonPanel.open.delete(this);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
