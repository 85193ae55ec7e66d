// The end-to-end harness: a real VS Code (code-server, the VS Code server and workbench running
// on this machine's Node) driven by Playwright in Debian's headless Chromium.
//
//   import { startCodeServer, openBrowser, waitForWorkbench, runCommand } from "./harness";
//
// Everything it needs lives in a cache outside the repository, installed by
// scripts/setup-code-server.sh (`ensureSetup()` runs it). playwright-core is loaded from that
// cache at run time, so the project itself does not depend on it; the few Playwright types the
// harness uses are declared below (structurally compatible with the real ones).
//
// Every wait is bounded. When one fails, the error carries the code-server log, the browser's
// console errors and the path of a screenshot of the page at that moment. Nothing talks to any
// address but 127.0.0.1: the browser cannot resolve other host names, code-server runs without
// update checks, telemetry or an extension gallery.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir, homedir } from "node:os";
import { dirname, join, resolve, basename } from "node:path";

// ---------------------------------------------------------------------------------------------
// Where things are

export const CODE_SERVER_VERSION = "4.100.3";
export const CHROMIUM = process.env.HOTMESS_E2E_CHROMIUM ?? "/usr/bin/chromium";
export const REPO_ROOT = resolve(__dirname, "..", "..");
/** Screenshots of failed waits go here (and tests may put theirs here too). */
export const ARTIFACTS_DIR = resolve(process.env.HOTMESS_E2E_ARTIFACTS ?? join(REPO_ROOT, "out", "e2e"));

export function cacheDir(): string {
  return resolve(process.env.HOTMESS_E2E_CACHE ?? join(process.env.HOME ?? homedir(), ".cache", "hotmess-e2e"));
}
export function codeServerEntry(): string {
  return join(cacheDir(), "node_modules", "code-server", "out", "node", "entry.js");
}
export function vsceBin(): string {
  return join(cacheDir(), "node_modules", ".bin", "vsce");
}
export function isSetUp(): boolean {
  return existsSync(codeServerEntry()) && existsSync(join(cacheDir(), "node_modules", "playwright-core", "package.json")) && existsSync(vsceBin());
}

/**
 * Runs scripts/setup-code-server.sh (under a second when its stamp is there, about a minute on a
 * new machine); its progress goes to this process's stderr unless `quiet`. Throws on failure.
 */
