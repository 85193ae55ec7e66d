// The VS Code host: commands, the comparison panel and its serializer, secrets, the status bar,
// the run manager. Activation is lazy (commands, the panel serializer).
import * as vscode from "vscode";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { benchmarkPrompts, parsePrompt, referenceAnswer } from "../sampling/benchmark";
import { SimulatedProvider } from "../sampling/simulated";
import { DEFAULT_MODELS } from "../sampling/defaults";
import { loadAnalysis, loadView, noUsablePrompt, type Loaded, type LoadedView } from "../report/load";
import type { ExportFormat, RerunFrom, ViewSource } from "../protocol/webview";
import { setReference } from "./setreference";
import { changeClasses } from "./classes";
import { parseRerunInput } from "./rerunInput";
import { RUNS_VIEW, RunsView, age, promptName, type RunRow } from "./sidebar";
import { rerunPoint } from "./rerunpoint";
import { readSettings } from "./config";
import { languageModels } from "./lm";
import { Log } from "./log";
import { ComparisonPanel, VIEW_TYPE, type PanelHandlers } from "./panel";
import { RunManager, RunSetupError, TOOL, resolveProvider, runDirectory, truncateTitle, type ResolvedProvider, type RunOutcome } from "./runs";
import { listRunFiles, readStoredRun, stateBadge } from "./runstore";
import { KEY_PROVIDERS, Secrets, type KeyedProvider } from "./secrets";
import { StatusBar } from "./status";
import { promptRunRequest, registerFolding } from "./prompts";
import { heavy } from "./lazy";
import { LANGUAGE_ID, RUNS_CHANGED_METHOD } from "../protocol/lsp";
import { parsePromptFile, parseTraceLine, redactSecrets, secretsFromEnv, type RunHeader } from "../core";
import { writeFileAtomic } from "../report/write";
import { promptHash } from "../sampling/store";
import { exportBase, writeExport, EXPORT_FORMATS } from "./exports";
import { continueSweep, runSweep, SweepManager, SWEEP_STATUS_COMMAND, sweepName } from "./sweeps";
import { isSweepPath, readFirstLine } from "../sampling/store";
import { isSweepFile, type SweepHeader } from "../core/sweepfile";
import { walkthroughDone } from "./walkthrough";

let log: Log;
/** Every key known (Secrets.known()): nothing shown on screen may contain one. */
let knownSecrets: () => Promise<readonly string[]> = async () => secretsFromEnv(process.env);

/** Shows an error with the command that fixes it, when there is one. */
async function fail(e: unknown): Promise<void> {
  const message = redactSecrets(e instanceof Error ? e.message : String(e), await knownSecrets().catch(() => []));
  log?.error(message);
  const fix = e instanceof RunSetupError ? e.fix : undefined;
  const actions = [...(fix ? [fix.title] : []), "Show Log"];
  const pick = await vscode.window.showErrorMessage(`Hot Mess: ${message}`, ...actions);
  if (pick === "Show Log") log.show();
  else if (fix && pick === fix.title) void vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
}

/** A run's row in a picker: its prompt on one line (the file name when there is no header). */
function runLabel(header: Partial<RunHeader> | null, file: string): string {
  return (typeof header?.prompt === "string" ? header.prompt : basename(file)).replace(/\s+/g, " ").slice(0, 80);
}

/** A run file's row in Open Run… and Retry Run… (`file`: none for Browse…). */
type RunItem = vscode.QuickPickItem & { file?: string; resumable?: boolean };

/**
 * The run files of a directory as picker rows, newest first: the prompt, the time, and for a run
 * that did not complete why (the reason is what the row is for), with a Retry button when it can
 * be continued; every key redacted.
 */
function storeItems(dir: string, known: readonly string[], rows?: (file: string, mtime: number) => RunRow): RunItem[] {
  const retryButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("debug-restart"), tooltip: "Retry: run the samples that did not finish, into the same run file" };
  return listRunFiles(dir).map(({ file, mtime }) => {
    // the figures the Runs view shows (its cache: a file is read again only when it changed), which
    // hold the header and state too; else the store's own cheap read
    const row = rows?.(file, mtime);
    if (row?.sweep) {
      const s = row.sweep;
      return { label: `$(layers) Sweep ${sweepName(s.header, file)}`, description: `${age(mtime)} · ${new Date(mtime).toLocaleString()}`, detail: redactSecrets(`${s.header.mode} · ${s.status}${row.figure ? ` · ${row.figure}` : ""} · ${s.header.model} · ${basename(file)}`, known), file };
    }
    const r = row ? { header: row.header, state: row.state } : readStoredRun(file, mtime, known);
    const h = r.header;
    const badge = stateBadge(r.state);
    const n = row ? (row.planned !== null && row.planned !== row.n ? `n ${row.n}/${row.planned}` : `n ${row.n}`) : `${h?.parameters?.n ?? "?"} reruns`;
    const detail = `${badge ? `${badge} · ` : row?.figure ? `${row.figure} · ` : ""}${h ? `${h.model ?? "?"} · ${n} · ` : ""}${basename(file)}`;
    return { label: runLabel(h, file), description: `${age(mtime)} · ${new Date(mtime).toLocaleString()}`, detail: redactSecrets(detail, known), file, ...(r.state?.resumable ? { resumable: true, buttons: [retryButton] } : {}) };
  });
}

