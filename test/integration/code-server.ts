// Runs the integration suite (out/integration/, bundled by scripts/test-integration.mjs) inside
// code-server's extension host: `node scripts/test-integration.mjs --code-server`.
//
// code-server's own command line refuses --extensionDevelopmentPath and --extensionTestsPath
// ("Unknown option"), but VS Code's web workbench takes both from its URL: the `payload` query
// parameter (what "Developer: Open Extension Development Host" uses in a browser) holds
// [["extensionDevelopmentPath", URI], ["extensionTestsPath", URI]]. With vscode-remote:// URIs the
// workbench asks the server's extension host to load the extension from the repository and to run
// the test module's `run()`; when it settles, the workbench stops the extension host and calls
// `window.codeAutomationExit(code)` if the page defines it (as @vscode/test-web does). So: start
// code-server (test/e2e/harness.ts), open that URL in headless Chromium with codeAutomationExit
// exposed, and wait for it. The suite also writes its results to HOTMESS_IT_REPORT (the server's
// environment reaches the extension host), and Mocha's own output is in the extension host's log.
//
//   --keep     keep the temp workspace, user data and logs
//   --echo     echo code-server's output as it comes
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { ensureSetup, openBrowser, REPO_ROOT, startCodeServer, unexpectedConsoleErrors, type BrowserSession, type CodeServer } from "../e2e/harness";

const keep = process.argv.includes("--keep");
const echo = process.argv.includes("--echo");
const TIMEOUT_MS = Number(process.env.HOTMESS_IT_TIMEOUT_MS ?? 300_000);

interface Report {
  passes: number;
  failures: number;
  pending: number;
  tests: { title: string; state: string; error?: string }[];
  /** What Mocha's spec reporter printed. */
  output?: string;
}

async function main(): Promise<number> {
  const index = join(REPO_ROOT, "out", "integration", "index.js");
  if (!existsSync(index)) {
    console.error(`code-server: ${index} is missing: run node scripts/test-integration.mjs --code-server`);
    return 1;
  }
  ensureSetup({ quiet: true });
  const root = mkdtempSync(join(tmpdir(), "hotmess-it-cs-"));
  const workspace = join(root, "workspace");
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, "README.md"), "The workspace of the Hot Mess Inspector integration tests (code-server).\n");
  const report = join(root, "report.json");

  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let status = 1;
  try {
    server = await startCodeServer({
      extensionsDir: join(root, "extensions"),
      userDataDir: join(root, "user-data"),
      workspace,
      env: { HOTMESS_IT_REPORT: report },
      echo,
    });
    const authority = `127.0.0.1:${server.port}`;
    const remote = (path: string) => `vscode-remote://${authority}${path}`;
    const payload = [
      ["extensionDevelopmentPath", remote(REPO_ROOT)],
      ["extensionTestsPath", remote(index)],
    ];
    const url = `${server.folderUrl(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    console.log(`code-server: ${server.url.replace(/\?.*/, "")} (VS Code server ${authority}); opening the workbench with the extension under development and the test runner`);

    session = await openBrowser(url, { goto: false });
    let exitCode: number | undefined;
    const page = session.page as unknown as {
      exposeFunction(name: string, fn: (...args: unknown[]) => unknown): Promise<void>;
      goto(url: string, opts: { waitUntil: string; timeout: number }): Promise<unknown>;
    };
    await page.exposeFunction("codeAutomationExit", (code: unknown) => {
      exitCode = typeof code === "number" ? code : 1;
    });
    // The workbench's log (in an extension test run it also carries the extension host's console,
    // Mocha's output among it), for the diagnostics of a failed run.
    const workbenchLog: string[] = [];
    await page.exposeFunction("codeAutomationLog", (level: unknown, message: unknown) => {
      workbenchLog.push(`[${String(level)}] ${Array.isArray(message) ? format(...(message as [unknown, ...unknown[]])) : String(message)}`);
    });
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });

    const deadline = Date.now() + TIMEOUT_MS;
    while (exitCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (exitCode === undefined) {
      console.log(`code-server: the workbench did not report the end of the tests within ${TIMEOUT_MS / 1000} s`);
    } else console.log(`code-server: the extension host ran the tests and exited with code ${exitCode}`);

    writeFileSync(join(root, "workbench.log"), workbenchLog.join("\n") + "\n");
    let r: Report | null = null;
    if (existsSync(report)) {
      r = JSON.parse(readFileSync(report, "utf8")) as Report;
      if (r.output) console.log(r.output);
      for (const t of r.tests.filter((x) => x.state === "failed")) console.log(`FAILED ${t.title}: ${(t.error ?? "").split("\n")[0]}`);
      console.log(`integration (code-server): ${r.passes} passed, ${r.failures} failed, ${r.pending} skipped`);
    } else {
      console.log("code-server: the suite wrote no report; the extension host log says:");
      for (const l of server.vscodeLogs()) console.log(`---- ${l.file} ----\n${l.text.split("\n").slice(-60).join("\n")}`);
    }
    status = exitCode === 0 && r !== null && r.failures === 0 ? 0 : 1;
    if (status !== 0) {
      console.log(`---- the workbench's log (last 40 lines) ----\n${workbenchLog.slice(-40).join("\n")}`);
      const errors = unexpectedConsoleErrors(session);
      if (errors.length) console.log(`---- browser console errors ----\n${errors.slice(-30).join("\n")}`);
    }
  } catch (e) {
    console.error(`code-server: ${e instanceof Error ? e.message : String(e)}`);
    status = 1;
  } finally {
    await session?.close();
    await server?.stop();
    if (keep) console.log(`code-server: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  return status;
}

main().then((code) => process.exit(code));
