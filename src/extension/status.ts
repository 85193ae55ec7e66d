// The status bar item: the running run's progress, then the last incoherence (with a warning
// colour above the threshold); a click opens the last run.
import * as vscode from "vscode";
import { SIMULATED_MODEL, type Analysis, type RunState } from "../core";
import type { Progress } from "../sampling/engine";

export class StatusBar {
  private readonly item: vscode.StatusBarItem;
  lastFiles: string[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem("hotmess.status", vscode.StatusBarAlignment.Left, 20);
    this.item.name = "Hot Mess Inspector";
    this.idle();
  }

  idle(): void {
    this.item.text = "$(pulse) Hot Mess";
    this.item.tooltip = "Hot Mess Inspector: rerun a selection (Ctrl+Alt+R)";
    this.item.command = "hotmess.rerunSelection";
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  running(label: string, p: Progress): void {
    this.item.text = `$(sync~spin) Hot Mess ${p.done}/${p.target}${p.retrying ? ` · ${p.retrying} retrying` : ""}`;
    this.item.tooltip = `${label}: ${p.done} of ${p.target} done, ${p.streaming} streaming. Click to cancel.`;
    this.item.command = "hotmess.cancelRun";
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  finished(analysis: Analysis, files: string[], threshold: number): void {
    this.lastFiles = files;
    const p = analysis.prompts[analysis.prompts.length - 1];
    // the figure the view leads with: the Brier incoherence of the answers; for a benchmark
    // prompt without one, the squared-error incoherence at its last step
    const b = p?.brier;
    const opt = p?.optimizer?.steps[p.optimizer.steps.length - 1];
    const inc = b ? b.incoherence : (opt?.incoherence ?? null);
    const ci = b ? b.ci95 : (opt?.ci95 ?? null);
    if (inc === null || inc === undefined) {
      this.item.text = `$(pulse) Hot Mess: ${p ? `${p.classes} answer${p.classes === 1 ? "" : "s"}` : "no samples"}`;
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(pulse) incoherence ${inc.toFixed(2)}${ci ? ` [${ci[0].toFixed(2)}–${ci[1].toFixed(2)}]` : ""}`;
      // warn only when the interval itself is above the threshold, so a noisy estimate is not overstated
      this.item.backgroundColor = (ci ? ci[0] : inc) > threshold ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    }
    // the simulated reasoner's figures are made up: they never show without saying so
    if (p?.model === SIMULATED_MODEL) this.item.text += " (simulated)";
    this.item.tooltip = `${p?.id ?? ""}: ${p?.n ?? 0} runs${p?.model === SIMULATED_MODEL ? " of the simulated reasoner (no model was called)" : ""}. Click to open the comparison.`;
    this.item.command = "hotmess.openLastRun";
    this.item.show();
  }

  /** The last run failed, or some of its samples did: why, and a click opens it (with Retry). */
  failed(state: RunState, files: string[]): void {
    this.lastFiles = files;
    const partial = state.status !== "failed";
    this.item.text = state.status === "failed" ? "$(error) Hot Mess: last run failed" : `$(warning) Hot Mess: ${state.brief}`;
    this.item.backgroundColor = new vscode.ThemeColor(partial ? "statusBarItem.warningBackground" : "statusBarItem.errorBackground");
    this.item.tooltip = `${state.summary}${state.reason ? `: ${state.reason}` : ""}. Click to open it${state.resumable ? " (Retry is there)" : ""}.`;
    this.item.command = "hotmess.openLastRun";
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