/**
 * A run's tab: its prompt's name (its id when a person gave it, else its first line) and when it
 * ran ("ducks · 14:05", "ducks · 4 Dec 09:00"); the file's name when it is no run file.
 */
function runTitle(file: string): string {
  const first = readFirstLine(file);
  if (isSweepFile(first)) return `sweep ${sweepName(JSON.parse(first) as SweepHeader, file)}`;
  const header = readStoredRun(file, 0).header;
  if (!header?.prompt || !header.id) return basename(file);
  const at = new Date(header.createdAt ?? NaN);
  if (Number.isNaN(at.getTime())) return promptName(header as { id: string; prompt: string }, file);
  const today = new Date().toDateString() === at.toDateString();
  const hm = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return `${promptName(header as { id: string; prompt: string }, file)} · ${today ? hm : `${at.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${hm}`}`;
}

/**
 * The runs whose banners the view shows: a sweep's prompts are runs of one file, hundreds of
 * them; a prompt whose batch is still out is no news (the status bar follows the batch), and of
 * the others at most 10 per sweep file get a banner (the Runs view and the sweep's status have the counts).
 */
function bannerRuns(runs: LoadedView["runs"]): LoadedView["runs"] {
  const perFile = new Map<string, number>();
  const sweep = new Map<string, boolean>();
  return runs.filter((r) => {
    const isSweep = sweep.get(r.file) ?? (sweep.set(r.file, isSweepPath(r.file)), sweep.get(r.file)!);
    if (!isSweep) return true;
    if (r.state.status === "complete" || r.state.status === "unfinished") return false;
    const k = (perFile.get(r.file) ?? 0) + 1;
    perFile.set(r.file, k);
    return k <= 10;
  });
}

function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      "Hot Mess: rerunning a prompt is off in an untrusted workspace (it sends the prompt to a model and writes run files here). Viewing runs works.",
      "Manage Workspace Trust",
    )
    .then((pick) => pick && vscode.commands.executeCommand("workbench.trust.manage"));
  return false;
}

