// Proves the e2e harness on a real VS Code (code-server) in headless Chromium, without the Hot Mess
// extension: a temp workspace with hello.md, a built-in command, and a throwaway extension (made,
// packaged with vsce and installed here) whose webview, notification and status bar item are read
// back through the harness. Not part of `npm test`.
//
//   node --import tsx test/e2e/smoke.e2e.ts [--keep]     (--keep: leave the temp folders)
//
// Writes out/e2e/smoke.png (the workbench with hello.md) and out/e2e/smoke-webview.png.
// Exit status 0 when every check passed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ARTIFACTS_DIR,
  editorText,
  ensureSetup,
  unexpectedConsoleErrors,
  waitForEditorText,
  waitForExtensionActivation,
  installVsix,
  notifications,
  openBrowser,
  openFile,
  packageVsix,
  runCommand,
  screenshot,
  selectAll,
  statusBarText,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  type BrowserSession,
  type CodeServer,
  startCodeServer,
} from "./harness";

const KEEP = process.argv.includes("--keep");
const OVERALL_MS = 8 * 60_000;
const t0 = Date.now();
const timings: Record<string, number> = {};
const mark = (name: string, since: number) => {
  timings[name] = Date.now() - since;
  console.log(`smoke: ${name}: ${timings[name]} ms`);
};

/** The throwaway extension: a command that opens a webview, which posts a message back. */
function writeProbeExtension(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "hm-e2e-probe",
        displayName: "HM E2E Probe",
        description: "A throwaway extension that proves the e2e harness.",
        version: "0.0.1",
        publisher: "hotmess-e2e",
        license: "MIT",
        engines: { vscode: "^1.90.0" },
        main: "./extension.js",
        activationEvents: ["onStartupFinished"],
        contributes: { commands: [{ command: "hmE2eProbe.openPanel", title: "Open Panel", category: "HM E2E Probe" }] },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "README.md"), "# HM E2E Probe\n\nA throwaway extension for the Hot Mess e2e smoke test.\n");
  writeFileSync(
    join(dir, "extension.js"),
    `const vscode = require("vscode");
exports.activate = function (context) {
  const item = vscode.window.createStatusBarItem("probe", vscode.StatusBarAlignment.Left, 1000);
  item.text = "$(beaker) probe ready";
  item.show();
  context.subscriptions.push(item);
  context.subscriptions.push(vscode.commands.registerCommand("hmE2eProbe.openPanel", () => {
    const panel = vscode.window.createWebviewPanel("hmE2eProbe", "Probe Panel", vscode.ViewColumn.Active, { enableScripts: true });
    panel.webview.onDidReceiveMessage((m) => {
      item.text = "$(beaker) probe got " + m.type;
      vscode.window.showInformationMessage("Probe webview says: " + m.type);
    });
    const nonce = String(Math.random()).slice(2);
    panel.webview.html = \`<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-\${nonce}';">
<title>probe document</title></head>
<body><h1 id="probe">Hello from the probe webview</h1><p id="count">1 + 1 = <span id="sum"></span></p>
<script nonce="\${nonce}">document.getElementById("sum").textContent = String(1 + 1);
acquireVsCodeApi().postMessage({ type: "ready" });</script></body></html>\`;
  }));
};
exports.deactivate = function () {};
`,
  );
}

