// Prompt files in a real VS Code (code-server): the grammar colours them, the language server
// puts a code lens above each prompt, runs one with the lens, then shows its incoherence in the
// lens, an inlay hint and a hover, marks a front-matter error, and says "stale" once the prompt
// is edited. Screenshots go to out/e2e/.
//
//   node --import tsx test/e2e/prompts.e2e.ts [--keep]
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Analysis } from "../../src/core";
import { benchmarkPrompts } from "../../src/sampling/benchmark";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  openBrowser,
  openFile,
  screenshot,
  startCodeServer,
  unexpectedConsoleErrors,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  type Page,
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);

async function lensTexts(page: Page): Promise<string[]> {
  const items = page.locator(".part.editor .editor-group-container.active .codelens-decoration");
  const out: string[] = [];
  for (const it of await items.all()) out.push((await it.innerText().catch(() => "")).replace(/\s+/g, " ").trim());
  return out.filter(Boolean);
}

void runE2E("prompts", { list, limitMinutes: 8 }, async (t) => {
  const { extensionsDir, userDataDir } = installExtension(t);

  const workspace = join(t.tmp, "workspace");
  mkdirSync(workspace, { recursive: true });
  const [bp] = benchmarkPrompts(["easy"], 1);
  const file = ["---", "n: 6", "id: easy-optimizer", `reference: "${bp!.reference}"`, "---", "user:", bp!.prompt, "", "===", "---", "n: zero", "provider: gemini", "---", "What is {{question}}?", ""].join("\n");
  writeFileSync(join(workspace, "optimizer.prompt"), file);

  const server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "light", settings: { "hotmess.provider": "simulated", "editor.inlayHints.enabled": "on", "editor.codeLens": true } }));
  const session = (t.session = await openBrowser(server.url, { goto: false }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(page);
  await openFile(page, "optimizer.prompt");

  // the language: the status bar's language mode says so, and the grammar colours role and variable tokens
  const mode = await waitUntil("the language mode Hot Mess Prompt", async () => {
    const t = (await page.locator(".statusbar-item[id='status.editor.mode']").innerText().catch(() => "")).trim();
    return /Hot Mess Prompt/.test(t) ? t : undefined;
  }, { page, timeoutMs: 20_000 });
  ok(`the file opens as "${mode}"`);

  // code lenses from the language server, before any run
  const before = await waitUntil("code lenses above both prompts", async () => {
    const l = await lensTexts(page);
    return l.filter((t) => t.includes("Rerun")).length >= 2 ? l : undefined;
  }, { page, timeoutMs: 30_000 });
  assert(before.some((t) => t.includes("Rerun ×6")), `the first prompt's lens says ×6 (its front matter): ${before.join(" / ")}`);
  ok(`lenses: ${before.join(" / ")}`);

  // diagnostics: the second prompt's front matter
  const problems = await waitUntil("the front-matter errors in the status bar's problem count", async () => {
    const t = (await page.locator(".statusbar-item[id='status.problems']").innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    const m = /(\d+)\s*\D+\s*(\d+)/.exec(t);
    return m && Number(m[1]) >= 2 ? t : undefined;
  }, { page, timeoutMs: 20_000 });
  ok(`front-matter errors are reported (problems: ${problems})`);

  // run the first prompt from its lens
  await page.locator(".codelens-decoration a", { hasText: /Rerun ×6/ }).first().click();
  const frame = await webviewFrame(page, "Hot Mess", { timeoutMs: 60_000 });
  await waitUntil("the run to finish", async () => {
    const s = (await frame.locator(".host-status").first().innerText().catch(() => "")).trim();
    return /^Done/.test(s) ? s : undefined;
  }, { page, timeoutMs: 60_000 });
  const runDir = join(workspace, ".hotmess", "runs");
  const runFile = join(runDir, readdirSync(runDir).find((f) => f.endsWith(".jsonl"))!);
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "analyze", runFile, "--json", "-"], { encoding: "utf8" });
  const analysis = JSON.parse(cli.stdout) as Analysis;
  const inc = analysis.prompts[0]!.brier!.estimate!.toFixed(2);
  assert(analysis.prompts[0]!.n === 6, "the run has the front matter's 6 samples");
  ok(`the lens ran the prompt: ${runFile} (n = 6, incoherence ${inc})`);

  // back in the editor: the lens, the inlay hint and the hover show the run
  await openFile(page, "optimizer.prompt");
  const after = await waitUntil("the lens to show the run's incoherence", async () => {
    const l = await lensTexts(page);
    return l.some((t) => t.includes(`incoherence ${inc}`)) ? l : undefined;
  }, { page, timeoutMs: 30_000 });
  ok(`lens after the run: ${after.find((t) => t.includes("incoherence"))}`);
  const hint = await waitUntil("an inlay hint with the incoherence", async () => {
    const t = await page.locator(".part.editor .editor-group-container.active .monaco-editor [class*='dyn-rule'], .part.editor .editor-group-container.active .monaco-editor .inlay-hint, .part.editor .editor-group-container.active .monaco-editor [class*='inlay']").allInnerTexts().catch(() => [] as string[]);
    const found = t.map((x) => x.trim()).find((x) => x.includes(inc));
    return found;
  }, { page, timeoutMs: 20_000 }).catch(() => null);
  if (hint) ok(`inlay hint: ${hint}`);
  else console.log("e2e: note: the inlay hint text is drawn by a CSS rule the page does not expose; checked by the language-server tests instead");
  // hover the prompt's first line
  // (the server answers hovers on a prompt's front matter, first and last lines)
  const idLine = page.locator(".part.editor .editor-group-container.active .view-line", { hasText: "id: easy-optimizer" }).first();
  // over the text, not the empty end of the line
  await (idLine as unknown as { hover(o: { position: { x: number; y: number } }): Promise<void> }).hover({ position: { x: 30, y: 8 } });
  const hover = await waitUntil("the hover with the decomposition", async () => {
    const t = (await page.locator(".monaco-hover:not(.hidden)").innerText().catch(() => "")).replace(/\s+/g, " ");
    return /bias²/.test(t) && /variance/.test(t) ? t : undefined;
  }, { page, timeoutMs: 20_000 });
  const inc3 = analysis.prompts[0]!.brier!.estimate!.toFixed(3);
  assert(hover.includes(inc) || hover.includes(inc3), `the hover has the incoherence ${inc3}`);
  ok(`hover: ${hover.slice(0, 140)}…`);
  await screenshot(page, join(ARTIFACTS_DIR, "prompt-file.png"));
  await page.mouse.move(5, 5);

  // edit the prompt: the figures become stale
  const errors = unexpectedConsoleErrors(session);
  assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
  await page.locator(".part.editor .editor-group-container.active .view-line", { hasText: "Emulate an optimizer" }).first().click();
  await page.keyboard.press("End");
  await page.keyboard.type(" Please be careful.");
  const stale = await waitUntil("the lens to say stale", async () => {
    const l = await lensTexts(page);
    return l.find((t) => /stale/i.test(t));
  }, { page, timeoutMs: 20_000 });
  ok(`after an edit of the prompt: ${stale}`);
  await screenshot(page, join(ARTIFACTS_DIR, "prompt-file-stale.png"));
});
