// The Mocha runner that VS Code's extension host calls (`--extensionTestsPath`), as in the
// vscode-extension-samples helloworld-test-sample: it loads every *.test.js beside it (bundled by
// scripts/test-integration.mjs into out/integration/) and rejects when a test fails.
//
// Mocha itself is not bundled: it is required at run time from the repository's node_modules
// (mocha 11, CommonJS, Node ≥ 20.9: it loads in VS Code's Electron as well as in code-server).
//
// With HOTMESS_IT_REPORT=FILE in the extension host's environment, the results are also written
// to FILE as JSON ({ passes, failures, pending, tests: [{ title, state, error? }], output }, output
// being what the spec reporter printed): the code-server run reads them from there, since that
// extension host's console reaches the runner only mixed into the workbench's own log.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import Mocha from "mocha";

interface TestResult {
  title: string;
  state: "passed" | "failed" | "pending";
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 60_000, reporter: "spec" });
  const here = __dirname;
  for (const f of readdirSync(here).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(join(here, f));

  const report = process.env.HOTMESS_IT_REPORT;
  const results: TestResult[] = [];
  // A copy of what the reporter prints (it prints through Base.consoleLog), for the report.
  const output: string[] = [];
  const Base = Mocha.reporters.Base;
  const consoleLog = Base.consoleLog;
  Base.consoleLog = (...data: unknown[]) => {
    output.push(format(...data));
    consoleLog(...data);
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        Base.consoleLog = consoleLog;
        if (report) {
          const passes = results.filter((r) => r.state === "passed").length;
          const pending = results.filter((r) => r.state === "pending").length;
          writeFileSync(report, JSON.stringify({ passes, failures, pending, tests: results, output: output.join("\n") }, null, 2) + "\n");
        }
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
      runner.on("pass", (t) => results.push({ title: t.fullTitle(), state: "passed", ...(t.duration !== undefined ? { durationMs: t.duration } : {}) }));
      runner.on("fail", (t, err: Error) => results.push({ title: t.fullTitle(), state: "failed", error: err?.stack ?? String(err) }));
      runner.on("pending", (t) => results.push({ title: t.fullTitle(), state: "pending" }));
    } catch (e) {
      Base.consoleLog = consoleLog;
      if (report) writeFileSync(report, JSON.stringify({ passes: 0, failures: 1, pending: 0, tests: [{ title: "loading the suite", state: "failed", error: (e as Error).stack }] }, null, 2) + "\n");
      reject(e);
    }
  });
}
