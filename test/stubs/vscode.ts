// A stand-in for the `vscode` module, so host code (src/extension) can run under Node's test
// runner: only what the tested code touches, recording what it shows (webview messages, output
// channel lines, status bar text, notifications). `installVscodeStub()` (test/stubs/install.ts)
// makes `require("vscode")` return this module.
import { EventEmitter as NodeEmitter } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Presses Cancel on the progress notification showing now (null when none shows). */
export let progressCancel: (() => void) | null = null;

/** What the code under test did that a user would see. */
export const recorded = {
  /** Every message posted to a webview, in order, as posted (after the host's redaction). */
  posted: [] as unknown[],
  /** Output channel lines, "level: text". */
  log: [] as string[],
  notifications: [] as { level: "info" | "warning" | "error"; message: string; actions: string[] }[],
  statusText: "",
  statusTooltip: "",
  /** Each status bar item by its id (the main one, "hotmess.status", is also statusText/statusTooltip): its text, tooltip, command and whether it shows. */
  statusItems: new Map<string, { text: string; tooltip: string; command: unknown; visible: boolean }>(),
  panels: [] as FakeWebviewPanel[],
  /** What each progress notification reported ({message, increment}). */
  progress: [] as unknown[],
  /** The options of each save dialog shown (where it proposed to save). */
  saveDialogs: [] as { defaultUri?: Uri }[],
};

/** Settings returned by workspace.getConfiguration("hotmess"), by key without the prefix. */
export const settings: Record<string, unknown> = {};

export function reset(): void {
  recorded.posted.length = 0;
  recorded.log.length = 0;
  recorded.notifications.length = 0;
  recorded.statusText = recorded.statusTooltip = "";
  recorded.statusItems.clear();
  recorded.panels.length = 0;
  recorded.saveDialogs.length = 0;
  recorded.progress.length = 0;
  for (const k of Object.keys(settings)) delete settings[k];
  registered.clear();
  trees.clear();
  executed.length = 0;
  answers.quickPick.length = 0;
  answers.inputBox.length = 0;
  answers.saveDialog.length = 0;
  answers.openDialog.length = 0;
  answers.message.length = 0;
  window.activeTextEditor = undefined;
  workspace.isTrusted = true;
  workspace.workspaceFolders = undefined;
}

export class Disposable {
  constructor(private readonly fn: () => void = () => {}) {}
  dispose(): void {
    this.fn();
  }
}