export function ensureSetup(opts: { timeoutMs?: number; quiet?: boolean } = {}): void {
  const t0 = Date.now();
  const r = spawnSync("bash", [join(REPO_ROOT, "scripts", "setup-code-server.sh")], {
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", 2, 2],
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 45 * 60_000,
    env: { ...process.env, HOTMESS_E2E_CACHE: cacheDir() },
  });
  if (r.status !== 0) {
    const output = opts.quiet ? `\n${r.stdout}\n${r.stderr}` : " (its output is above)";
    throw new Error(`E2E: scripts/setup-code-server.sh failed (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}) after ${Date.now() - t0} ms${output}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The slice of Playwright's API the harness uses (structurally compatible with playwright-core's
// own types, which the repository does not install). Tests that need more can cast.

export interface Locator {
  click(options?: { timeout?: number; button?: "left" | "right" | "middle"; force?: boolean; position?: { x: number; y: number } }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  pressSequentially(text: string, options?: { delay?: number; timeout?: number }): Promise<void>;
  focus(options?: { timeout?: number }): Promise<void>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  inputValue(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  allTextContents(): Promise<string[]>;
  evaluateAll<R>(fn: string | ((elements: unknown[]) => R | Promise<R>), arg?: unknown): Promise<R>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  isVisible(): Promise<boolean>;
  count(): Promise<number>;
  all(): Promise<Locator[]>;
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  filter(options: { hasText?: string | RegExp; hasNotText?: string | RegExp; visible?: boolean }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
  waitFor(options?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<void>;
  evaluate<R, Arg = unknown>(fn: string | ((element: unknown, arg: Arg) => R | Promise<R>), arg?: Arg): Promise<R>;
  screenshot(options?: { path?: string; timeout?: number }): Promise<Buffer>;
  elementHandle(options?: { timeout?: number }): Promise<ElementHandle | null>;
}
export interface ElementHandle {
  contentFrame(): Promise<Frame | null>;
  getAttribute(name: string): Promise<string | null>;
  isVisible(): Promise<boolean>;
  dispose(): Promise<void>;
}
export interface Frame {
  url(): string;
  name(): string;
  isDetached(): boolean;
  parentFrame(): Frame | null;
  childFrames(): Frame[];
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
  evaluate<R, Arg = unknown>(fn: string | ((arg: Arg) => R | Promise<R>), arg?: Arg): Promise<R>;
  waitForFunction(fn: string, arg?: unknown, options?: { timeout?: number; polling?: number | "raf" }): Promise<unknown>;
  waitForSelector(selector: string, options?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<ElementHandle | null>;
  $(selector: string): Promise<ElementHandle | null>;
  content(): Promise<string>;
  title(): Promise<string>;
}
export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
  down(key: string): Promise<void>;
  up(key: string): Promise<void>;
}
export interface ConsoleMessage {
  type(): string;
  text(): string;
  location(): { url: string; lineNumber: number; columnNumber: number };
}
export interface Request {
  url(): string;
  method(): string;
}
export interface Page extends Frame {
  keyboard: Keyboard;
  mouse: { click(x: number, y: number, options?: { button?: "left" | "right" | "middle" }): Promise<void>; move(x: number, y: number, options?: { steps?: number }): Promise<void>; down(): Promise<void>; up(): Promise<void>; wheel(dx: number, dy: number): Promise<void> };
  goto(url: string, options?: { timeout?: number; waitUntil?: "load" | "domcontentloaded" | "networkidle" | "commit" }): Promise<unknown>;
  frames(): Frame[];
  mainFrame(): Frame;
  screenshot(options?: { path?: string; fullPage?: boolean; timeout?: number }): Promise<Buffer>;
  waitForTimeout(ms: number): Promise<void>;
  setDefaultTimeout(ms: number): void;
  isClosed(): boolean;
  close(): Promise<void>;
  on(event: "console", listener: (msg: ConsoleMessage) => void): Page;
  on(event: "pageerror", listener: (error: Error) => void): Page;
  on(event: "request", listener: (request: Request) => void): Page;
  on(event: "crash" | "close", listener: () => void): Page;
}
export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
  grantPermissions(permissions: string[], options?: { origin?: string }): Promise<void>;
}
export interface Browser {
  newContext(options?: Record<string, unknown>): Promise<BrowserContext>;
  close(): Promise<void>;
  version(): string;
  isConnected(): boolean;
}
interface PlaywrightCore {
  chromium: { launch(options: Record<string, unknown>): Promise<Browser> };
}

/** playwright-core from the e2e cache (or from PLAYWRIGHT_CORE, a path to its folder). */
export function loadPlaywright(): PlaywrightCore {
  const explicit = process.env.PLAYWRIGHT_CORE;
  if (explicit) return createRequire(join(resolve(explicit), "package.json"))(resolve(explicit)) as PlaywrightCore;
  const pkg = join(cacheDir(), "package.json");
  if (!existsSync(join(cacheDir(), "node_modules", "playwright-core"))) {
    throw new Error(`playwright-core is not in ${cacheDir()}: run scripts/setup-code-server.sh first`);
  }
  return createRequire(pkg)("playwright-core") as PlaywrightCore;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: what a failed wait reports

interface ServerState {
  port: number;
  lines: string[];
  proc: ChildProcess;
  userDataDir: string;
}
const servers = new Set<ServerState>();
const browsers = new Map<Page, { consoleErrors: string[]; foreignRequests: string[] }>();
let failureCount = 0;

function tail(lines: string[], n: number): string {
  return lines.slice(-n).join("\n");
}

/**
 * VS Code's own logs under the user data dir, newest session first: the server's (remoteagent.log)
 * and the extension host's (exthost1/remoteexthost.log: extension activation and its errors), and
 * each extension's output channels (exthost1/PUBLISHER.NAME/*.log).
 */
export function vscodeLogFiles(userDataDir: string, opts: { outputChannels?: boolean } = {}): string[] {
  const logs = join(userDataDir, "logs");
  if (!existsSync(logs)) return [];
  const sessions = readdirSync(logs).sort().reverse();
  const out: string[] = [];
  for (const s of sessions) {
    const dir = join(logs, s);
    for (const f of ["remoteagent.log", join("exthost1", "remoteexthost.log")]) if (existsSync(join(dir, f))) out.push(join(dir, f));
    if (opts.outputChannels && existsSync(join(dir, "exthost1"))) {
      for (const ext of readdirSync(join(dir, "exthost1"), { withFileTypes: true })) {
        if (!ext.isDirectory()) continue;
        for (const f of readdirSync(join(dir, "exthost1", ext.name))) if (f.endsWith(".log")) out.push(join(dir, "exthost1", ext.name, f));
      }
    }
    if (out.length) break; // the newest session that has logs
  }
  return out;
}

/** The server logs and browser console errors, for an error message. */
export function diagnostics(page?: Page): string {
  const parts: string[] = [];
  for (const s of servers) {
    parts.push(`---- code-server :${s.port} output (last 150 lines) ----\n${tail(s.lines, 150) || "(empty)"}`);
    for (const f of vscodeLogFiles(s.userDataDir)) {
      parts.push(`---- ${f} (last 40 lines) ----\n${tail(readFileSync(f, "utf8").trimEnd().split("\n"), 40)}`);
    }
  }
  const pages = page ? [page] : [...browsers.keys()];
  for (const p of pages) {
    const b = browsers.get(p);
    if (!b) continue;
    parts.push(`---- browser console errors (${b.consoleErrors.length}) ----\n${b.consoleErrors.slice(-60).join("\n") || "(none)"}`);
    if (b.foreignRequests.length) parts.push(`---- requests to hosts other than 127.0.0.1 (blocked) ----\n${b.foreignRequests.join("\n")}`);
  }
  return parts.join("\n");
}

async function failureScreenshot(page: Page | undefined, what: string): Promise<string> {
  if (!page || page.isClosed()) return "";
  const file = join(ARTIFACTS_DIR, `failure-${++failureCount}-${what.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60)}.png`);
  try {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await withTimeout(page.screenshot({ path: file, timeout: 10_000 }), 12_000, "failure screenshot");
    return `screenshot of the page: ${file}\n`;
  } catch (e) {
    return `(no screenshot: ${(e as Error).message.split("\n")[0]})\n`;
  }
}

/** An error that says what was being waited for, with the server log, console errors and a screenshot. */
export async function loudError(what: string, cause: unknown, page?: Page): Promise<Error> {
  const msg = cause instanceof Error ? cause.message : String(cause);
  const shot = await failureScreenshot(page, what);
  const err = new Error(`E2E: ${what} failed: ${msg}\n${shot}${diagnostics(page)}`);
  (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/** Runs `fn` with a time limit; on failure or time-out throws a loudError. */
export async function step<T>(what: string, fn: () => Promise<T>, opts: { timeoutMs?: number; page?: Page } = {}): Promise<T> {
  try {
    return await withTimeout(fn(), opts.timeoutMs ?? 60_000, what);
  } catch (e) {
    throw await loudError(what, e, opts.page);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (${what})`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Polls `probe` until it returns a value other than undefined/false; throws loudly after timeoutMs. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; page?: Page } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (true) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = `timed out after ${opts.timeoutMs ?? 30_000} ms${last ? ` (last error: ${(last as Error).message?.split("\n")[0]})` : ""}`;
      throw await loudError(what, new Error(why), opts.page);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// code-server

export interface CodeServerOptions {
  extensionsDir: string;
  userDataDir: string;
  /** A folder (or a .code-workspace file) to open. */
  workspace: string;
  /** More user settings, merged over the harness's defaults. */
  settings?: Record<string, unknown>;
  theme?: "light" | "dark";
  /** How long to wait for the server to answer (default 60 s). */
  timeoutMs?: number;
  /** Extra environment for the server (and so for the extension host). */
  env?: Record<string, string>;
  /** Extra command-line arguments, e.g. ["--enable-proposed-api", "id"]. */
  args?: string[];
  /** Echo the server's output to this process's stderr as it comes. */
  echo?: boolean;
  /**
   * Workspace trust: "disabled" (the default: every workspace is trusted, as test runners do) or
   * "untrusted" (trust is on and the workspace opens in Restricted Mode without asking, as when
   * a user answers "No, I don't trust the authors").
   */
  trust?: "disabled" | "untrusted";
}
export interface CodeServer {
  url: string;
  port: number;
  /** The URL that opens `folder` (default: the workspace given at start). */
  folderUrl(folder?: string): string;
  /** Stops the server and every process it started (its process group). Safe to call twice. */
  stop(): Promise<void>;
  /** Everything the server printed so far, stdout and stderr interleaved. */
  log(): string;
  /** VS Code's log files of this server (server, extension host, and with outputChannels each extension's channels). */
  vscodeLogs(opts?: { outputChannels?: boolean }): { file: string; text: string }[];
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
}

export const DEFAULT_SETTINGS: Record<string, unknown> = {
  "workbench.startupEditor": "none",
  // the e2e tests that rerun a selection type no N: classes.e2e.ts turns this on to test the input
  "hotmess.rerunSelection.ask": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.settings.enableNaturalLanguageSearch": false,
  "editor.accessibilitySupport": "off",
  "git.autofetch": false,
  "git.openRepositoryInParentFolders": "never",
  "npm.fetchOnlinePackageInfo": false,
  "typescript.disableAutomaticTypeAcquisition": true,
  "json.schemaDownload.enable": false,
  "remote.autoForwardPorts": false,
  "files.hotExit": "off",
  "window.confirmBeforeClose": "never",
};

/** A free TCP port on 127.0.0.1 (the OS picks it; the socket is closed before it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port ? resolvePort(port) : reject(new Error("no port"))));
    });
  });
}

/** The server's environment: no gallery, no update check, nothing to send anywhere. */
function serverEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("VSCODE_") || k === "ELECTRON_RUN_AS_NODE") delete env[k];
  return {
    ...env,
    // An empty gallery: the extensions view and the server never query a marketplace.
    EXTENSIONS_GALLERY: "{}",
    ...extra,
  };
}

