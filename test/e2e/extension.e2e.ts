// The extension in a real VS Code (code-server 4.100.3 in headless Chromium), as a user would
// use it: rerun any prompt without a key (the simulated reasoner answers it and says so); open a
// prompt, select it, Rerun Selection N Times on the simulated reasoner, watch the
// comparison view fill, check it shows N runs, a heatmap and the same headline incoherence (the estimate) that
// `hotmess analyze` computes for the run file, click a heatmap cell and see the traces follow,
// export each format from the view, see the status bar, reload the window and see the panel
// restored, and look at the view in the dark theme. Screenshots of each stage go to out/e2e/.
//
//   node --import tsx test/e2e/extension.e2e.ts [--keep]
//
// It packages the extension itself (npm run package) and installs the .vsix into a fresh
// extensions folder. Exit status 0 when every check passed; on a failure it prints what it was
// waiting for, the server log and the browser console.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Analysis } from "../../src/core";
import { benchmarkPrompts } from "../../src/sampling/benchmark";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  openBrowser,
  openFile,
  quickInputItems,
  runCommand,
  screenshot,
  selectAll,
  startCodeServer,
  statusBarText,
  unexpectedConsoleErrors,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  fillFileDialog,
  viewText,
} from "./harness";

const N = 8;
const list = new Checklist();
const ok = (what: string) => list.ok(what);

