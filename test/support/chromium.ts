// The view in a real Chromium, for the view tests of a file: registers the hooks that launch and
// close the browser, and opens an analysis as the self-contained report (the view's own bundle),
// optionally under a stand-in VS Code API that records what the view posts (window.__posted).
// Skipped, with the reason, where Chromium or playwright-core is not set up.
import { after, before } from "node:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Analysis } from "../../src/core";
import { writeReportHtml } from "../../src/report/html";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "../e2e/harness";

export const CHROMIUM_SKIP: string | false = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;

export interface ViewPage {
  goto(url: string): Promise<unknown>;
  addInitScript(script: string): Promise<void>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  click(selector: string): Promise<void>;
  focus(selector: string): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  close(): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<ViewPage>;
  close(): Promise<void>;
}

const FAKE_VSCODE = `window.__posted = [];
window.acquireVsCodeApi = () => ({ getState: () => undefined, setState: () => {}, postMessage: (m) => window.__posted.push(m) });`;

export function viewBrowser(prefix: string): { open(a: Analysis, name: string, o?: { vscode?: boolean; width?: number; height?: number; ready?: string }): Promise<ViewPage> } {
  let browser: Browser | null = null;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  before(async () => {
    if (CHROMIUM_SKIP) return;
    browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
  });
  after(async () => {
    await browser?.close();
  });
  return {
    async open(a, name, o = {}) {
      const file = join(dir, `${name}.html`);
      writeReportHtml(file, a);
      const page = await browser!.newPage({ viewport: { width: o.width ?? 1280, height: o.height ?? 800 } });
      if (o.vscode) await page.addInitScript(FAKE_VSCODE);
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(`document.body.dataset.rendered === '1'${o.ready ? ` && (${o.ready})` : ""}`, undefined, { timeout: 30_000 });
      return page;
    },
  };
}
