/// <reference types="mocha" />
// Runs inside VS Code's extension host (test-electron's Electron VS Code, or code-server's remote
// extension host): the real extension, activated by VS Code, with the real API. The workspace is
// a throwaway folder that scripts/test-integration.mjs opens; the tests write settings, prompt
// files and run files into it.
//
// Not covered here: an untrusted workspace. The runners start VS Code with
// --disable-workspace-trust (test-electron always adds it), and a test cannot revoke trust from
// inside the extension host; test/e2e/trust.e2e.ts covers it in code-server with trust on.
import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { benchmarkPrompts } from "../../src/sampling/benchmark";
import { parseRunFile, type ParsedRun } from "../../src/core";

const EXTENSION_ID = "hotmess.hot-mess-inspector";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined; fails with `what` (and the last value seen) after timeoutMs. */
async function poll<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, describeLast?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(250);
  }
  const last = describeLast ? ` Last seen: ${describeLast()}.` : "";
  const err = lastError ? ` Last error: ${(lastError as Error).message}.` : "";
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}.${last}${err}`);
}

function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the integration tests need a workspace folder open (scripts/test-integration.mjs passes one)");
  assert.equal(folder.uri.scheme, "file", "the workspace folder is on the local file system");
  return folder;
}

function runFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort() : [];
}

suite("Hot Mess Inspector in the extension host", function () {
  this.timeout(120_000);

  let ext: vscode.Extension<unknown>;
  let folder: vscode.WorkspaceFolder;

  suiteSetup(() => {
    folder = workspaceFolder();
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `the extension ${EXTENSION_ID} is loaded (extensionDevelopmentPath)`);
    ext = found;
  });

  suiteTeardown(async () => {
    const config = vscode.workspace.getConfiguration("hotmess");
    await config.update("n", undefined, vscode.ConfigurationTarget.Workspace);
    await config.update("provider", undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  test("the workspace is trusted (the runners disable workspace trust)", () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  test("the extension activates", async () => {
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test("every command in package.json's contributes.commands is registered", async () => {
    const manifest = ext.packageJSON as { contributes?: { commands?: { command: string }[] } };
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length >= 10, `package.json contributes ${contributed.length} commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
  });

  test("settings are honoured: Rerun Selection on the simulated reasoner writes a run file of hotmess.n samples", async () => {
    const config = vscode.workspace.getConfiguration("hotmess");
    await config.update("n", 3, vscode.ConfigurationTarget.Workspace);
    await config.update("provider", "simulated", vscode.ConfigurationTarget.Workspace);
    const now = vscode.workspace.getConfiguration("hotmess");
    assert.equal(now.get("n"), 3);
    assert.equal(now.get("provider"), "simulated");

    const runDir = join(folder.uri.fsPath, ".hotmess", "runs");
    const before = new Set(runFiles(runDir));

    const [bench] = benchmarkPrompts(["easy"], 1);
    assert.ok(bench, "the benchmark has an easy prompt");
    const doc = await vscode.workspace.openTextDocument({ content: bench.prompt, language: "plaintext" });
    const editor = await vscode.window.showTextDocument(doc);
    const last = doc.lineAt(doc.lineCount - 1);
    editor.selection = new vscode.Selection(0, 0, last.lineNumber, last.range.end.character);
    assert.equal(doc.getText(editor.selection), bench.prompt);

    // Not awaited on its own: on a failure the command waits on an error notification that no
    // one dismisses here. The run file is what counts.
    let settled: string | undefined;
    void Promise.resolve(vscode.commands.executeCommand("hotmess.rerunSelection")).then(
      () => (settled = "the command finished"),
      (e: unknown) => (settled = `the command failed: ${(e as Error)?.message ?? e}`),
    );

    let lastSeen = "no run file";
    const run = await poll<{ file: string; parsed: ParsedRun }>(
      "a new run file with 3 samples in .hotmess/runs",
      () => {
        const fresh = runFiles(runDir).filter((f) => !before.has(f));
        if (fresh.length === 0) return undefined;
        const file = join(runDir, fresh[fresh.length - 1]!);
        const parsed = parseRunFile(readFileSync(file, "utf8"));
        lastSeen = `${fresh.join(", ")} with ${parsed.samples.length} sample(s), ${parsed.failures.length} failure(s), end ${parsed.end ? "written" : "not yet"}`;
        return parsed.samples.length >= 3 && parsed.end ? { file, parsed } : undefined;
      },
      30_000,
      () => `${lastSeen}${settled ? `; ${settled}` : ""}`,
    );

    const { header, samples, failures } = run.parsed;
    assert.equal(samples.length, 3, "hotmess.n = 3 reruns");
    assert.equal(failures.length, 0);
    assert.equal(header.parameters.n, 3);
    assert.equal(header.provider, "simulated");
    assert.equal(header.prompt.trim(), bench.prompt.trim());
    assert.ok(header.benchmark, "an optimizer-emulation prompt is recorded as a benchmark run");
  });

  test("the language client starts with a prompt file and the server provides code lenses", async () => {
    const file = join(folder.uri.fsPath, "prompts", "integration.prompt");
    mkdirSync(join(folder.uri.fsPath, "prompts"), { recursive: true });
    writeFileSync(file, "---\nid: integration-probe\n---\nWhat is 17 times 3? Answer with a number.\n===\nName a prime number between 20 and 30.\n");
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, "hotmess-prompt");
    await vscode.window.showTextDocument(doc);

    let titles: string[] = [];
    const lensTitles = async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 10)) ?? [];
      titles = lenses.map((l) => l.command?.title ?? "(unresolved)");
      return titles;
    };
    const reruns = await poll("code lenses titled ▶ Rerun on both prompts", async () => {
      const r = (await lensTitles()).filter((t) => t.startsWith("▶ Rerun"));
      return r.length >= 2 ? r : undefined;
    }, 60_000, () => JSON.stringify(titles));
    assert.equal(reruns.length, 2);

    // The server asks the client for the "hotmess" settings (workspace/configuration): the lens
    // says the workspace's hotmess.n.
    await poll("the lenses to say ×3 (hotmess.n of the workspace)", async () => ((await lensTitles()).filter((t) => t.startsWith("▶ Rerun ×3")).length === 2 ? true : undefined), 30_000, () => JSON.stringify(titles));
  });

  test("in an untrusted workspace rerunning is refused (not testable here: the runners disable workspace trust; see test/e2e/trust.e2e.ts)");
});
