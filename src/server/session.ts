// The language server's handlers on one connection: prompt files in, code lenses, inlay hints,
// hovers and diagnostics out, from the run store of each workspace folder. The transport is the
// caller's (src/server/server.ts: stdio or node IPC; tests: in-memory streams).
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  InlayHintRefreshRequest,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import pkg from "../../package.json";
import { parsePromptFile, type FilePrompt } from "../core";
import { CONFIG_SECTION, DEFAULT_SERVER_SETTINGS, type InitializationOptions, type PromptInfo, type ServerSettings } from "../protocol/lsp";
import { PromptAtRequest, RunsChangedNotification } from "../protocol/lsp-messages";
import { fileStamp, promptHash, toolsFileReader } from "../sampling/store";
import { codeActions, codeLenses, diagnostics, hover, inlayHints, type PromptView } from "./render";
import { normalizeSourceFile, RunIndex, type RunEntry, type RunIndexOptions } from "./runindex";

export const SERVER_NAME = "hotmess-language-server";
export const SERVER_VERSION: string = pkg.version;

export interface ServerOptions {
  /** Options of every run index (tests shorten the intervals). */
  index?: RunIndexOptions;
}

export interface ServerHandle {
  /** Stops watching and polling (the connection is the caller's). */
  dispose(): void;
  /** The run index of a folder (by its path), for tests and the benchmark. */
  indexFor(path: string): RunIndex | null;
}

interface Folder {
  /** The folder's URI and file system path; a document outside every folder uses `outside`. */
  uri: string | null;
  path: string;
  /** An absolute run directory that no setting changes (the client's fallback storage). */
  fixedRunDir?: string;
  settings: ServerSettings;
  index: RunIndex | null;
  ready: Promise<void>;
}

/** A setting from the client, checked: anything out of range falls back. */
export function sanitizeSettings(raw: unknown, base: ServerSettings = DEFAULT_SERVER_SETTINGS): ServerSettings {
  const v = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const n = v.n;
  const t = v.incoherenceWarningThreshold;
  const d = v.runDirectory;
  return {
    n: typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 1000 ? n : base.n,
    incoherenceWarningThreshold: typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : base.incoherenceWarningThreshold,
    runDirectory: typeof d === "string" && d.trim() !== "" ? d.trim() : base.runDirectory,
  };
}