export function activate(context: vscode.ExtensionContext): void {
  const started = Date.now();
  log = new Log();
  const secrets = new Secrets(context.secrets);
  const status = new StatusBar();
  const runs = new RunManager(context, log, secrets, status);
  context.subscriptions.push(log, status, secrets);
  // the log scrubs every key known: the stored ones as soon as they are read, and after a change
  knownSecrets = () => secrets.known();
  const redactLog = () => void secrets.known().then((keys) => log.setSecrets(keys));
  redactLog();
  context.subscriptions.push(secrets.onDidChange(redactLog));
  void vscode.commands.executeCommand("setContext", "hotmess.running", false);
  context.subscriptions.push(
    runs.onDidChange(() => {
      void vscode.commands.executeCommand("setContext", "hotmess.running", runs.running);
      if (runs.running) walkthroughDone("rerun");
    }),
  );

  const handlers: PanelHandlers = {
    onExport: (panel, format) => void exportPanel(panel, format),
    onCancel: () => runs.cancel(),
    onResume: (panel, file) => {
      // only a run file this panel shows: the view renders untrusted text and names no other file
      if (!panel.files.includes(file)) return;
      // a sweep's prompt: the sweep continues (live) or its batches are polled
      if (isSweepPath(file)) return void vscode.commands.executeCommand("hotmess.continueSweep", file);
      void resumeInto(file, panel);
    },
    onRerunFrom: (panel, point) => void rerunFrom(panel, point).catch(fail),
    onSetReference: (panel, m) =>
      void (async () => {
        const source = panel.source;
        if (!source || !(await setReference(source, m, panel.references))) return;
        await showFiles(source.kind === "traces" ? [source.file] : source.files, source.kind === "traces" ? "traces" : "runs", panel);
      })().catch(fail),
    onChangeClasses: (panel, m) =>
      void (async () => {
        const source = panel.source;
        if (!source) return;
        if (source.kind === "live" && runs.running) {
          void vscode.window.showInformationMessage("Hot Mess: the run is still writing its file: change its classes when it has finished.");
          return;
        }
        const settings = readSettings();
        if (!(await changeClasses(source, m, { settings, resolve: () => resolveProvider(settings, secrets, (l) => log.warn(l)), log: (l) => log.info(l) }))) return;
        await showFiles(source.kind === "traces" ? [source.file] : source.files, source.kind === "traces" ? "traces" : "runs", panel);
      })().catch(fail),
    secrets: () => secrets.known(),
  };
  const newPanel = (title: string) => ComparisonPanel.create(context.extensionUri, title, handlers);

  const load = (files: string[]): Loaded => loadAnalysis(files, { generator: TOOL });

  /**
   * Shows files in a panel (a new one unless given): the analysis of what finished and a banner
   * for each run that failed, is partial or was interrupted. A run where no sample finished
   * still opens (the banner says why and shows the prompt, with Retry).
   */
  const showFiles = async (files: string[], kind: ViewSource["kind"], panel?: ComparisonPanel, compare = false): Promise<LoadedView> => {
    const loaded = loadView(files, { generator: TOOL, secrets: await secrets.known(), ...(panel?.references.size ? { references: panel.references } : {}) });
    if (!loaded.analysis && loaded.runs.length === 0) throw noUsablePrompt(files, loaded);
    const source: ViewSource = kind === "traces" ? { kind: "traces", file: files[0]! } : { kind: "runs", files, ...(compare || (panel?.source?.kind === "runs" && panel.source.compare) ? { compare: true } : {}) };
    const title = `Hot Mess: ${files.length === 1 ? (kind === "traces" ? basename(files[0]!) : runTitle(files[0]!)) : compare ? `${runTitle(files[0]!)} → ${runTitle(files[1]!)}` : `${files.length} runs`}`;
    const target = panel ?? newPanel(title);
    if (loaded.analysis) target.show(loaded.analysis, source, title);
    target.showRuns(bannerRuns(loaded.runs), source, title);
    if (loaded.skipped.length > 0) {
      log.warn(`${loaded.skipped.length} problem(s) reading ${files.join(", ")}:`);
      for (const s of loaded.skipped.slice(0, 50)) log.warn(`  ${basename(s.file)} line ${s.line}: ${s.message}`);
      void vscode.window.showWarningMessage(`Hot Mess: ${loaded.skipped.length} line(s) were skipped (first: line ${loaded.skipped[0]!.line}: ${loaded.skipped[0]!.message}).`, "Show Log").then((p) => p && log.show());
    }
    return loaded;
  };

  /** The status bar after opening runs: that one failed (or partly), else its figure. */
  const showStatus = (loaded: LoadedView, files: string[]): void => {
    const trouble = loaded.runs.find((r) => r.state.status === "failed" || r.state.status === "partial");
    if (trouble) status.failed(trouble.state, files);
    else if (loaded.analysis) status.finished(loaded.analysis, files, readSettings().incoherenceWarningThreshold);
  };

  /**
   * Retry: continues a run file into the panel that shows it (or a new one), in a trusted
   * workspace only. When it cannot start (Restricted Mode, no key, another run going), the
   * panel's banners are sent again as they were, with their Retry button back.
   */
  async function resumeInto(file: string, panel?: ComparisonPanel): Promise<void> {
    const target = panel ?? ComparisonPanel.showing(file);
    const shown = target?.files.length ? target.files : [file];
    const refresh = () => {
      if (target && !target.isDisposed) target.showRunsAgain();
    };
    if (!requireTrust()) return refresh();
    const view = target ?? newPanel(`Hot Mess: ${basename(file)}`);
    let outcome: RunOutcome;
    try {
      outcome = await runs.resume(file, view);
    } catch (e) {
      refresh();
      if (!target) view.dispose();
      return fail(e);
    }
    // a panel of several runs shows them all again, the continued one as it is now
    if (shown.length > 1 && !view.isDisposed) await showFiles(shown, "runs", view);
    report(outcome, view);
  }

  /**
   * "Rerun from here" on a step of a run the panel shows: the prefix before it read from the
   * panel's files, then how many reruns and which next action is expected (one input, one pick),
   * then a run of the next action in a new panel (`hotmess run --conversation … --before-action`).
   */
  async function rerunFrom(panel: ComparisonPanel, at: RerunFrom): Promise<void> {
    if (!requireTrust()) return;
    if (!panel.source) throw new Error("this view has no run to rerun from yet");
    const point = rerunPoint(panel.source, at);
    const settings = readSettings();
    const c = point.conversation;
    const nText = await vscode.window.showInputBox({
      title: `Rerun from here: ${point.title}`,
      prompt: `How many times to sample what the agent does next, with everything before it frozen (${c.messages.length} messages, ${c.tools.length} tools declared${c.system ? ", its system prompt" : ""})${settings.rolloutSteps > 0 ? `; each rerun goes on for up to ${settings.rolloutSteps} actions, answered by the results recorded for ${point.title.split(" · ")[0]}${settings.toolCommand.length ? ` or by ${basename(settings.toolCommand[0]!)}` : ""} (hotmess.rollout.steps)` : ""}`,
      value: String(settings.n),
      validateInput: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 1000 ? null : "a whole number of reruns, from 1 to 1000"),
    });
    if (nText === undefined) return;
    const n = Number(nText);
    let reference: string | undefined;
    if (point.recorded) {
      const { name, key } = point.recorded;
      const pick = await vscode.window.showQuickPick(
        [
          { label: name, description: `any call of ${name}: what run #${at.run} did here`, value: name as string | undefined },
          { label: key.length > 90 ? key.slice(0, 89) + "…" : key, description: "exactly this call, arguments included", value: key as string | undefined },
          { label: "No expected action", description: "the split and its spread, without accuracy", value: undefined as string | undefined },
        ],
        { title: `Rerun from here ×${n}: the expected next action`, placeHolder: "Which next action is right? Accuracy, incoherence and pass^k are measured against it" },
      );
      if (!pick) return;
      reference = pick.value;
    }
    const view = newPanel(`Hot Mess: ${point.title} ×${n}`);
    view.progress({ target: n, done: 0, failed: 0, streaming: 0, retrying: 0, inputTokens: 0, outputTokens: 0, costUsd: null, finished: false });
    const outcome = await runs
      .run([{ prompt: point.label, title: point.title, conversation: c, replay: point.replay, n, id: `${point.id}-${Date.now().toString(36)}`, ...(reference !== undefined ? { reference } : {}) }], view)
      .catch(async (e) => {
        view.dispose();
        throw e;
      });
    report(outcome, view);
  }

  async function exportPanel(panel: ComparisonPanel | undefined, format?: ExportFormat): Promise<void> {
    const target = panel ?? ComparisonPanel.active();
    if (!target?.analysis || !target.source) {
      void vscode.window.showInformationMessage("Hot Mess: open a comparison first (Rerun Selection, Open Run… or Import Traces…).");
      return;
    }
    const fmt =
      format ??
      (await vscode.window.showQuickPick(
        EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, format: f.id })),
        { title: "Export Comparison", placeHolder: "Format" },
      ))?.format;
    if (!fmt) return;
    const files = target.source.kind === "traces" ? [target.source.file] : target.source.files;
    const def = EXPORT_FORMATS.find((f) => f.id === fmt)!;
    // beside the prompt file the run came from, not in the hidden run store
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
    const base = exportBase(files, folders);
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${base}.${def.extension}`), filters: { [def.label]: [def.extension] }, title: "Export Comparison" });
    if (!uri) return;
    try {
      const loaded = load(files);
      const secretsInUse = (await Promise.all(KEY_PROVIDERS.map((k) => secrets.get(k.id)))).filter((s): s is string => !!s);
      const written = await writeExport(uri, fmt, loaded, secretsInUse);
      walkthroughDone("share");
      log.info(`export: ${fmt} → ${written.join(", ")}`);
      const also = written.length > 1 ? ` (with the comparison view ${basename(written[1]!)} beside it, linked)` : "";
      const pick = await vscode.window.showInformationMessage(`Hot Mess: exported ${def.label} to ${basename(uri.fsPath)}${also}.`, "Open", "Reveal in File Explorer");
      // Markdown opens rendered, as a reviewer reads it
      if (pick === "Open") void vscode.commands.executeCommand(fmt === "md" ? "markdown.showPreview" : "vscode.open", uri);
      else if (pick === "Reveal in File Explorer") void vscode.commands.executeCommand("revealFileInOS", uri);
    } catch (e) {
      await fail(e);
    }
  }

  const command = (id: string, f: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await f(...args);
        } catch (e) {
          await fail(e);
        }
      }),
    );

  command("hotmess.rerunSelection", async () => {
    if (!requireTrust()) return;
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage("Hot Mess: open a prompt in an editor, select it (or leave nothing selected for the whole file) and run this again.");
      return;
    }
    // In a prompt file with nothing selected: the prompt under the cursor, with its front matter.
    if (editor.selection.isEmpty && editor.document.languageId === LANGUAGE_ID) {
      const line = editor.selection.active.line;
      const prompts = parsePromptFile(editor.document.getText(), promptHash);
      const at = prompts.find((p) => p.range.start.line <= line && line <= p.range.end.line) ?? prompts[0];
      if (at) return vscode.commands.executeCommand("hotmess.rerunPrompt", editor.document.uri, at.index);
    }
    const text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
    if (text.trim() === "") {
      void vscode.window.showInformationMessage("Hot Mess: the selection is empty.");
      return;
    }
    const settings = readSettings(editor.document.uri);
    const first = truncateTitle(text);
    // An optimizer-emulation prompt is scored step by step against its true trajectory.
    const spec = parsePrompt(text.trim());
    const bench = spec ? { benchmark: spec, reference: referenceAnswer(spec) } : {};
    // a selection has no front matter: how many reruns, and the right answer if known, in one input
    let asked: { n: number; reference?: string } = { n: settings.n };
    if (!spec && vscode.workspace.getConfiguration("hotmess").get<boolean>("rerunSelection.ask", true)) {
      const answer = await vscode.window.showInputBox({
        title: "Rerun Selection N Times",
        value: String(settings.n),
        valueSelection: [0, String(settings.n).length],
        prompt: "How many reruns, then the right answer if you know it: 8 · 8 18 · 10 Paris. With a right answer the view shows the incoherence; without one, only how the answers spread.",
        validateInput: (v) => {
          const r = parseRerunInput(v, settings.n);
          return "error" in r ? r.error : null;
        },
      });
      if (answer === undefined) return;
      const r = parseRerunInput(answer, settings.n);
      if ("error" in r) return;
      asked = r;
    }
    const panel = newPanel(`Hot Mess: ${first}`);
    panel.progress({ target: asked.n, done: 0, failed: 0, streaming: 0, retrying: 0, inputTokens: 0, outputTokens: 0, costUsd: null, finished: false });
    const outcome = await runs.run([{ prompt: text, title: first, document: editor.document, ...bench, ...(spec ? {} : { n: asked.n, ...(asked.reference !== undefined ? { reference: asked.reference } : {}) }) }], panel).catch(async (e) => {
      panel.dispose();
      throw e;
    });
    report(outcome, panel);
  });

  /** Tells how a run ended when it did not complete: a failure, a cancel, or a partial run (with Retry). */
  function report(outcome: RunOutcome, panel: ComparisonPanel): void {
    const { status, message } = outcome;
    if (status === "failed") {
      // a key the server refused: the notification's button sets one
      const auth = outcome.runs.find((r) => r.state.failures.some((f) => f.kind === "auth"));
      const provider = auth?.run.header.provider;
      void fail(auth ? new RunSetupError(message ?? "the run failed", { title: "Set API Key…", command: "hotmess.setApiKey", args: provider === "anthropic" || provider === "openai" ? [provider] : [] }) : new Error(message ?? "the run failed"));
    }
    else if (status === "cancelled") void vscode.window.showInformationMessage(`Hot Mess: ${message ?? "cancelled"}.`);
    else if (status === "partial") void reportPartial(outcome, panel);
  }

  async function reportPartial(outcome: RunOutcome, panel: ComparisonPanel): Promise<void> {
    const partial = outcome.runs.find((r) => r.state.status === "partial");
    if (!partial) return;
    const { state, file } = partial;
    const text = redactSecrets(`Hot Mess: ${state.summary}${state.reason ? ` (${state.reason})` : ""}. Retry runs the missing samples into the same run file.`, await secrets.known());
    const pick = await vscode.window.showWarningMessage(text, "Retry", "Show Log");
    if (pick === "Retry") void resumeInto(file, panel.isDisposed ? undefined : panel);
    else if (pick === "Show Log") log.show();
  }

  command("hotmess.runBenchmark", async () => {
    if (!requireTrust()) return;
    const settings = readSettings();
    const pick = await vscode.window.showQuickPick(
      [
        { label: "All three", description: "easy, medium, hard", value: ["easy", "medium", "hard"] },
        { label: "Easy", description: "d = 2, κ = 3, 8 steps of gradient descent", value: ["easy"] },
        { label: "Medium", description: "d = 3, κ = 10, 12 steps of gradient descent", value: ["medium"] },
        { label: "Hard", description: "d = 4, κ = 30, 20 steps of fixed-norm steepest descent", value: ["hard"] },
      ],
      { title: "Run Optimizer Benchmark", placeHolder: `Difficulty (${settings.n} reruns each, ${settings.provider === "auto" ? "the configured provider" : settings.provider})` },
    );
    if (!pick) return;
    const prompts = benchmarkPrompts(pick.value, 1);
    const panel = newPanel("Hot Mess: optimizer benchmark");
    const provider: ResolvedProvider | undefined = settings.provider === "auto" || settings.provider === "simulated" ? { provider: new SimulatedProvider(), name: "simulated", model: DEFAULT_MODELS.simulated! } : undefined;
    const outcome = await runs.run(
      prompts.map((p) => ({ prompt: p.prompt, title: p.id, reference: p.reference, benchmark: p.spec, id: `${p.id}-seed1`, ...(provider ? { provider } : {}) })),
      panel,
    );
    report(outcome, panel);
  });

  command("hotmess.rerunPrompt", async (uri?: unknown, index?: unknown) => {
    if (!requireTrust()) return;
    // from a code lens the arguments arrive as JSON: the URI is a string
    const target = typeof uri === "string" ? vscode.Uri.parse(uri) : uri;
    if (!(target instanceof vscode.Uri) || typeof index !== "number") throw new Error("rerunPrompt needs a prompt file and a prompt index (it is meant for the code lens above each prompt)");
    const req = await promptRunRequest(target, index);
    const spec = parsePrompt(req.prompt.trim());
    const bench = spec && req.reference === undefined ? { benchmark: spec, reference: referenceAnswer(spec) } : spec ? { benchmark: spec } : {};
    const panel = newPanel(`Hot Mess: ${req.title}`);
    const outcome = await runs.run([{ ...req, ...bench }], panel).catch(async (e) => {
      panel.dispose();
      throw e;
    });
    report(outcome, panel);
  });

  command("hotmess.openRunFile", async (file?: unknown) => {
    if (typeof file !== "string") throw new Error("openRunFile needs the path of a run file");
    showStatus(await showFiles([file], "runs"), [file]);
  });

  // the prompt file's "Δ since the previous version" lens: the two runs in one view
  command("hotmess.compareRuns", async (before?: unknown, after?: unknown) => {
    if (typeof before !== "string" || typeof after !== "string") throw new Error("compareRuns needs the paths of two run files");
    showStatus(await showFiles([before, after], "runs", undefined, true), [after]);
  });

  command("hotmess.resumeRun", async (file?: unknown) => {
    if (file !== undefined && typeof file !== "string") throw new Error("resumeRun takes the path of a run file");
    if (!requireTrust()) return;
    let target = file;
    if (target === undefined) {
      // the runs of the store that can be continued: failed, partial, cancelled or interrupted
      const dir = runDirectory(readSettings(), context, vscode.window.activeTextEditor?.document);
      const items = storeItems(dir, await secrets.known()).filter((i) => i.resumable);
      if (items.length === 0) {
        void vscode.window.showInformationMessage(`Hot Mess: no run in ${dir} has samples left to run (each one completed).`);
        return;
      }
      const pick = await vscode.window.showQuickPick(items, { title: "Retry Run", placeHolder: "A run to continue: its samples that did not finish run again, into the same file", matchOnDetail: true });
      if (!pick) return;
      target = pick.file!;
    }
    await resumeInto(target);
  });

  command("hotmess.cancelRun", () => {
    if (!runs.cancel()) void vscode.window.showInformationMessage("Hot Mess: no run is going.");
  });

  command("hotmess.setApiKey", async (which?: unknown) => {
    let provider = KEY_PROVIDERS.find((k) => k.id === which);
    if (!provider) {
      const items = await Promise.all(KEY_PROVIDERS.map(async (k) => ({ label: k.label, description: { stored: "a key is stored", environment: `using ${k.env} from the environment`, none: "no key" }[await secrets.origin(k.id)], id: k.id })));
      const pick = await vscode.window.showQuickPick(items, { title: "Set API Key", placeHolder: "Which provider?" });
      if (!pick) return;
      provider = KEY_PROVIDERS.find((k) => k.id === pick.id)!;
    }
    const value = await vscode.window.showInputBox({
      title: `${provider.label} API key`,
      prompt: `Stored in VS Code's secret storage, never in settings, logs or exports. ${provider.hint}. Leave empty to remove the stored key.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v && /\s/.test(v.trim()) ? "A key has no spaces." : null),
    });
    if (value === undefined) return;
    if (value.trim() === "") {
      await secrets.delete(provider.id as KeyedProvider);
      void vscode.window.showInformationMessage(`Hot Mess: the stored ${provider.label} key was removed.`);
    } else {
      await secrets.set(provider.id as KeyedProvider, value.trim());
      walkthroughDone("model");
      log.info(`${provider.label} key stored in the secret storage`);
      void vscode.window.showInformationMessage(`Hot Mess: ${provider.label} key stored.`);
    }
  });

  command("hotmess.selectModel", async () => {
    const settings = readSettings();
    type Item = vscode.QuickPickItem & { provider?: string; model?: string };
    const items: Item[] = [
      { label: "Simulated reasoner", description: "offline, no model is called; answers any prompt with a labelled simulated trace", provider: "simulated", model: "" },
      { label: "", kind: vscode.QuickPickItemKind.Separator },
    ];
    for (const [provider, models] of [
      ["anthropic", ["claude-sonnet-5-5", "claude-haiku-5-5", "claude-opus-5-5", "claude-fable-5-2"]],
      ["openai", ["gpt-5.6-terra", "gpt-5.6-luna", "gpt-5.6-sol"]],
    ] as const) {
      const origin = await secrets.origin(provider);
      for (const m of models) items.push({ label: m, description: `${provider}${origin === "none" ? " · needs an API key" : ""}`, provider, model: m });
    }
    const lm = await languageModels();
    if (lm.length > 0) {
      items.push({ label: "VS Code language models", kind: vscode.QuickPickItemKind.Separator });
      for (const m of lm) items.push({ label: m.name, description: `${m.vendor} · ${m.family}`, detail: m.id, provider: "vscode-lm", model: m.id });
    }
    items.push({ label: "", kind: vscode.QuickPickItemKind.Separator }, { label: "Other model id…", description: "type any model id for Anthropic or an OpenAI-compatible server" });
    const pick = await vscode.window.showQuickPick(items, { title: "Select Provider and Model", placeHolder: `Now: ${settings.provider}${settings.model ? ` · ${settings.model}` : ""}`, matchOnDescription: true });
    if (!pick) return;
    let provider = pick.provider;
    let model = pick.model;
    if (!provider) {
      const p = await vscode.window.showQuickPick(["anthropic", "openai"], { title: "Provider of the model" });
      if (!p) return;
      const m = await vscode.window.showInputBox({ title: "Model id", prompt: "As the provider names it, e.g. claude-sonnet-5-5, gpt-5.6-terra, llama3.2" });
      if (!m) return;
      provider = p;
      model = m.trim();
    }
    const config = vscode.workspace.getConfiguration("hotmess");
    await config.update("provider", provider, vscode.ConfigurationTarget.Global);
    await config.update("model", model ?? "", vscode.ConfigurationTarget.Global);
    walkthroughDone("model");
    if ((provider === "anthropic" || provider === "openai") && (await secrets.origin(provider)) === "none") {
      const set = await vscode.window.showInformationMessage(`Hot Mess: ${model} needs a ${provider} API key.`, "Set API Key…");
      if (set) void vscode.commands.executeCommand("hotmess.setApiKey", provider);
    }
  });

  command("hotmess.openRun", async () => {
    const settings = readSettings();
    const dir = runDirectory(settings, context, vscode.window.activeTextEditor?.document);
    const known = await secrets.known();
    const items = storeItems(dir, known, (file, mtime) => runsView.rowOf(file, mtime, known));
    const runsListed = items.length;
    items.push({ label: "$(folder-opened) Browse…", description: "a run file or a trace set anywhere" });
    const picked = await new Promise<{ item: RunItem; retry: boolean } | undefined>((resolve) => {
      const qp = vscode.window.createQuickPick<RunItem>();
      qp.title = "Open Run";
      qp.placeholder = runsListed ? `Runs in ${dir}` : `No runs in ${dir} yet`;
      qp.matchOnDetail = true;
      qp.items = items;
      let done = false;
      const finish = (v: { item: RunItem; retry: boolean } | undefined) => {
        if (done) return;
        done = true;
        resolve(v);
        qp.dispose();
      };
      qp.onDidAccept(() => finish(qp.selectedItems[0] ? { item: qp.selectedItems[0], retry: false } : undefined));
      qp.onDidTriggerItemButton((e) => finish({ item: e.item, retry: true }));
      qp.onDidHide(() => finish(undefined));
      qp.show();
    });
    if (!picked) return;
    if (picked.retry && picked.item.file) return resumeInto(picked.item.file);
    let files = picked.item.file ? [picked.item.file] : undefined;
    if (!files) {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { "Runs and trace sets": ["jsonl"] }, title: "Open Run" });
      if (!uris?.length) return;
      files = uris.map((u) => u.fsPath);
    }
    showStatus(await showFiles(files, "runs"), files);
  });

  // A trace set opens as it is; logs other tools wrote (τ-bench, Inspect AI, Claude Code, OTel,
  // promptfoo, chat conversations) are imported as `hotmess import` does, written to
  // .hotmess/imports/ beside the runs (atomically, keys redacted), and opened from there.
  command("hotmess.importTraces", async () => {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      filters: { "Trace sets and logs of other tools": ["jsonl", "json", "eval"], "All files": ["*"] },
      title: "Import Traces",
    });
    if (!uris?.length) return;
    const paths = uris.map((u) => u.fsPath);
    if (paths.length === 1 && isTraceSet(paths[0]!)) return showFiles([paths[0]!], "traces");
    const { importFiles, ImportFormatError } = heavy();
    let result: ReturnType<typeof importFiles>;
    try {
      result = importFiles(paths.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) })));
    } catch (e) {
      if (e instanceof ImportFormatError) return void vscode.window.showErrorMessage(`Hot Mess: ${e.message}`);
      throw e;
    }
    log.info(`import: ${result.summary}`);
    for (const p of result.problems) log.warn(`import: ${p.where}: ${p.message}`);
    if (result.prompts.length === 0) return void vscode.window.showErrorMessage(`Hot Mess: nothing imported from ${basename(paths[0]!)} (${result.summary}).`, "Show Log").then((b) => b && log.show());
    const dir = join(dirname(runDirectory(readSettings(), context, vscode.window.activeTextEditor?.document)), "imports");
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${basename(paths[0]!).replace(/\.[^.]*$/, "")}.${result.format}.jsonl`);
    const keys = await secrets.known();
    writeFileAtomic(out, result.prompts.map((r) => redactSecrets(JSON.stringify(r), keys) + "\n"));
    const skipped = result.problems.length > 0 ? ` ${result.problems.length} part(s) skipped (see the log).` : "";
    void vscode.window.showInformationMessage(`Hot Mess: ${result.summary}. Written to ${vscode.workspace.asRelativePath(out)}.${skipped}`, ...(skipped ? ["Show Log"] : [])).then((b) => b && log.show());
    await showFiles([out], "traces");
  });

  command("hotmess.exportComparison", (format?: unknown) => exportPanel(undefined, typeof format === "string" ? (format as ExportFormat) : undefined));

  command("hotmess.openLastRun", async () => {
    if (status.lastFiles.length === 0) return vscode.commands.executeCommand("hotmess.openRun");
    await showFiles(status.lastFiles, "runs");
  });

  command("hotmess.showLog", () => log.show());

  // ---- the Runs view (activity bar): the run store by prompt file, refreshed as run files change
  const viewDirs = (): string[] => {
    const settings = readSettings();
    const dirs = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => join(f.uri.fsPath, settings.runDirectory));
    return [...dirs, join(context.globalStorageUri.fsPath, "runs")];
  };
  const runsView = new RunsView(viewDirs, () => secrets.known());
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshRuns = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => runsView.refresh(), 300);
  };
  const watcher = vscode.workspace.createFileSystemWatcher("**/*.jsonl");
  context.subscriptions.push(
    runsView,
    vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: runsView, canSelectMany: true, showCollapseAll: true }),
    watcher,
    watcher.onDidCreate(refreshRuns),
    watcher.onDidChange(refreshRuns),
    watcher.onDidDelete(refreshRuns),
    runs.onDidChange(refreshRuns),
    { dispose: () => clearTimeout(refreshTimer) },
  );
  // ---- sweeps (issue 18): Run Sweep…, the sweep status bar item, polling resumed on activation
  const sweeps = new SweepManager({ log, secrets, dirs: viewDirs, open: (file) => showFiles([file], "runs") });
  context.subscriptions.push(sweeps, sweeps.onDidChange(refreshRuns));
  const sweepDeps = {
    manager: sweeps,
    log,
    secrets,
    runDirectory: () => runDirectory(readSettings(), context, vscode.window.activeTextEditor?.document),
    workspaceFolder: () => (vscode.workspace.workspaceFolders ?? []).find((f) => f.uri.scheme === "file")?.uri.fsPath,
    open: (file: string) => showFiles([file], "runs"),
  };
  const sweepFileOf = (arg: unknown): string | undefined => {
    const row = rowOf(arg);
    return row ? row.file : typeof arg === "string" ? arg : undefined;
  };
  command("hotmess.runSweep", async (arg?: unknown) => {
    if (!requireTrust()) return;
    await runSweep(sweepDeps, arg);
  });
  command(SWEEP_STATUS_COMMAND, (file?: unknown) => sweeps.showStatus(typeof file === "string" ? file : undefined));
  command("hotmess.resumeSweep", async (arg?: unknown) => {
    const file = sweepFileOf(arg);
    if (!file || !requireTrust()) return;
    await continueSweep(sweepDeps, file);
  });
  command("hotmess.continueSweep", async (arg?: unknown) => {
    const file = sweepFileOf(arg);
    if (!file || !requireTrust()) return;
    await continueSweep(sweepDeps, file);
  });
  command("hotmess.resubmitSweep", async (arg?: unknown) => {
    const file = sweepFileOf(arg);
    if (!file || !requireTrust()) return;
    await sweeps.resubmit(file);
  });
  command("hotmess.cancelSweepBatch", async (arg?: unknown) => {
    const file = sweepFileOf(arg);
    if (!file || !requireTrust()) return;
    await sweeps.cancel(file);
  });
  // every sweep with batches out polls again, once activation is over (it reads the run store)
  const resumeTimer = setTimeout(() => void sweeps.resumeAll().catch((e) => log.warn(`sweeps: ${(e as Error).message}`)), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(resumeTimer) });

  function rowOf(node: unknown): RunRow | null {
    return node && typeof node === "object" && (node as { kind?: unknown }).kind === "run" ? (node as { row: RunRow }).row : null;
  }
  command("hotmess.refreshRuns", () => runsView.refresh());
  // two runs selected in the view (Ctrl+click): one comparison view of both, the older first
  command("hotmess.compareSelectedRuns", async (node?: unknown, selected?: unknown) => {
    const rows = (Array.isArray(selected) ? selected : [node]).map(rowOf).filter((r): r is RunRow => r !== null);
    if (rows.length !== 2) {
      void vscode.window.showInformationMessage("Hot Mess: select two runs in the Runs view (Ctrl+click the second) to compare them.");
      return;
    }
    const [older, newer] = [...rows].sort((a, b) => a.mtime - b.mtime);
    return vscode.commands.executeCommand("hotmess.compareRuns", older!.file, newer!.file);
  });
  command("hotmess.deleteRun", async (node?: unknown) => {
    const row = rowOf(node);
    if (!row) return;
    const s = row.sweep;
    const pick = s
      ? await vscode.window.showWarningMessage(`Delete the sweep ${basename(row.file)}?`, { modal: true, detail: `${sweepName(s.header, row.file)} · ${s.status}.${s.openBatches ? " Its batches go on at the provider, but their results will not be collected here." : ""} The file is moved to the trash where the system has one.` }, "Delete")
      : await vscode.window.showWarningMessage(`Delete the run ${basename(row.file)}?`, { modal: true, detail: `${promptName(row.header, row.file)} · n ${row.n}. The file is moved to the trash where the system has one.` }, "Delete");
    if (pick !== "Delete") return;
    await sweeps.stop(row.file);
    await vscode.workspace.fs.delete(vscode.Uri.file(row.file), { useTrash: true }).then(undefined, () => vscode.workspace.fs.delete(vscode.Uri.file(row.file), { useTrash: false }));
    runsView.refresh();
  });
  command("hotmess.rerunRun", async (node?: unknown) => {
    const row = rowOf(node);
    const source = row?.header?.source;
    if (!row || !source) return;
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
    const file = isAbsolute(source.file) ? source.file : folders.map((d) => join(d, source.file)).find((f) => existsSync(f));
    if (!file || !existsSync(file)) {
      void vscode.window.showWarningMessage(`Hot Mess: the prompt file ${source.file} of this run is not in the workspace any more.`);
      return;
    }
    return vscode.commands.executeCommand("hotmess.rerunPrompt", vscode.Uri.file(file), source.prompt);
  });
  command("hotmess.retryRunFromView", (node?: unknown) => {
    const row = rowOf(node);
    if (row) return vscode.commands.executeCommand("hotmess.resumeRun", row.file);
  });

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown) {
        const panel = ComparisonPanel.revive(webviewPanel, context.extensionUri, handlers);
        const source = (state as { source?: ViewSource } | undefined)?.source;
        const files = source ? (source.kind === "traces" ? [source.file] : source.files) : [];
        try {
          if (files.length === 0) throw new Error("nothing to restore");
          await showFiles(files, source!.kind === "traces" ? "traces" : "runs", panel);
        } catch (e) {
          log.warn(`could not restore a comparison: ${(e as Error).message}`);
          panel.dispose();
        }
      },
    }),
  );
  // The language server starts with the first prompt file, not before.
  let client: ReturnType<ReturnType<typeof heavy>["startLanguageClient"]> | null = null;
  const ensureClient = (doc: vscode.TextDocument) => {
    if (!client && doc.languageId === LANGUAGE_ID) client = heavy().startLanguageClient(context);
  };
  vscode.workspace.textDocuments.forEach(ensureClient);
  context.subscriptions.push(registerFolding());
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(ensureClient));
  context.subscriptions.push(
    runs.onDidChange(() => {
      // by method name: the client lives in its own bundle with its own copy of the protocol types
      if (!runs.running && client) void client.sendNotification(RUNS_CHANGED_METHOD, {});
    }),
  );

  log.info(`activated in ${Date.now() - started} ms`);
}

/** Whether a file is a hotmess trace set already: its first line is a prompt record (FORMATS.md). */
function isTraceSet(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    // read until the end of the first non-blank line (a trace set's line can be megabytes)
    const chunks: Buffer[] = [];
    let text = "";
    for (let at = 0; ; ) {
      const buf = Buffer.alloc(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      if (at === 0 && buf[0] === 0x50 && buf[1] === 0x4b) return false; // a zip (an Inspect .eval)
      chunks.push(buf.subarray(0, n));
      at += n;
      text = Buffer.concat(chunks).toString("utf8");
      if (/\S[^\n]*\n/.test(text)) break;
    }
    const first = text.split("\n").find((l) => l.trim() !== "");
    if (first === undefined) return false;
    const parsed = parseTraceLine(first, 1);
    return parsed !== null && "record" in parsed;
  } finally {
    closeSync(fd);
  }
}

export function deactivate(): void {
  // runs stop with the extension host; their files are complete up to the last sample
}