function writeUserSettings(userDataDir: string, theme: "light" | "dark", settings: Record<string, unknown> = {}): string {
  const file = join(userDataDir, "User", "settings.json");
  mkdirSync(dirname(file), { recursive: true });
  const all = {
    "workbench.colorTheme": theme === "dark" ? "Default Dark Modern" : "Default Light Modern",
    ...DEFAULT_SETTINGS,
    ...settings,
  };
  writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  // code-server's window is a remote window: VS Code drops machine-scoped settings (such as
  // hotmess.anthropic.baseUrl) from the user settings once the extension declaring them is
  // registered, and reads them from the remote machine's settings instead. Which happens first
  // is a race (seen in 5 of 9 runs of failures.e2e.ts: the first run went to the real API). The
  // test's own settings are written there too, so they hold either way.
  const machine = join(userDataDir, "Machine", "settings.json");
  mkdirSync(dirname(machine), { recursive: true });
  writeFileSync(machine, JSON.stringify(settings, null, 2) + "\n");
  return file;
}

/** An empty code-server config file: otherwise it reads (and first writes) ~/.config/code-server/config.yaml. */
function emptyConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "code-server-config.yaml");
  writeFileSync(file, "");
  return file;
}

function assertSetUp(): void {
  if (!existsSync(codeServerEntry())) {
    throw new Error(`code-server is not installed in ${cacheDir()}: run scripts/setup-code-server.sh (or call ensureSetup())`);
  }
}

async function httpOk(url: string, timeoutMs: number): Promise<boolean> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const r = await fetch(url, { signal: ctl.signal, redirect: "manual" });
    await r.arrayBuffer().catch(() => undefined);
    return r.status >= 200 && r.status < 400;
  } catch {
    return false;
  } finally {
    clearTimeout(t);
  }
}