async function main(): Promise<void> {
  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  const tmp = mkdtempSync(join(tmpdir(), "hm-e2e-smoke-"));
  const watchdog = setTimeout(() => {
    console.error(`smoke: FAILED: over the overall limit of ${OVERALL_MS} ms`);
    if (server) console.error(server.log().split("\n").slice(-100).join("\n"));
    process.exit(1); // the harness's exit hook kills code-server
  }, OVERALL_MS);
  watchdog.unref();
  try {
    let t = Date.now();
    ensureSetup();
    mark("setup (script, stamp check)", t);

    const workspace = join(tmp, "workspace");
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, "hello.md"), `# Hello\n\nThis is the smoke test's workspace. ${"A long line that word wrap will fold. ".repeat(12)}\n\nSecond paragraph.\n`);

    // The probe extension, packaged and installed as a real .vsix.
    t = Date.now();
    const extSrc = join(tmp, "probe-extension");
    writeProbeExtension(extSrc);
    const vsix = packageVsix(extSrc, join(tmp, "hm-e2e-probe.vsix"));
    const extensionsDir = join(tmp, "extensions");
    const userDataDir = join(tmp, "user-data");
    installVsix(vsix, extensionsDir, { userDataDir });
    mark("package + install the probe .vsix", t);

    t = Date.now();
    server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "light", settings: { "editor.wordWrap": "off" } });
    mark("code-server start (answers /healthz)", t);

    t = Date.now();
    session = await openBrowser(server.url, { goto: false });
    const { page } = session;
    mark("Chromium launch", t);
    t = Date.now();
    await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);
    mark("workbench ready (page load to workbench)", t);

    // A built-in command on a file.
    t = Date.now();
    await openFile(page, "hello.md");
    await waitForEditorText(page, "# Hello");
    // Markdown wraps by default ([markdown] editor.wordWrap is on): the long line shows as several
    // view lines. Toggling word wrap must change how many there are.
    const viewLines = () => page.locator(".part.editor .editor-group-container.active .monaco-editor .view-lines .view-line").count();
    const before = await viewLines();
    await runCommand(page, "View: Toggle Word Wrap");
    const after = await waitUntil("word wrap to change the number of view lines", async () => {
      const n = await viewLines();
      return n !== before ? n : undefined;
    }, { page, timeoutMs: 10_000 });
    console.log(`smoke: view lines of hello.md: ${before} before "View: Toggle Word Wrap", ${after} after`);
    await runCommand(page, "View: Toggle Word Wrap"); // back, so the screenshot shows the wrapped text
    await waitUntil("word wrap to come back", async () => (await viewLines()) === before, { page, timeoutMs: 10_000 });
    console.log(`smoke: editor text: ${JSON.stringify((await editorText(page)).slice(0, 80))}…`);
    await selectAll(page);
    const selection = await waitUntil("the status bar to count the selection", async () => {
      const s = await statusBarText(page, "status.editor.selection");
      return s && /selected/.test(s) ? s : undefined;
    }, { page, timeoutMs: 10_000 });
    console.log(`smoke: selection status: ${selection}`);
    const shot = await screenshot(page, join(ARTIFACTS_DIR, "smoke.png"));
    mark("open hello.md, toggle word wrap, select all, screenshot", t);

    // The probe extension: status bar item, command, webview (two iframes deep), message back.
    t = Date.now();
    await waitForExtensionActivation(server, "hotmess-e2e.hm-e2e-probe", { page });
    const probeItem = await waitUntil("the probe's status bar item", async () => statusBarText(page, "hotmess-e2e.hm-e2e-probe.probe"), { page, timeoutMs: 30_000 });
    console.log(`smoke: probe status bar item: ${probeItem}`);
    await runCommand(page, "HM E2E Probe: Open Panel");
    const frame = await webviewFrame(page, "Probe Panel");
    const heading = await frame.locator("#probe").innerText({ timeout: 10_000 });
    const sum = await frame.locator("#sum").innerText({ timeout: 10_000 });
    if (heading !== "Hello from the probe webview" || sum !== "2") throw new Error(`the webview shows ${JSON.stringify({ heading, sum })}`);
    console.log(`smoke: webview text: ${JSON.stringify(heading)}, 1 + 1 = ${sum}`);
    const note = await waitForNotification(page, "Probe webview says: ready");
    console.log(`smoke: notification: ${note}  (all: ${JSON.stringify(await notifications(page))})`);
    await waitUntil("the status bar item to show the message", async () => (await statusBarText(page, "hotmess-e2e.hm-e2e-probe.probe"))?.includes("probe got ready"), { page, timeoutMs: 10_000 });
    const shot2 = await screenshot(page, join(ARTIFACTS_DIR, "smoke-webview.png"));

    // A wait that fails must fail loudly: what it waited for, the server log, the console errors.
    const loud = await webviewFrame(page, "No Such Panel", { timeoutMs: 1_500 }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (!loud || !/No Such Panel/.test(loud) || !/code-server :\d+ output/.test(loud) || !/browser console errors/.test(loud) || !/webviews on the page: .*Probe Panel/.test(loud)) {
      throw new Error(`a failed wait did not fail loudly: ${loud?.slice(0, 2000)}`);
    }
    console.log(`smoke: a failed wait reports: ${loud.split("\n")[0]} (+${loud.split("\n").length - 1} lines of diagnostics)`);
    const failShot = /screenshot of the page: (\S+\.png)/.exec(loud)?.[1];
    if (!failShot || !existsSync(failShot)) throw new Error("the failed wait left no screenshot");
    rmSync(failShot); // an expected failure: not an artifact to look at
    mark("probe extension: command, webview, message, notification", t);

    if (session.foreignRequests.length) throw new Error(`the page asked for hosts other than 127.0.0.1:\n${session.foreignRequests.join("\n")}`);
    console.log(`smoke: console errors seen: ${session.consoleErrors.length}, unexpected: ${unexpectedConsoleErrors(session).length}`);
    if (unexpectedConsoleErrors(session).length) throw new Error(`unexpected console errors:\n${unexpectedConsoleErrors(session).join("\n")}`);
    console.log(`smoke: screenshots: ${shot}, ${shot2}`);
  } finally {
    const t = Date.now();
    await session?.close();
    await server?.stop();
    mark("stop browser + code-server", t);
    if (!KEEP) rmSync(tmp, { recursive: true, force: true });
    else console.log(`smoke: kept ${tmp}`);
  }
  console.log(`smoke: OK in ${Date.now() - t0} ms`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`smoke: FAILED\n${e.stack ?? e.message}`);
    process.exit(1);
  },
);