void runE2E("extension", { list, limitMinutes: 10 }, async (t) => {
  const { vsix, extensionsDir, userDataDir } = installExtension(t, { repackage: true });
  ok(`installed ${vsix}`);

  const workspace = join(t.tmp, "workspace");
  mkdirSync(workspace, { recursive: true });
  const [bp] = benchmarkPrompts(["easy"], 1);
  writeFileSync(join(workspace, "optimizer-prompt.txt"), bp!.prompt + "\n");
  writeFileSync(join(workspace, "notes.md"), "# Prompts\n\nWhat is the capital of France?\n");
  const exportsDir = join(t.tmp, "exports");
  mkdirSync(exportsDir, { recursive: true });

  let server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "light", settings: { "hotmess.n": N, "hotmess.provider": "simulated", "hotmess.concurrency": 4 } }));
  let session = (t.session = await openBrowser(server.url, { goto: false }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(page);
  ok("the workbench is up");

  // ---- any prompt, without a key: the simulated reasoner answers it, and says so on screen
  await openFile(page, "notes.md");
  await selectAll(page);
  await runCommand(page, "Hot Mess: Rerun Selection N Times");
  const notes = await webviewFrame(page, "Hot Mess: # Prompts", { timeoutMs: 60_000 });
  await waitUntil("the simulated run to finish in the view", async () => (/^Done/.test(await viewText(notes, ".host-status")) ? true : undefined), { page, timeoutMs: 60_000 });
  const badge = await viewText(notes, ".tag.sim");
  assert(badge === "Simulated — no model was called", `the view says the runs are simulated: "${badge}"`);
  const notesTraces = await viewText(notes, "table.traces");
  assert(/Simulated reasoner: no model was called/.test(notesTraces), "every trace says it is simulated");
  ok(`a prompt that is not a benchmark is answered by the simulated reasoner, badge "${badge}"`);
  await screenshot(page, join(ARTIFACTS_DIR, "extension-simulated.png"));
  await runCommand(page, "View: Close All Editors");

  // ---- rerun the benchmark prompt
  await openFile(page, "optimizer-prompt.txt");
  await selectAll(page);
  const t0 = Date.now();
  await runCommand(page, "Hot Mess: Rerun Selection N Times");
  const frame = await webviewFrame(page, "Hot Mess", { timeoutMs: 60_000 });
  await waitUntil("the view to render a document", async () => ((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
  await waitUntil("the run to finish in the view", async () => {
    const s = await viewText(frame, ".host-status");
    return /^Done/.test(s) ? s : undefined;
  }, { page, timeoutMs: 60_000 });
  ok(`the comparison view filled with the run in ${Date.now() - t0} ms`);
  await screenshot(page, join(ARTIFACTS_DIR, "extension-light.png"));

  // ---- the view shows N runs, a heatmap, and the figures hotmess analyze computes
  const runDir = join(workspace, ".hotmess", "runs");
  // the optimizer prompt's run (the notes' run is the other file)
  const runFiles = readdirSync(runDir).filter((f) => f.endsWith(".jsonl") && readFileSync(join(runDir, f), "utf8").split("\n")[0]!.includes('"benchmark"'));
  assert(runFiles.length === 1, `one run file of the optimizer prompt in ${runDir} (${runFiles.join(", ")})`);
  const runFile = join(runDir, runFiles[0]!);
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "analyze", runFile, "--json", "-"], { encoding: "utf8" });
  assert(cli.status === 0, `hotmess analyze read the run file: ${cli.stderr}`);
  const analysis = JSON.parse(cli.stdout) as Analysis;
  const p = analysis.prompts[0]!;
  assert(p.n === N, `the run has ${N} samples (${p.n})`);
  const facts = await viewText(frame, ".prompt-head > .facts");
  assert(new RegExp(`\\bn\\s*${N}\\b`).test(facts), `the view says n ${N}: "${facts}"`);
  const kpi = await viewText(frame, ".prompt-head > .head-grid .kpi-value");
  const expected = p.brier!.estimate!.toFixed(3);
  assert(kpi.includes(expected), `the view's incoherence "${kpi}" is hotmess analyze's ${expected}`);
  ok(`the view shows n = ${N} and incoherence ${expected}, as hotmess analyze computes for ${runFiles[0]}`);
  const canvases = await frame.locator(".heatmap canvas").count();
  assert(canvases === 1, "a heatmap");
  const traceRows = await frame.locator("table.traces tbody tr").count();
  assert(traceRows === p.columns.length, `the traces have one row per aligned column (${traceRows} = ${p.columns.length})`);
  const traceCols = await frame.locator("table.traces thead th").count();
  assert(traceCols === N + 1, `one column per run (${traceCols - 1})`);
  ok(`a heatmap, and traces of ${N} runs × ${p.columns.length} aligned steps`);
  assert(await frame.locator(".optimizer canvas, .opt canvas, canvas").count(), "charts");

  // ---- click a heatmap cell: the traces follow
  const scrolledBefore = (await frame.evaluate("document.querySelector('.traces-scroll').scrollTop")) as number;
  const box = await (frame.locator(".heatmap canvas").first() as unknown as { boundingBox(): Promise<{ width: number; height: number } | null> }).boundingBox();
  assert(box, "the heatmap has a size");
  await frame.locator(".heatmap canvas").first().click({ position: { x: Math.round(box.width * 0.75), y: Math.round(box.height * 0.5) } });
  const selected = await waitUntil("a trace row to be selected", async () => {
    const col = await frame.locator("table.traces tr.sel").first().getAttribute("data-col").catch(() => null);
    return col ?? undefined;
  }, { page, timeoutMs: 10_000 });
  // the traces scroll to the selected step: the row ends up where the user sees it, inside both
  // the traces' own scroller and the view's window
  let where = "";
  const view = await waitUntil("the selected step to be scrolled into view", async () => {
    const v = (await frame.evaluate(`(() => {
      const sc = document.querySelector('.traces-scroll');
      const tr = document.querySelector('table.traces tr.sel');
      if (!sc || !tr) return null;
      const a = sc.getBoundingClientRect(), b = tr.getBoundingClientRect();
      const top = Math.max(a.top, 0), bottom = Math.min(a.bottom, window.innerHeight);
      // the clicked run's cell, sideways: right of the sticky first column, left of the edge
      const td = tr.querySelector('td.sel'), corner = document.querySelector('table.traces th.corner');
      const c = td && td.getBoundingClientRect(), left = corner ? corner.getBoundingClientRect().right : a.left;
      const sideways = !!c && c.left >= left - 1 && c.right <= a.left + sc.clientWidth + 1;
      return { scrollTop: sc.scrollTop, rowTop: Math.round(b.top), rowBottom: Math.round(b.bottom), top: Math.round(top), bottom: Math.round(bottom), cellLeft: c ? Math.round(c.left) : null, firstColumnRight: Math.round(left), visible: b.top >= top - 1 && b.top + 16 <= bottom && sideways };
    })()`)) as { scrollTop: number; rowTop: number; rowBottom: number; top: number; bottom: number; cellLeft: number | null; firstColumnRight: number; visible: boolean } | null;
    where = JSON.stringify(v);
    return v && v.visible ? v : undefined;
  }, { page, timeoutMs: 10_000 }).catch((e: Error) => {
    e.message += `\nthe selected row and the visible part of the traces: ${where}`;
    throw e;
  });
  assert(view.scrollTop > scrolledBefore, `the traces scrolled (scrollTop ${scrolledBefore} → ${view.scrollTop})`);
  ok(`clicking the heatmap selects aligned column ${selected} in the traces, scrolled into view (scrollTop ${scrolledBefore} → ${view.scrollTop}px; the row at y ${view.rowTop}–${view.rowBottom} of the visible ${view.top}–${view.bottom}, the run's cell at x ${view.cellLeft}, clear of the first column ending at ${view.firstColumnRight})`);
  await screenshot(page, join(ARTIFACTS_DIR, "extension-clicked.png"));

  // ---- the status bar
  const status = await statusBarText(page);
  assert(/incoherence \d\.\d\d.*\(simulated\)/.test(status ?? ""), `the status bar shows the incoherence, marked simulated: "${status}"`);
  ok(`status bar: ${status?.split(" | ").find((s) => s.includes("incoherence"))}`);

  // ---- export each format from the view
  for (const [label, ext] of [
    ["JSON", "json"],
    ["CSV", "csv"],
    ["Markdown", "md"],
    ["HTML", "html"],
  ] as const) {
    const target = join(exportsDir, `comparison.${ext}`);
    await frame.locator("button.host-button", { hasText: label }).first().click();
    await fillFileDialog(page, target);
    await waitUntil(`the ${label} export to be written`, async () => (existsSync(target) ? true : undefined), { page, timeoutMs: 15_000 });
    const text = readFileSync(target, "utf8");
    if (ext === "json") assert((JSON.parse(text) as { schema: string; traces: unknown[] }).traces.length === 1, "the JSON export has the traces");
    // the step rows (then the pass^k rows, whose run column is empty)
    if (ext === "csv") assert(text.split("\r\n").slice(1).filter((row) => row !== "" && row.split(",")[1] !== "").length === N * p.columns.length, "one CSV row per run × aligned step");
    if (ext === "md") assert(text.includes(expected), "the Markdown export has the incoherence");
    if (ext === "html") assert(text.includes("Content-Security-Policy"), "the HTML export is the view");
    ok(`exported ${label}: ${target} (${text.length} bytes)`);
    await page.keyboard.press("Escape");
  }

  // ---- reload the window: the panel comes back with the same run
  await runCommand(page, "Developer: Reload Window");
  await waitForWorkbench(page);
  const restored = await webviewFrame(page, "Hot Mess", { timeoutMs: 60_000 });
  await waitUntil("the restored view to render", async () => ((await restored.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
  const kpi2 = await viewText(restored, ".kpi-value");
  assert(kpi2.includes(expected), `the restored view shows the same incoherence (${kpi2})`);
  ok("after a window reload the comparison panel is restored");

  // the refusal above is an error notification, which the workbench also logs to the console;
  // the reload logs a workbench lifecycle complaint of its own
  const errors = unexpectedConsoleErrors(session, [/Hot Mess: the simulated reasoner answers only/, /Long running operations during shutdown are unsupported in the web/]);
  assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
  ok("no console errors in the workbench or the view");
  await session.close();
  t.session = undefined;
  await server.stop();
  t.server = undefined;

  // ---- the dark theme: open the same run with Open Run…
  server = t.server = await startCodeServer({ extensionsDir, userDataDir: join(t.tmp, "user-data-dark"), workspace, theme: "dark", settings: { "hotmess.provider": "simulated" } });
  session = t.session = await openBrowser(server.url, { goto: false });
  await session.page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(session.page);
  await runCommand(session.page, "Hot Mess: Open Run…");
  const listed = await waitUntil("Open Run to list the run", async () => {
    const items = await quickInputItems(session.page).catch(() => [] as string[]);
    return items.some((i) => i.includes(".jsonl")) ? items : undefined;
  }, { page: session.page, timeoutMs: 20_000 });
  ok(`Open Run… lists the run store: ${listed[0]?.slice(0, 90)}…`);
  await session.page.keyboard.press("Enter"); // the newest run is first
  const dark = await webviewFrame(session.page, "Hot Mess", { timeoutMs: 60_000 });
  await waitUntil("the view to render in the dark theme", async () => ((await dark.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page: session.page, timeoutMs: 60_000 });
  const bg = (await dark.evaluate("getComputedStyle(document.body).backgroundColor")) as string;
  const rgb = (bg.match(/\d+/g) ?? []).map(Number);
  assert(rgb.length >= 3 && rgb[0]! + rgb[1]! + rgb[2]! < 200, `the view follows the dark theme (body ${bg})`);
  ok(`Open Run… shows the run in the dark theme (background ${bg})`);
  await screenshot(session.page, join(ARTIFACTS_DIR, "extension-dark.png"));

});