/** Signals code-server's whole process group (even when its leader is gone, the extension host may not be). */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid == null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    /* the group is gone */
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the test dies without stopping its servers, do not leave code-server running.
  process.on("exit", () => {
    for (const s of servers) killGroup(s.proc, "SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const s of servers) killGroup(s.proc, "SIGKILL");
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  }
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  assertSetUp();
  const started = Date.now();
  const workspace = resolve(opts.workspace);
  const extensionsDir = resolve(opts.extensionsDir);
  const userDataDir = resolve(opts.userDataDir);
  mkdirSync(extensionsDir, { recursive: true });
  const untrusted = opts.trust === "untrusted";
  const trustSettings = untrusted ? { "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.emptyWindow": false, "security.workspace.trust.banner": "always" } : {};
  writeUserSettings(userDataDir, opts.theme ?? "light", { ...trustSettings, ...opts.settings });
  const config = emptyConfig(userDataDir);
  installExitHook();

  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const args = [
      codeServerEntry(),
      "--config", config,
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--extensions-dir", extensionsDir,
      "--user-data-dir", userDataDir,
      ...(untrusted ? [] : ["--disable-workspace-trust"]),
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      ...(opts.args ?? []),
      workspace,
    ];
    const proc = spawn(process.execPath, args, {
      cwd: workspace.endsWith(".code-workspace") ? dirname(workspace) : workspace,
      env: serverEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so stop() ends the extension host and pty host too
    });
    const state: ServerState = { port, lines: [], proc, userDataDir };
    servers.add(state);
    const onData = (stream: string) => (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split(/\r?\n/)) {
        if (!line) continue;
        state.lines.push(`[${stream}] ${line}`);
        if (opts.echo) process.stderr.write(`[code-server:${port}] ${line}\n`);
      }
      if (state.lines.length > 20_000) state.lines.splice(0, state.lines.length - 20_000);
    };
    proc.stdout!.on("data", onData("out"));
    proc.stderr!.on("data", onData("err"));
    let exited: string | undefined;
    proc.on("exit", (code, signal) => {
      exited = `code-server exited (code ${code}, signal ${signal})`;
      state.lines.push(`[harness] ${exited}`);
    });
    proc.on("error", (e) => {
      exited = `could not start code-server: ${e.message}`;
      state.lines.push(`[harness] ${exited}`);
    });

    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let up = false;
    while (!exited && Date.now() < deadline) {
      if (await httpOk(`${url}healthz`, 2_000)) {
        up = true;
        break;
      }
      await sleep(150);
    }
    const stop = async () => {
      if (!servers.has(state)) return;
      killGroup(proc, "SIGTERM");
      const t = Date.now();
      while (proc.exitCode === null && proc.signalCode === null && Date.now() - t < 5_000) await sleep(100);
      killGroup(proc, "SIGKILL"); // anything left in the group (the extension host lingers on SIGTERM)
      servers.delete(state);
    };
    if (up) {
      state.lines.push(`[harness] serving on ${url} after ${Date.now() - started} ms`);
      const folderUrl = (folder = workspace) =>
        folder.endsWith(".code-workspace") ? `${url}?workspace=${encodeURIComponent(folder)}` : `${url}?folder=${encodeURIComponent(folder)}`;
      return {
        url: folderUrl(),
        port,
        folderUrl,
        stop,
        log: () => state.lines.join("\n"),
        vscodeLogs: (o) => vscodeLogFiles(userDataDir, o).map((file) => ({ file, text: readFileSync(file, "utf8") })),
        userDataDir,
        extensionsDir,
        workspace,
      };
    }
    const log = state.lines.join("\n");
    await stop();
    lastError = new Error(`${exited ?? `code-server did not answer on ${url}healthz within ${opts.timeoutMs ?? 60_000} ms`}\n---- code-server log ----\n${tail(log.split("\n"), 200)}`);
    // A port taken between freePort() and the bind is worth another try; anything else is not.
    if (!/EADDRINUSE/.test(log)) break;
  }
  throw new Error(`E2E: starting code-server failed: ${lastError?.message}`);
}

/**
 * Waits until the extension host log says extension `id` ("publisher.name") was activated, and
 * throws (with the log's error lines and stack) if it says the activation failed. Activation is
 * logged when it starts; a failure follows within the same tick for a synchronous throw, so
 * `graceMs` (default 300 ms) is waited after the start line before declaring success.
 */
export async function waitForExtensionActivation(server: CodeServer, id: string, opts: { timeoutMs?: number; graceMs?: number; page?: Page } = {}): Promise<string> {
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const started = new RegExp(`_doActivateExtension ${esc}\\b`);
  const failed = new RegExp(`Activating extension '?${esc}'? failed`);
  const exthostLog = () => server.vscodeLogs().find((l) => l.file.endsWith("remoteexthost.log"))?.text ?? "";
  const failure = (log: string) => {
    const lines = log.split("\n");
    const i = lines.findIndex((l) => failed.test(l));
    return i < 0 ? undefined : lines.slice(i, i + 15).join("\n");
  };
  await waitUntil(`the extension ${id} to activate`, () => started.test(exthostLog()) || failure(exthostLog()) !== undefined, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    page: opts.page,
  });
  await sleep(opts.graceMs ?? 300);
  const log = exthostLog();
  const f = failure(log);
  if (f) throw await loudError(`activating the extension ${id}`, new Error(`the extension host log says:\n${f}`), opts.page);
  return log;
}

/** Installs a .vsix into extensionsDir with code-server's CLI; throws with its output unless it says it succeeded. */
export function installVsix(vsixPath: string, extensionsDir: string, opts: { userDataDir?: string; timeoutMs?: number } = {}): string {
  assertSetUp();
  const vsix = resolve(vsixPath);
  if (!existsSync(vsix)) throw new Error(`E2E: installVsix: no such file ${vsix}`);
  mkdirSync(extensionsDir, { recursive: true });
  const userDataDir = opts.userDataDir ?? mkdtempSync(join(tmpdir(), "hm-e2e-install-"));
  const cleanup = () => {
    if (!opts.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  };
  const r = spawnSync(
    process.execPath,
    [codeServerEntry(), "--config", emptyConfig(userDataDir), "--user-data-dir", userDataDir, "--extensions-dir", resolve(extensionsDir), "--install-extension", vsix, "--force"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: opts.timeoutMs ?? 120_000, env: serverEnv() },
  );
  cleanup();
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error || r.status !== 0 || !/successfully installed/i.test(out) || /\bFailed\b|Error:/.test(out)) {
    throw new Error(`E2E: installVsix(${vsix}) failed (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}):\n${out}`);
  }
  return out;
}

/**
 * Packages an extension folder into a .vsix with the cached vsce (`vsce package --no-dependencies`).
 * Returns the .vsix path (without `outFile`, in a new temp folder that the caller removes). Runs
 * no install scripts; the folder's `vscode:prepublish`, if any, does run.
 */
