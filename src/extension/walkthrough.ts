// The walkthrough (package.json contributes.walkthroughs `hotmess.start`): each step is ticked
// by an `onContext:` completion event on a key set here once the user has done what the step
// asks, however they did it. `onCommand:` events missed most of it: VS Code's main thread sees a
// command an extension hands it with arguments (a row of the Runs view, a code lens) under an
// internal delegating id, not under its own, so a click on a run in the Runs view never ticked
// "Read the view"; a view opened by a rerun, and the view's own export buttons, run no command at
// all; and a command cancelled half-way (Open Run… dismissed) still ticked its step.
import * as vscode from "vscode";

/** The steps, by their ids in package.json, and what ticks each. */
export const WALKTHROUGH_STEPS = {
  /** A key stored, or a provider and model chosen (the simulated one included). */
  model: "hotmess.walkthrough.modelChosen",
  /** A run started (Rerun Selection, a prompt file's lens, Rerun from the Runs view or the view). */
  rerun: "hotmess.walkthrough.rerunStarted",
  /** A comparison view loaded in the editor, however it was opened. */
  read: "hotmess.walkthrough.viewOpened",
  /** A comparison exported (the command or the view's buttons). */
  share: "hotmess.walkthrough.exported",
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_STEPS;

/** The user did what a step asks: its context key becomes true (VS Code then keeps the step ticked, across reloads too). */
export function walkthroughDone(step: WalkthroughStep): void {
  void vscode.commands.executeCommand("setContext", WALKTHROUGH_STEPS[step], true);
}