function uriToPath(uri: string): string | null {
  if (!uri.startsWith("file:")) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Registers the handlers on `connection` and starts listening. */
export function startServer(connection: Connection, options: ServerOptions = {}): ServerHandle {
  const documents = new TextDocuments(TextDocument);
  let caps: ClientCapabilities = {};
  let init: InitializationOptions = {};
  let folders: Folder[] = [];
  let outside: Folder | null = null;
  let pushed: unknown = undefined; // settings pushed with didChangeConfiguration
  let disposed = false;
  /** Each document's prompts at a version, and the stamps of the tools files they read. */
  const parsed = new Map<string, { version: number; prompts: FilePrompt[]; toolsFiles: Map<string, string> }>();
  const log = (m: string) => connection.console.log(m);
  let openInitialized!: () => void;
  const initialized = new Promise<void>((r) => (openInitialized = r));

  const supports = {
    configuration: () => caps.workspace?.configuration === true,
    codeLensRefresh: () => caps.workspace?.codeLens?.refreshSupport === true,
    inlayHintRefresh: () => caps.workspace?.inlayHint?.refreshSupport === true,
  };

  function newFolder(uri: string | null, path: string, fixedRunDir?: string): Folder {
    return { uri, path, ...(fixedRunDir ? { fixedRunDir } : {}), settings: baseSettings(), index: null, ready: Promise.resolve() };
  }
  function baseSettings(): ServerSettings {
    return sanitizeSettings(init.settings, DEFAULT_SERVER_SETTINGS);
  }

  /** Reads the folder's settings (from the client when it can answer) and points its index at its run store. */
  function configure(f: Folder): Promise<void> {
    f.ready = (async () => {
      let s = sanitizeSettings((pushed as Record<string, unknown> | undefined)?.[CONFIG_SECTION] ?? pushed, baseSettings());
      if (supports.configuration()) {
        try {
          const [v] = (await connection.workspace.getConfiguration([{ ...(f.uri ? { scopeUri: f.uri } : {}), section: CONFIG_SECTION }])) as unknown[];
          s = sanitizeSettings(v, s);
        } catch (e) {
          log(`workspace/configuration failed: ${(e as Error).message}`);
        }
      }
      if (disposed) return;
      f.settings = s;
      const dir = f.fixedRunDir ?? (isAbsolute(s.runDirectory) ? s.runDirectory : resolve(f.path, s.runDirectory));
      if (f.index?.dir !== dir) {
        f.index?.dispose();
        const index = new RunIndex(dir, { log, ...options.index, ...(init.pollIntervalMs !== undefined ? { pollIntervalMs: init.pollIntervalMs } : {}) });
        index.onDidChange(() => refresh());
        f.index = index;
        index.start();
      }
    })();
    return f.ready;
  }

  function allFolders(): Folder[] {
    return outside ? [...folders, outside] : folders;
  }

  function folderFor(uri: string): Folder {
    const path = uriToPath(uri);
    let best: Folder | null = null;
    if (path !== null)
      for (const f of folders) {
        if (f.uri === null) continue;
        if ((path === f.path || path.startsWith(f.path.endsWith(sep) ? f.path : f.path + sep)) && (!best || f.path.length > best.path.length)) best = f;
      }
    // outside every folder: the first folder's run store (where the extension writes its runs)
    return best ?? folders[0] ?? outside!;
  }

  function promptsOf(doc: TextDocument): FilePrompt[] {
    const hit = parsed.get(doc.uri);
    if (hit && hit.version === doc.version) {
      if ([...hit.toolsFiles].every(([path, was]) => fileStamp(path) === was)) return hit.prompts;
      scheduleDiagnostics(doc.uri); // a tools file changed: the same text is another prompt now
    }
    const toolsFiles = new Map<string, string>();
    const prompts = parsePromptFile(doc.getText(), promptHash, { readToolsFile: toolsFileReader(uriToPath(doc.uri), toolsFiles) });
    parsed.set(doc.uri, { version: doc.version, prompts, toolsFiles });
    return prompts;
  }

  /** The document's path as run headers record it: relative to its folder, absolute outside one (null when not a file). */
  function sourceFile(f: Folder, uri: string): string | null {
    const path = uriToPath(uri);
    if (path === null) return null;
    const rel = f.uri === null ? "" : relative(f.path, path);
    return normalizeSourceFile(rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel);
  }

  /** Each prompt with its latest run: the same text, or (stale) the same place in the file. */
  function viewsOf(doc: TextDocument, f: Folder): PromptView[] {
    const prompts = promptsOf(doc);
    const index = f.index;
    const file = sourceFile(f, doc.uri);
    const hashes = new Set(prompts.map((p) => p.hash));
    return prompts.map((prompt) => {
      let run: RunEntry | null = null;
      let stale = false;
      if (index) {
        run = index.latest(prompt.hash) ?? null;
        if (!run && file !== null) {
          // a run of this place whose prompt now lives elsewhere in the file is not this prompt's
          run = index.latestFromSource(file, { index: prompt.index, id: prompt.settings.id }, (e) => !hashes.has(e.hash)) ?? null;
          stale = run !== null;
        }
        if (run) index.prioritize(run);
      }
      // the previous version: the latest run of this place in the file with another text, older than this run
      let previous: RunEntry | null = null;
      if (index && run && !stale && file !== null) {
        const now = run;
        previous = index.latestFromSource(file, { index: prompt.index, id: prompt.settings.id }, (e) => e.hash !== prompt.hash && e.time < now.time) ?? null;
        if (previous) index.prioritize(previous);
      }
      return { prompt, n: prompt.settings.n ?? f.settings.n, run, stale, previous };
    });
  }

  async function withDocument<T>(uri: string, fallback: T, f: (doc: TextDocument, folder: Folder) => T): Promise<T> {
    const doc = documents.get(uri);
    if (!doc || folders.length + (outside ? 1 : 0) === 0) return fallback;
    const folder = folderFor(uri);
    await folder.ready;
    const now = documents.get(uri);
    return now ? f(now, folder) : fallback;
  }

  // ---- diagnostics: pushed after each change, coalesced per turn of the event loop ----
  const pending = new Set<string>();
  let flush: ReturnType<typeof setImmediate> | null = null;
  function scheduleDiagnostics(uri: string): void {
    pending.add(uri);
    flush ??= setImmediate(() => {
      flush = null;
      const uris = [...pending];
      pending.clear();
      for (const u of uris) void publish(u);
    });
  }
  async function publish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const folder = folderFor(uri);
    await folder.ready;
    const now = documents.get(uri);
    if (!now || disposed) return;
    const length = (line: number) => now.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, "").length;
    void connection.sendDiagnostics({ uri, version: now.version, diagnostics: diagnostics(viewsOf(now, folder), folder.settings.incoherenceWarningThreshold, length) });
  }

  /** The run store changed: the client asks again for lenses and hints; diagnostics are pushed again. */
  let refreshing: ReturnType<typeof setTimeout> | null = null;
  function refresh(): void {
    if (disposed || refreshing) return;
    refreshing = setTimeout(() => {
      refreshing = null;
      if (disposed) return;
      if (supports.codeLensRefresh()) connection.sendRequest(CodeLensRefreshRequest.type).catch((e: Error) => log(`codeLens/refresh: ${e.message}`));
      if (supports.inlayHintRefresh()) connection.sendRequest(InlayHintRefreshRequest.type).catch((e: Error) => log(`inlayHint/refresh: ${e.message}`));
      for (const d of documents.all()) scheduleDiagnostics(d.uri);
    }, 10);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    caps = params.capabilities;
    init = (params.initializationOptions ?? {}) as InitializationOptions;
    const wf = params.workspaceFolders ?? [];
    folders = wf.map((w) => ({ w, path: uriToPath(w.uri) })).filter((x) => x.path !== null).map((x) => newFolder(x.w.uri, x.path!));
    if (folders.length === 0) {
      const root = params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? null);
      if (root) folders.push(newFolder(pathToFileURL(root).href, root));
    }
    // No folder at all: the client's fallback store (VS Code: the extension's storage), else the working directory's.
    if (folders.length === 0) {
      if (init.fallbackRunDirectory) outside = newFolder(null, init.fallbackRunDirectory, init.fallbackRunDirectory);
      else folders.push(newFolder(pathToFileURL(process.cwd()).href, process.cwd()));
    }
    // Without workspace/configuration the settings are known now; with it, after `initialized`
    // (requests wait for them, and for the first scan of the run store).
    for (const f of allFolders()) f.ready = supports.configuration() ? initialized.then(() => configure(f)) : configure(f);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    openInitialized();
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }).catch(() => {});
    if (caps.workspace?.workspaceFolders)
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const r of e.removed) {
          const at = folders.findIndex((f) => f.uri === r.uri);
          if (at >= 0) folders.splice(at, 1)[0]!.index?.dispose();
        }
        for (const a of e.added) {
          const path = uriToPath(a.uri);
          if (path === null || folders.some((f) => f.uri === a.uri)) continue;
          const f = newFolder(a.uri, path);
          folders.push(f);
          void configure(f).then(() => refresh());
        }
      });
  });

  connection.onDidChangeConfiguration((change) => {
    pushed = change.settings ?? undefined;
    void Promise.all(allFolders().map((f) => configure(f))).then(() => refresh());
  });

  connection.onNotification(RunsChangedNotification.type, () => {
    for (const f of allFolders()) f.index?.sync();
  });

  connection.onCodeAction((params) => codeActions(params.textDocument.uri, params.context.diagnostics));
  connection.onCodeLens((params) => withDocument(params.textDocument.uri, [], (doc, f) => codeLenses(doc.uri, viewsOf(doc, f))));
  connection.languages.inlayHint.on((params) =>
    withDocument(params.textDocument.uri, [], (doc, f) => inlayHints(viewsOf(doc, f), params.range, (line) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, "").length)),
  );
  connection.onHover((params) =>
    withDocument(params.textDocument.uri, null, (doc, f) => {
      const line = params.position.line;
      const views = viewsOf(doc, f);
      const v = views.find((x) => x.prompt.range.start.line <= line && line <= x.prompt.range.end.line);
      if (!v) return null;
      // where the lens and the hint are (the first and last lines) and the front matter; not every word of the prompt
      const r = v.prompt.range;
      if (line !== r.start.line && line !== r.end.line && line >= v.prompt.bodyRange.start.line) return null;
      return hover(v);
    }),
  );

  connection.onRequest(PromptAtRequest.type, (params) =>
    withDocument<PromptInfo | null>(params.textDocument.uri, null, (doc, f) => {
      const views = viewsOf(doc, f);
      let v: PromptView | undefined;
      if (typeof params.index === "number") v = views[params.index];
      else if (params.position) {
        const line = params.position.line;
        v = views.find((x) => x.prompt.range.start.line <= line && line <= x.prompt.range.end.line) ?? [...views].reverse().find((x) => x.prompt.range.start.line <= line) ?? views[0];
      }
      if (!v) return null;
      const p = v.prompt;
      const file = sourceFile(f, doc.uri);
      return {
        uri: doc.uri,
        index: p.index,
        hash: p.hash,
        range: p.range,
        bodyRange: p.bodyRange,
        settings: p.settings,
        user: p.user,
        ...(p.system !== undefined ? { system: p.system } : {}),
        ...(p.conversation !== undefined ? { conversation: p.conversation } : {}),
        ...(p.tools !== undefined ? { tools: p.tools } : {}),
        n: v.n,
        errors: p.problems.filter((x) => x.severity === "error").map((x) => ({ message: x.message, range: x.range })),
        unresolved: p.unresolved.map((u) => u.name),
        source: file === null ? null : { file, prompt: p.index, ...(p.settings.id !== undefined ? { id: p.settings.id } : {}) },
        runDirectory: f.index?.dir ?? resolve(f.path, f.settings.runDirectory),
        lastRun: v.run ? { file: v.run.file, stale: v.stale } : null,
      };
    }),
  );

  documents.onDidChangeContent((e) => scheduleDiagnostics(e.document.uri));
  documents.onDidClose((e) => {
    parsed.delete(e.document.uri);
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const f of allFolders()) f.index?.dispose();
    if (refreshing) clearTimeout(refreshing);
    if (flush) clearImmediate(flush);
  }
  connection.onShutdown(() => dispose());

  documents.listen(connection);
  connection.listen();
  return {
    dispose,
    indexFor: (path) => allFolders().find((f) => f.path === path)?.index ?? null,
  };
}