type Listener<T> = (e: T) => unknown;
export class EventEmitter<T> {
  private readonly emitter = new NodeEmitter();
  readonly event = (listener: Listener<T>): Disposable => {
    this.emitter.on("e", listener);
    return new Disposable(() => this.emitter.off("e", listener));
  };
  fire(e: T): void {
    this.emitter.emit("e", e);
  }
  dispose(): void {
    this.emitter.removeAllListeners();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(path: string): Uri {
    return new Uri("file", path);
  }
  static parse(s: string): Uri {
    return new Uri("file", s.replace(/^file:\/\//, ""));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, join(base.fsPath, ...parts));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}
export class ThemeIcon {
  static readonly File = new ThemeIcon("file");
  static readonly Folder = new ThemeIcon("folder");
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  resourceUri?: Uri;
  command?: { title: string; command: string; arguments?: unknown[] };
  contextValue?: string;
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}
export class MarkdownString {
  value = "";
  constructor(value = "", readonly supportThemeIcons = false) {
    this.value = value;
  }
  appendText(t: string): this {
    this.value += t;
    return this;
  }
  appendMarkdown(t: string): this {
    this.value += t;
    return this;
  }
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
}

export class FakeWebview {
  html = "";
  options: unknown = {};
  readonly cspSource = "vscode-resource:";
  private readonly incoming = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.incoming.event;
  asWebviewUri(u: Uri): Uri {
    return u;
  }
  postMessage(message: unknown): Promise<boolean> {
    recorded.posted.push(message);
    return Promise.resolve(true);
  }
  /** A message from the view (as the webview's script would send it). */
  receive(message: unknown): void {
    this.incoming.fire(message);
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  iconPath: unknown;
  active = true;
  private readonly disposed = new EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  constructor(
    readonly viewType: string,
    public title: string,
  ) {}
  reveal(): void {}
  dispose(): void {
    this.disposed.fire();
  }
}

function channel(name: string) {
  const line = (level: string) => (text: string) => void recorded.log.push(`${level}: ${text}`);
  return { name, info: line("info"), warn: line("warn"), error: line("error"), trace: line("trace"), debug: line("debug"), append() {}, appendLine: line("info"), show() {}, dispose() {} };
}

function notify(level: "info" | "warning" | "error") {
  return (message: string, ...actions: unknown[]) => {
    recorded.notifications.push({ level, message, actions: actions.filter((a): a is string => typeof a === "string") });
    return Promise.resolve(answers.message.shift());
  };
}

export const window = {
  createOutputChannel: (name: string) => channel(name),
  createStatusBarItem: (id?: string) => {
    const own = { text: "", tooltip: "", command: undefined as unknown, visible: false };
    if (id) recorded.statusItems.set(id, own);
    const main = !id || id === "hotmess.status";
    const item = {
      name: "",
      backgroundColor: undefined as unknown,
      set command(v: unknown) {
        own.command = v;
      },
      get command() {
        return own.command;
      },
      set text(v: string) {
        own.text = v;
        if (main) recorded.statusText = v;
      },
      get text() {
        return own.text;
      },
      set tooltip(v: string) {
        own.tooltip = v;
        if (main) recorded.statusTooltip = v;
      },
      get tooltip() {
        return own.tooltip;
      },
      show() {
        own.visible = true;
      },
      hide() {
        own.visible = false;
      },
      dispose() {
        own.visible = false;
      },
    };
    return item;
  },
  createWebviewPanel: (viewType: string, title: string) => {
    const p = new FakeWebviewPanel(viewType, title);
    recorded.panels.push(p);
    return p;
  },
  withProgress: async <R>(_o: unknown, task: (progress: { report(v: unknown): void }, token: { onCancellationRequested(f: () => void): Disposable; isCancellationRequested: boolean }) => Promise<R>): Promise<R> => {
    // the notification's Cancel button: progressCancel() presses it on the one showing now
    const listeners = new Set<() => void>();
    const token = { isCancellationRequested: false, onCancellationRequested: (f: () => void) => (listeners.add(f), new Disposable(() => listeners.delete(f))) };
    progressCancel = () => {
      token.isCancellationRequested = true;
      listeners.forEach((f) => f());
    };
    try {
      return await task({ report: (v: unknown) => void recorded.progress.push(v) }, token);
    } finally {
      progressCancel = null;
    }
  },
  registerWebviewPanelSerializer: () => new Disposable(),
  createTreeView: (id: string, o: { treeDataProvider: unknown }) => {
    trees.set(id, o.treeDataProvider);
    return new Disposable(() => trees.delete(id));
  },
  registerTreeDataProvider: (id: string, provider: unknown) => {
    trees.set(id, provider);
    return new Disposable(() => trees.delete(id));
  },
  showQuickPick: async (items: unknown[] | Promise<unknown[]>) => {
    const next = answers.quickPick.shift();
    return next ? next(await items) : undefined;
  },
  showInputBox: async () => answers.inputBox.shift(),
  showSaveDialog: async (o?: { defaultUri?: Uri }) => {
    recorded.saveDialogs.push(o ?? {});
    return answers.saveDialog.shift();
  },
  showOpenDialog: async () => answers.openDialog.shift(),
  showInformationMessage: notify("info"),
  showWarningMessage: notify("warning"),
  showErrorMessage: notify("error"),
  activeTextEditor: undefined as unknown,
  setStatusBarMessage: (message: string) => {
    recorded.log.push(`status bar: ${message}`);
    return new Disposable();
  },
};

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}
/** Replacements by file; workspace.applyEdit writes them to the file on disk (what Save would). */
export class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; text: string }[] = [];
  replace(uri: Uri, range: Range, text: string): void {
    this.edits.push({ uri, range, text });
  }
}
export const clipboard = { text: "" };
export const env = { clipboard: { writeText: async (t: string) => void (clipboard.text = t), readText: async () => clipboard.text } };

/** A text editor showing `text` with nothing selected (Rerun Selection then reruns the whole file). */
export function fakeEditor(path: string, text: string, languageId = "plaintext"): unknown {
  const document = { uri: Uri.file(path), languageId, getText: () => text };
  return { document, selection: { isEmpty: true, active: { line: 0, character: 0 } } };
}

/** What an extension's activate() gets. */
export function fakeContext(storageDir: string, extensionDir: string) {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    secrets: new MemorySecretStorage(),
    extensionUri: Uri.file(extensionDir),
    globalStorageUri: Uri.file(storageDir),
  };
}

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined as { uri: Uri }[] | undefined,
  textDocuments: [] as unknown[],
  onDidOpenTextDocument: () => new Disposable(),
  getWorkspaceFolder: () => undefined,
  asRelativePath: (p: string | Uri) => (typeof p === "string" ? p : p.fsPath),
  /** The file as it is on disk (a prompt file the code lens reruns), in the language its name gives. */
  openTextDocument: async (uri: Uri) => {
    const text = readFileSync(uri.fsPath, "utf8");
    return { uri, languageId: /\.prompt(\.md)?$/.test(uri.fsPath) ? "hotmess-prompt" : "plaintext", getText: () => text, save: async () => true };
  },
  applyEdit: async (e: WorkspaceEdit) => {
    // one edit per file at a time is all the code under test makes
    for (const { uri, range, text } of e.edits) {
      const old = readFileSync(uri.fsPath, "utf8");
      const lines = old.split("\n");
      const at = (p: Position) => lines.slice(0, p.line).reduce((s, l) => s + l.length + 1, 0) + p.character;
      writeFileSync(uri.fsPath, old.slice(0, at(range.start)) + text + old.slice(at(range.end)));
    }
    return true;
  },
  createFileSystemWatcher: () => {
    const none = () => new Disposable();
    return { onDidCreate: none, onDidChange: none, onDidDelete: none, dispose() {} };
  },
  fs: {
    delete: async (uri: Uri) => rmSync(uri.fsPath, { force: true }),
  },
  getConfiguration: (section?: string) => {
    const at = (key: string) => (section ? `${section}.${key}` : key).replace(/^hotmess\./, "");
    return {
      get: <T>(key: string, fallback?: T): T | undefined => (at(key) in settings ? (settings[at(key)] as T) : fallback),
      inspect: <T>(key: string) => ({ key, defaultValue: undefined as T | undefined, globalValue: settings[at(key)] as T | undefined }),
      update: async (key: string, value: unknown) => void (settings[at(key)] = value),
    };
  },
};

/** Tree data providers registered by the code under test, by view id. */
export const trees = new Map<string, unknown>();

/** Commands registered by the code under test; executeCommand runs them (others are recorded and do nothing). */
export const registered = new Map<string, (...args: unknown[]) => unknown>();
export const executed: { command: string; args: unknown[] }[] = [];
export const commands = {
  executeCommand: async (command: string, ...args: unknown[]) => {
    executed.push({ command, args });
    return registered.get(command)?.(...args);
  },
  registerCommand: (command: string, fn: (...args: unknown[]) => unknown) => {
    registered.set(command, fn);
    return new Disposable(() => registered.delete(command));
  },
};

export const languages = {
  registerFoldingRangeProvider: () => new Disposable(),
};

export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}

/** Answers for the next quick picks / input boxes (FIFO): a function picks from the items. */
/** What the next dialogs answer, in order (an empty queue: dismissed). `message`: the button a notification or modal returns. */
export const answers: { quickPick: ((items: unknown[]) => unknown)[]; inputBox: (string | undefined)[]; saveDialog: (Uri | undefined)[]; openDialog: (Uri[] | undefined)[]; message: (string | undefined)[] } = {
  quickPick: [],
  inputBox: [],
  saveDialog: [],
  openDialog: [],
  message: [],
};

/** A SecretStorage in memory, with its change event. */
export class MemorySecretStorage {
  private readonly values = new Map<string, string>();
  private readonly changed = new EventEmitter<{ key: string }>();
  readonly onDidChange = this.changed.event;
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changed.fire({ key });
  }
  /** Changes a value as another window would: only the event tells. */
  storeElsewhere(key: string, value: string): void {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
}
