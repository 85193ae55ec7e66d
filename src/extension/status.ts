// The status bar item: the running run's progress, then the last incoherence (with a warning
// colour above the threshold); a click opens the last run.
import * as vscode from "vscode";
import { headlineText, rerunsText, SIMULATED_MODEL, type Analysis, type RunState } from "../core";
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
    // the figure the view leads with: the Brier estimate of the answers with its interval (or
    // the caveat below 5 reruns); for a benchmark prompt without one, the squared-error
    // incoherence at its last step
    const b = p?.brier;
    const opt = p?.optimizer?.steps[p.optimizer.steps.length - 1];
    const figure = b ? { estimate: b.estimate, ci95: b.ci95, caveat: p!.caveat } : { estimate: opt?.incoherence ?? null, ci95: opt?.ci95 ?? null, caveat: null };
    const text = headlineText(figure);
    let more: string | null = null;
    if (text === null) {
      this.item.text = `$(pulse) Hot Mess: ${p ? `${p.classes} answer${p.classes === 1 ? "" : "s"}` : "no samples"}`;
      this.item.backgroundColor = undefined;
    } else {
      // the bar is narrow: the caveat itself goes in the tooltip
      this.item.text = `$(pulse) incoherence ${figure.ci95 ? text : headlineText({ ...figure, caveat: `n = ${p!.n}: no interval` })}`;
      // warn only when the interval itself is above the threshold, so a noisy estimate is not
      // overstated (the estimate, never the plug-in, when there are too few reruns for one)
      this.item.backgroundColor = (figure.ci95 ? figure.ci95[0] : figure.estimate!) > threshold ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
      more = rerunsText(p?.reruns ?? null, figure.estimate);
    }
    // the simulated reasoner's figures are made up: they never show without saying so
    if (p?.model === SIMULATED_MODEL) this.item.text += " (simulated)";
    const caveat = text !== null && !figure.ci95 && p?.caveat ? ` ${p.caveat}.` : "";
    this.item.tooltip = `${p?.id ?? ""}: ${p?.n ?? 0} runs${p?.model === SIMULATED_MODEL ? " of the simulated reasoner (no model was called)" : ""}.${caveat}${more ? ` ${more[0]!.toUpperCase()}${more.slice(1)}.` : ""} Click to open the comparison.`;
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
