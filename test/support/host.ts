// The extension activated through its own activate() in the stand-in `vscode` module, in a fresh
// workspace folder for each test (the set-up every editor test of a file shares): registers the
// hooks, and returns where it is and how to tear it down.
import "../stubs/install";
import { before, beforeEach } from "node:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "../stubs/vscode";

const ROOT = join(__dirname, "..", "..");

export interface StubHost {
  /** This test's folder; the workspace folder is `workspace` in it, its run store `workspace/.hotmess/runs`. */
  tmp: string;
  workspace: string;
  runs: string;
  ctx: ReturnType<typeof vscode.fakeContext>;
  /** Disposes what activate() registered and removes the folder (t.after(host.cleanup)). */
  cleanup: () => void;
}

export function stubHost(prefix: string, opts: { settings?: () => Record<string, unknown>; runStore?: boolean } = {}): StubHost {
  let extension: typeof import("../../src/extension/extension");
  const host = { tmp: "", workspace: "", runs: "" } as StubHost;
  host.cleanup = () => {
    for (const d of host.ctx.subscriptions) d.dispose();
    rmSync(host.tmp, { recursive: true, force: true });
  };
  before(async () => {
    extension = await import("../../src/extension/extension");
  });
  beforeEach(() => {
    vscode.reset();
    host.tmp = mkdtempSync(join(tmpdir(), prefix));
    host.workspace = join(host.tmp, "workspace");
    host.runs = join(host.workspace, ".hotmess", "runs");
    mkdirSync(opts.runStore === false ? host.workspace : host.runs, { recursive: true });
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(host.workspace) }];
    Object.assign(vscode.settings, opts.settings?.() ?? {});
    host.ctx = vscode.fakeContext(join(host.tmp, "storage"), ROOT);
    extension.activate(host.ctx as never);
  });
  return host;
}