export function packageVsix(extensionDir: string, outFile?: string, opts: { timeoutMs?: number } = {}): string {
  if (!existsSync(vsceBin())) throw new Error(`E2E: vsce is not in ${cacheDir()}: run scripts/setup-code-server.sh`);
  const out = resolve(outFile ?? join(mkdtempSync(join(tmpdir(), "hm-e2e-vsix-")), `${basename(extensionDir)}.vsix`));
  const r = spawnSync(vsceBin(), ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "--out", out], {
    cwd: extensionDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: opts.timeoutMs ?? 180_000,
  });
  if (r.error || r.status !== 0 || !existsSync(out)) {
    throw new Error(`E2E: vsce package in ${extensionDir} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The browser

export interface BrowserSession {
  page: Page;
  browser: Browser;
  context: BrowserContext;
  /** Console errors and uncaught page errors, as they come ("[console] …", "[pageerror] …"). */
  consoleErrors: string[];
  /** URLs of requests to any host but 127.0.0.1/localhost (the browser cannot resolve them). */
  foreignRequests: string[];
  close(): Promise<void>;
}

/**
 * Console errors code-server's workbench logs whatever the extension does: it asks for vsda
 * (Microsoft's closed-source handshake module, which code-server does not ship); on a loaded
 * machine, the built-in TypeScript extension's task provider times out ("Timed out getting
 * tasks from typescript"), and a window reloaded while it writes its own log finds its
 * IndexedDB closed (seen in CI runs while other test suites loaded both cores). None names
 * this extension, and each is the workbench's own.
 */
export const BENIGN_CONSOLE_ERRORS: RegExp[] = [
  /\/node_modules\/vsda\/rust\/web\/vsda(_bg\.wasm|\.js)\b/,
  /Timed out getting tasks from\s+typescript\b/,
  /Unable to write file 'vscode-log:\/[^']*\/window\.log' \(Error: IndexedDB database 'vscode-web-db' is closed\.\)/,
];

/** The console errors of a session less the benign ones above (and less any `allow` patterns). */
export function unexpectedConsoleErrors(session: Pick<BrowserSession, "consoleErrors">, allow: RegExp[] = []): string[] {
  return session.consoleErrors.filter((e) => ![...BENIGN_CONSOLE_ERRORS, ...allow].some((r) => r.test(e)));
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-default-apps",
  "--disable-sync",
  "--metrics-recording-only",
  "--no-default-browser-check",
  // Only loopback resolves: nothing in the page can reach the internet.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

export async function openBrowser(url: string, opts: { timeoutMs?: number; viewport?: { width: number; height: number }; goto?: boolean } = {}): Promise<BrowserSession> {
  const pw = loadPlaywright();
  const browser = await step(
    "launching Chromium",
    () => pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000, env: { ...process.env, TZ: "UTC", LANG: "en_US.UTF-8" } }),
    { timeoutMs: 70_000 },
  );
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1600, height: 1000 },
    deviceScaleFactor: 1,
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: "light",
    serviceWorkers: "allow",
  });
  // Clipboard access, for tests that copy from the editor.
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin }).catch(() => undefined);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs ?? 30_000);
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      consoleErrors.push(`[console] ${msg.text()}${loc?.url ? `  (${loc.url}:${loc.lineNumber})` : ""}`);
    }
  });
  page.on("pageerror", (e) => consoleErrors.push(`[pageerror] ${e.message}`));
  page.on("crash", () => consoleErrors.push("[crash] the page crashed"));
  page.on("request", (req) => {
    try {
      const u = new URL(req.url());
      if ((u.protocol === "http:" || u.protocol === "https:" || u.protocol === "ws:" || u.protocol === "wss:") && !["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) {
        foreignRequests.push(req.url());
      }
    } catch {
      /* data:, blob: and the like */
    }
  });
  browsers.set(page, { consoleErrors, foreignRequests });
  const session: BrowserSession = {
    page,
    browser,
    context,
    consoleErrors,
    foreignRequests,
    close: async () => {
      browsers.delete(page);
      await withTimeout(browser.close(), 20_000, "closing Chromium").catch(() => undefined);
    },
  };
  if (opts.goto !== false) {
    await step(`loading ${url}`, () => page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 }), { timeoutMs: 65_000, page });
  }
  return session;
}

// ---------------------------------------------------------------------------------------------
// The workbench

/** Waits for the workbench to be up: its parts laid out and the extension host connected. */
export async function waitForWorkbench(page: Page, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  await step(
    "waiting for the workbench",
    async () => {
      await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: timeoutMs });
      await page.locator(".monaco-workbench .part.statusbar").waitFor({ state: "visible", timeout: timeoutMs });
      await page.locator(".monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar").first().waitFor({ state: "visible", timeout: timeoutMs });
      // The workbench marks itself restored once its editors and views are in place.
      await page.waitForFunction(`!!document.querySelector('.monaco-workbench') && !document.querySelector('.monaco-workbench .part.editor .monaco-progress-container.active')`, undefined, { timeout: timeoutMs });
    },
    { timeoutMs: timeoutMs + 5_000, page },
  );
  // A connection problem shows as a dialog or a status item rather than an exception.
  const dialog = page.locator(".monaco-dialog-box");
  if (await dialog.isVisible().catch(() => false)) {
    const text = await dialog.innerText().catch(() => "");
    throw await loudError("waiting for the workbench", new Error(`a dialog is up: ${text}`), page);
  }
}

const QUICK_INPUT = ".quick-input-widget";
const QUICK_INPUT_BOX = ".quick-input-widget .quick-input-box input";
const QUICK_ROWS = ".quick-input-widget .quick-input-list .monaco-list-row";

async function openQuickInput(page: Page, key: string, prefix: string, timeoutMs: number): Promise<void> {
  // Close whatever quick input is up, then open ours: focus must be in the workbench for the key.
  await page.keyboard.press("Escape");
  const box = page.locator(QUICK_INPUT_BOX);
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press(key);
    try {
      await box.waitFor({ state: "visible", timeout: Math.min(5_000, timeoutMs) });
      break;
    } catch {
      // Focus may be in a webview (which swallows keys) or nowhere: click the status bar first.
      await page.locator(".monaco-workbench .part.statusbar").click({ position: { x: 5, y: 5 }, timeout: 5_000 }).catch(() => undefined);
    }
  }
  await box.waitFor({ state: "visible", timeout: timeoutMs });
  await box.fill(prefix);
}

/**
 * The rows the quick input shows now: each row's label, description and detail as rendered,
 * and its aria-label too when that says more (the aria-label alone sometimes lacks the detail).
 */
export async function quickInputItems(page: Page): Promise<string[]> {
  // one read of every row at once: a row read one by one may be gone (re-rendered) by its turn,
  // and a locator then waits its whole timeout for it
  const rows = (await page.locator(QUICK_ROWS).evaluateAll((els) =>
    (els as { getAttribute(n: string): string | null; innerText: string }[]).map((e) => [e.getAttribute("aria-label") ?? "", e.innerText ?? ""]),
  )) as [string, string][];
  const norm = (t: string) => t.replace(/\s+/g, " ").trim();
  return rows.map(([a, i]) => {
    const aria = norm(a);
    const shown = norm(i);
    return !aria || shown.includes(aria) ? shown : !shown || aria.includes(shown) ? aria : `${aria} — ${shown}`;
  });
}

/** One quick-input row as read by pickQuickInputRow: its label, and its aria-label. */
interface QuickRow { label: string; aria: string }

/**
 * Waits until the open quick input lists a row `match` accepts (all rows read at once, see
 * quickInputItems), clicks it, and waits until the quick input closes or gives way to a quick
 * input of the command's own (its box no longer starts with ">"). `reopen`, when given, is called
 * every 5 s while no row matches (a palette lists what was registered when it opened).
 */
async function pickQuickInputRow(page: Page, what: string, match: (row: QuickRow) => boolean, opts: { timeoutMs: number; reopen?: () => Promise<void> }): Promise<void> {
  let opened = Date.now();
  const index = await waitUntil(
    what,
    async () => {
      const rows = (await page.locator(QUICK_ROWS).evaluateAll((els) =>
        (els as { getAttribute(n: string): string | null; querySelector(s: string): { innerText: string } | null }[]).map((e) => ({
          label: (e.querySelector(".quick-input-list-label .label-name, .monaco-icon-label .label-name")?.innerText ?? "").replace(/\s+/g, " ").trim(),
          aria: e.getAttribute("aria-label") ?? "",
        })),
      )) as QuickRow[];
      const i = rows.findIndex(match);
      if (i >= 0) return i;
      if (opts.reopen && Date.now() - opened > 5_000) {
        await opts.reopen();
        opened = Date.now();
      }
      return undefined;
    },
    { timeoutMs: opts.timeoutMs, page },
  ).catch(async (e: Error) => {
    const items = await quickInputItems(page).catch(() => []);
    throw new Error(`${e.message.split("\n")[0]}\nthe quick input shows: ${JSON.stringify(items)}`);
  });
  await page.locator(QUICK_ROWS).nth(index).click({ timeout: 5_000 });
  await waitUntil(
    "the quick input to give way",
    async () => {
      if (!(await page.locator(QUICK_INPUT).isVisible().catch(() => false))) return true;
      const value = await page.locator(QUICK_INPUT_BOX).inputValue().catch(() => ">");
      return value.startsWith(">") ? undefined : true;
    },
    { timeoutMs: 10_000, page },
  );
}

/**
 * Runs a command by its title through the command palette (F1): types the title, waits for a row
 * whose label is exactly that title (optionally "Category: Title"), and picks it. Done when the
 * palette closes or gives way to the command's own quick input. A palette opened just as the
 * workbench comes up can miss an extension's commands and keep that list: one that has not
 * listed the command after 5 s is opened again.
 */
export async function runCommand(page: Page, title: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const open = () => openQuickInput(page, "F1", `>${title}`, timeoutMs);
  await step(
    `running the command "${title}"`,
    async () => {
      await open();
      await pickQuickInputRow(page, `the command palette to list "${title}"`, (r) => r.label === title, { timeoutMs, reopen: open });
    },
    { timeoutMs: timeoutMs + 20_000, page },
  );
}

/** Switches the colour theme with Preferences: Color Theme (its name typed, as a user picks it) and lets the views repaint. */
export async function switchTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, "Preferences: Color Theme");
  await page.keyboard.type(theme);
  await page.waitForTimeout(300);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(1500);
}

/** Opens a workspace file by its path relative to the workspace folder, with Quick Open (Ctrl+P). */
export async function openFile(page: Page, relativePath: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const name = basename(relativePath);
  await step(
    `opening ${relativePath}`,
    async () => {
      await openQuickInput(page, "Control+P", relativePath, timeoutMs);
      // Quick open searches the workspace with ripgrep on the server: wait until it lists the file.
      await pickQuickInputRow(page, `quick open to list ${relativePath}`, (r) => r.aria.startsWith(name) || r.aria.includes(relativePath), { timeoutMs });
      await activeTab(page, name, timeoutMs);
      // Rendered: a text editor with lines, or a custom editor's webview.
      await page
        .locator(`${ACTIVE_VIEW_LINES}, .part.editor .editor-group-container.active .monaco-editor .view-lines, iframe.webview`)
        .first()
        .waitFor({ state: "visible", timeout: timeoutMs });
    },
    { timeoutMs: timeoutMs * 2 + 20_000, page },
  );
}

/** Waits until the active editor tab's label contains `label`; returns the tab's label. */
export async function activeTab(page: Page, label: string, timeoutMs = 30_000): Promise<string> {
  return waitUntil(
    `an active editor tab labelled "${label}"`,
    async () => {
      const tab = page.locator(".part.editor .editor-group-container.active .tab.active").first();
      const text = ((await tab.getAttribute("aria-label").catch(() => null)) ?? "") || (await tab.innerText().catch(() => ""));
      return text.includes(label) ? text : undefined;
    },
    { timeoutMs, page },
  );
}

/** Puts the focus in the active text editor and selects all of it (Ctrl+A). */
export async function selectAll(page: Page): Promise<void> {
  await step(
    "selecting all text in the active editor",
    async () => {
      const editor = page.locator(".part.editor .editor-group-container.active .monaco-editor .view-lines").first();
      await editor.click({ timeout: 10_000 });
      await page.keyboard.press("Control+A");
    },
    { timeoutMs: 20_000, page },
  );
}

const ACTIVE_VIEW_LINES = ".part.editor .editor-group-container.active .monaco-editor .view-lines .view-line";

/**
 * The text the active text editor shows now: its rendered lines, top to bottom (only those in
 * view, and a wrapped line comes as several). Empty while the editor has not rendered yet; use
 * waitForEditorText to wait for content.
 */
export async function editorText(page: Page): Promise<string> {
  // Monaco positions its line elements absolutely and reuses them: order them by their top.
  const lines = await page.locator(ACTIVE_VIEW_LINES).evaluateAll((els) =>
    (els as { textContent: string | null; style: { top: string } }[])
      .map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.textContent ?? "" }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join("\n").replace(/\u00a0/g, " ");
}

/** Waits until the active text editor shows `text` (a substring or a pattern); returns what it shows. */
export async function waitForEditorText(page: Page, text: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
  return waitUntil(
    `the active editor to show ${String(text)}`,
    async () => {
      const t = await editorText(page);
      return (typeof text === "string" ? t.includes(text) : text.test(t)) ? t : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 20_000, page },
  );
}

/**
 * For each `iframe.webview` of the page: whether it shows, and the title of what it sits over.
 * Webviews are not inside the editor or view they belong to: VS Code lays their containers over
 * it, at the workbench's top level. So the owner is found by position: the editor group whose
 * area holds the iframe's centre (its active tab's label), or the view pane (its header title).
 */
const WEBVIEW_OWNERS = `(() => {
  const inside = (r, x, y) => r.width > 0 && r.height > 0 && x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  return [...document.querySelectorAll("iframe.webview")].map((f) => {
    const r = f.getBoundingClientRect();
    const st = getComputedStyle(f.parentElement || f);
    const visible = r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none";
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    let owner = "";
    for (const g of document.querySelectorAll(".part.editor .editor-group-container")) {
      const c = g.querySelector(".editor-container") || g;
      if (inside(c.getBoundingClientRect(), x, y)) {
        const tab = g.querySelector(".tab.active");
        owner = (tab && (tab.getAttribute("aria-label") || tab.textContent)) || "";
        break;
      }
    }
    if (!owner) {
      for (const p of document.querySelectorAll(".pane")) {
        if (inside(p.getBoundingClientRect(), x, y)) {
          const h = p.querySelector(".pane-header .title");
          owner = (h && h.textContent) || "";
        }
      }
    }
    return { visible, owner: owner.replace(/\\s+/g, " ").trim() };
  });
})()`;

/**
 * The document inside a webview: webviews are two iframes deep (the outer `iframe.webview` host,
 * then `iframe#active-frame` inside it, which holds the extension's HTML). Waits until that inner
 * frame has loaded a document with a body, and returns it. With `titleSubstring`, only a webview
 * whose editor tab, view title or own document <title> contains it counts; without, any visible
 * one (the last in document order, usually the newest, if several show).
 */
export async function webviewFrame(page: Page, titleSubstring?: string, opts: { timeoutMs?: number } = {}): Promise<Frame> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let seen: { visible: boolean; owner: string; title?: string; ready?: boolean }[] = [];
  return waitUntil(
    `a webview${titleSubstring ? ` titled "${titleSubstring}"` : ""} to load`,
    async () => {
      const owners = (await page.evaluate(WEBVIEW_OWNERS)) as { visible: boolean; owner: string }[];
      seen = owners;
      const outers = page.locator("iframe.webview");
      const candidates: Frame[] = [];
      for (let i = 0; i < owners.length; i++) {
        const info = owners[i]!;
        if (!info.visible) continue;
        const handle = await outers.nth(i).elementHandle({ timeout: 2_000 }).catch(() => null);
        const outer = await handle?.contentFrame();
        if (!outer) continue;
        const innerHandle = await outer.$("iframe#active-frame").catch(() => null);
        const inner = await innerHandle?.contentFrame();
        if (!inner || inner.isDetached()) continue;
        const ready = (await inner.evaluate("document.readyState === 'complete' && !!document.body && document.body.childElementCount > 0").catch(() => false)) as boolean;
        const title = await inner.title().catch(() => "");
        Object.assign(seen[i]!, { ready, title });
        if (!ready) continue;
        if (titleSubstring && !info.owner.includes(titleSubstring) && !title.includes(titleSubstring)) continue;
        candidates.push(inner);
      }
      return candidates.length ? candidates[candidates.length - 1] : undefined;
    },
    { timeoutMs, page },
  ).catch((e: Error) => {
    e.message = `${e.message}\nwebviews on the page: ${JSON.stringify(seen)}`;
    throw e;
  });
}

/** The text of the first element matching `selector` in a webview frame, whitespace collapsed ("" when absent). */
export async function viewText(frame: Frame, selector: string): Promise<string> {
  return ((await frame.locator(selector).first().innerText().catch(() => "")) ?? "").replace(/\s+/g, " ").trim();
}

/** Fills VS Code's simple file dialog (a quick input in the web workbench) with `path` and confirms it. */
export async function fillFileDialog(page: Page, path: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const input = page.locator(".quick-input-widget input.input");
  await waitUntil("the file dialog", async () => ((await input.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: opts.timeoutMs ?? 20_000 });
  // The dialog fills in its starting folder asynchronously, and on a busy machine that can land
  // after our text and replace it: fill until the path stays.
  await waitUntil("the file dialog to take the path", async () => {
    if ((await input.inputValue().catch(() => "")) !== path) await input.fill(path);
    await page.waitForTimeout(300);
    return (await input.inputValue().catch(() => "")) === path ? true : undefined;
  }, { page, timeoutMs: opts.timeoutMs ?? 20_000 });
  // then confirm with its OK button
  const okButton = page.locator(".quick-input-widget .monaco-button", { hasText: /^OK$/ }).first();
  if (await okButton.isVisible().catch(() => false)) await okButton.click();
  else await page.keyboard.press("Enter");
}

/** The kinds of control a view's contrast is checked on: export buttons, filter chips, the pressed chip, class rows and their actions, links, the headline figure. */
export const VIEW_CONTROLS = [".host-button", ".chip", ".chip.on", ".class-row .class-key", ".class-act", ".class-judge", ".why-links .link", ".kpi-value"];

export interface Contrast {
  sel: string;
  text: string;
  /** WCAG's contrast ratio of the text's colour against the colour behind it. */
  ratio: number;
  fg: string;
  bg: string;
}

/**
 * In a view: for each selector, its first visible element's text colour against the colour
 * behind it (the first opaque background up its ancestors), as WCAG's contrast ratio. Selectors
 * with nothing visible are left out.
 */
export async function controlContrasts(frame: Frame, selectors: readonly string[] = VIEW_CONTROLS): Promise<Contrast[]> {
  return (await frame.evaluate(`(() => {
  const rgb = (c) => { const m = c.match(/[\\d.]+/g) || []; return { r: +m[0], g: +m[1], b: +m[2], a: m[3] === undefined ? 1 : +m[3] }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; } return rgb(getComputedStyle(document.body).backgroundColor); };
  const out = [];
  for (const sel of ${JSON.stringify(selectors)}) {
    const el = [...document.querySelectorAll(sel)].find((e) => e.offsetParent !== null);
    if (!el) continue;
    const fg = rgb(getComputedStyle(el).color);
    const bg = behind(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({ sel, text: el.textContent.trim().slice(0, 20), ratio: (a + 0.05) / (b + 0.05), fg: getComputedStyle(el).color, bg: "rgb(" + bg.r + "," + bg.g + "," + bg.b + ")" });
  }
  return out;
})()`)) as Contrast[];
}

/**
 * In the prompt file open in the active editor: waits for its lens "Δ since the previous
 * version", clicks it, and waits for the view of the two versions to render; returns the lens's
 * text, the view's frame and the text of its before → after banner.
 */
export async function openVersionsFromLens(page: Page): Promise<{ lens: string; frame: Frame; text: string }> {
  const lens = await waitUntil("the lens of the change since the previous version", async () => {
    const l = (await page.locator(".part.editor .editor-group-container.active .codelens-decoration").allInnerTexts().catch(() => [] as string[])).map((x) => x.replace(/\s+/g, " ").trim());
    return l.find((x) => /Δ since the previous version/.test(x));
  }, { page, timeoutMs: 60_000 });
  await page.locator(".codelens-decoration a", { hasText: /Δ since the previous version/ }).first().click();
  const view = await waitUntil("the two versions' view", async () => {
    const f = await webviewFrame(page, "→", { timeoutMs: 5_000 }).catch(() => undefined);
    if (!f || !((await f.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) as boolean)) return undefined;
    const text = (await viewText(f, ".versions").catch(() => "")).replace(/\s+/g, " ");
    return text ? { frame: f, text } : undefined;
  }, { page, timeoutMs: 60_000, intervalMs: 250 });
  return { lens, ...view };
}

/** Waits until the comparison view in `frame` has rendered its document. */
export async function viewRendered(frame: Frame, page: Page): Promise<void> {
  await waitUntil("the view to render", async () => ((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
}

/** Saves a PNG of the page (creating the folder). Returns the path. */
export async function screenshot(page: Page, path: string): Promise<string> {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  await step(`screenshot to ${file}`, () => page.screenshot({ path: file, timeout: 20_000 }), { timeoutMs: 25_000, page });
  return file;
}

/** The messages of the notification toasts on screen now (without the source line). */
export async function notifications(page: Page): Promise<string[]> {
  const toasts = page.locator(".notifications-toasts .notification-toast .notification-list-item-message");
  const out: string[] = [];
  for (const t of await toasts.all()) {
    if (await t.isVisible().catch(() => false)) out.push((await t.innerText().catch(() => "")).trim());
  }
  return out;
}

/** Waits until a notification toast contains `text`; returns its message. */
export async function waitForNotification(page: Page, text: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
  return waitUntil(
    `a notification ${String(text)}`,
    async () => (await notifications(page)).find((m) => (typeof text === "string" ? m.includes(text) : text.test(m))),
    { timeoutMs: opts.timeoutMs ?? 30_000, page },
  );
}

/**
 * Status bar text. With `id`, the text of that one entry (VS Code's element id: an extension's
 * item created as createStatusBarItem("x") is "publisher.name.x"; by default "publisher.name"),
 * or undefined when it is not shown. Without, every visible entry's text joined with " | ".
 */
export async function statusBarText(page: Page, id?: string): Promise<string | undefined> {
  const bar = page.locator(".monaco-workbench .part.statusbar");
  if (id) {
    const item = bar.locator(`[id="${id.replace(/["\\]/g, "\\$&")}"]`).first();
    if (!(await item.count())) return undefined;
    return (await item.innerText().catch(() => "")).replace(/\s+/g, " ").trim();
  }
  const items = bar.locator(".statusbar-item");
  const texts: string[] = [];
  for (const it of await items.all()) {
    if (!(await it.isVisible().catch(() => false))) continue;
    const t = (await it.innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    if (t) texts.push(t);
  }
  return texts.join(" | ");
}
