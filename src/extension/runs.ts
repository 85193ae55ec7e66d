// Running a prompt from the editor: the provider and request from the settings and the secret
// keys, a cancellable progress notification, the status bar, the run file in the workspace's run
// store, and the comparison view filled live as samples finish (re-analysed at most every
// 400 ms, never once per token).
import * as vscode from "vscode";
import { join } from "node:path";
import { Analyzer, runToPromptRecord, type Analysis, type OptimizerSpec, type ParsedRun, type RunHeader } from "../core";
import { defaultThinking } from "../sampling/claude";
import { DEFAULT_MODELS } from "../sampling/defaults";
import type { FinishedSample, Progress } from "../sampling/engine";
import { DEFAULT_PRICES } from "../sampling/prices";
import { recordRun, type RecordPlan } from "../sampling/record";
import { isDeprecation } from "../sampling/sdklog";
import { SimulatedProvider } from "../sampling/simulated";
import type { Provider, SampleRequest, ThinkingMode } from "../sampling/types";
import type { LiveProgress } from "../protocol/webview";
import { readSettings, type Settings } from "./config";
import { heavy } from "./lazy";
import { LanguageModelProvider } from "./lm";
import type { Log } from "./log";
import type { ComparisonPanel } from "./panel";
import type { Secrets } from "./secrets";
import type { StatusBar } from "./status";

export const TOOL = { name: "hotmess-vscode", version: "0.1.0" };

export interface ResolvedProvider {
  provider: Provider;
  name: string;
  model: string;
  baseURL?: string;
  /** Keys in use, to scrub from logs. */
  secrets: string[];
}

/** Thrown with a message and, when it helps, the command that fixes it. */
export class RunSetupError extends Error {
  constructor(
    message: string,
    readonly fix?: { title: string; command: string; args?: unknown[] },
  ) {
    super(message);
  }
}

/** `log` receives the SDKs' own warnings, each distinct one once for the provider's life (a run). */
export async function resolveProvider(settings: Settings, secrets: Secrets, log?: (line: string) => void): Promise<ResolvedProvider> {
  const anthropicKey = await secrets.get("anthropic");
  const openaiKey = await secrets.get("openai");
  const name = settings.provider === "auto" ? (anthropicKey ? "anthropic" : openaiKey ? "openai" : "simulated") : settings.provider;
  const model = settings.model || DEFAULT_MODELS[name] || "";
  switch (name) {
    case "simulated":
      return { provider: new SimulatedProvider(), name, model: settings.model && settings.provider === "simulated" ? settings.model : DEFAULT_MODELS.simulated!, secrets: [] };
    case "anthropic": {
      if (!anthropicKey) throw new RunSetupError("No Anthropic API key is set.", { title: "Set API Key…", command: "hotmess.setApiKey", args: ["anthropic"] });
      const baseURL = settings.anthropicBaseUrl || undefined;
      return { provider: new (heavy().AnthropicProvider)({ apiKey: anthropicKey, ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, model, ...(baseURL ? { baseURL } : {}), secrets: [anthropicKey] };
    }
    case "openai": {
      const baseURL = settings.openaiBaseUrl || undefined;
      if (!openaiKey && !baseURL) throw new RunSetupError("No OpenAI API key is set (a local OpenAI-compatible server needs only the hotmess.openai.baseUrl setting).", { title: "Set API Key…", command: "hotmess.setApiKey", args: ["openai"] });
      const key = openaiKey ?? "not-needed";
      return { provider: new (heavy().OpenAIProvider)({ apiKey: key, ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, model, ...(baseURL ? { baseURL } : {}), secrets: openaiKey ? [openaiKey] : [] };
    }
    case "vscode-lm":
      if (!settings.model) throw new RunSetupError("No language model is chosen for VS Code's Language Model API.", { title: "Select Provider and Model…", command: "hotmess.selectModel" });
      return { provider: new LanguageModelProvider(), name, model: settings.model, secrets: [] };
    default:
      throw new RunSetupError(`Unknown provider "${name}" in the hotmess.provider setting.`, { title: "Open Settings", command: "workbench.action.openSettings", args: ["hotmess.provider"] });
  }
}

export function thinkingFor(settings: Settings, providerName: string, model: string): ThinkingMode {
  if (settings.thinking === "off") return { type: "none" };
  if (settings.thinking === "adaptive") return { type: "adaptive" };
  if (settings.thinking === "budget") return { type: "budget", budgetTokens: settings.thinkingBudget };
  return providerName === "anthropic" ? defaultThinking(model) : { type: "none" };
}

/** Where run files go: the workspace folder's run directory, else the extension's storage. */
export function runDirectory(settings: Settings, context: vscode.ExtensionContext, document?: vscode.TextDocument): string {
  const folder = (document && vscode.workspace.getWorkspaceFolder(document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder && folder.uri.scheme === "file") return join(folder.uri.fsPath, settings.runDirectory);
  return join(context.globalStorageUri.fsPath, "runs");
}

function live(p: Progress, finished: boolean, message?: string): LiveProgress {
  return { target: p.target, done: p.done, failed: p.failed, streaming: p.streaming, retrying: p.retrying, inputTokens: p.inputTokens, outputTokens: p.outputTokens, costUsd: p.costUsd, finished, ...(message ? { message } : {}) };
}

export function progressText(p: Progress): string {
  const parts = [`${p.done}/${p.target} done`];
  if (p.streaming) parts.push(`${p.streaming} streaming`);
  if (p.retrying) parts.push(`${p.retrying} retrying`);
  if (p.failed) parts.push(`${p.failed} failed`);
  const tokens = p.inputTokens + p.outputTokens;
  parts.push(`${tokens >= 1e4 ? `${(tokens / 1e3).toFixed(1)}k` : tokens} tokens`);
  parts.push(p.costUsd === null ? "cost unknown" : `$${p.costUsd < 0.01 ? p.costUsd.toFixed(4) : p.costUsd.toFixed(2)}`);
  return parts.join(" · ");
}

export interface RunRequest {
  prompt: string;
  system?: string;
  title: string;
  /** Settings this prompt overrides (a prompt file's front matter). */
  overrides?: Partial<Settings>;
  /** The prompt file and position it came from. */
  source?: { file: string; prompt: number; id?: string };
  document?: vscode.TextDocument;
  /** Overrides of the settings (a prompt file's front matter, the benchmark). */
  n?: number;
  reference?: string | number;
  benchmark?: OptimizerSpec;
  id?: string;
  /** Force a provider (the benchmark runs the simulated reasoner unless one is configured). */
  provider?: ResolvedProvider;
}

export interface RunOutcome {
  runs: ParsedRun[];
  files: string[];
  analysis: Analysis | null;
  status: "complete" | "cancelled" | "failed";
  message?: string;
}

/** Runs prompts one at a time; the running one can be cancelled. */
export class RunManager {
  private current: AbortController | null = null;
  private listeners = new Set<() => void>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly secrets: Secrets,
    private readonly status: StatusBar,
  ) {}

  get running(): boolean {
    return this.current !== null;
  }

  onDidChange(f: () => void): vscode.Disposable {
    this.listeners.add(f);
    return new vscode.Disposable(() => this.listeners.delete(f));
  }

  /** An SDK's warning (each distinct one comes once a run): to the log, and a deprecation to one notification. */
  private sdkWarning(line: string): void {
    this.log.warn(`run: ${line}`);
    if (!isDeprecation(line)) return;
    const choose = /\bmodel '[^']+' is deprecated/i.test(line) ? ["Select Provider and Model…"] : [];
    void vscode.window.showWarningMessage(`Hot Mess: ${line}`, ...choose).then((pick) => {
      if (pick) void vscode.commands.executeCommand("hotmess.selectModel");
    });
  }

  cancel(): boolean {
    if (!this.current) return false;
    this.current.abort();
    return true;
  }

  /**
   * Reruns each request N times in turn (one panel for all), filling `panel` live. Resolves when
   * all are done, cancelled or failed; every finished sample is in its run file either way.
   */
  async run(requests: RunRequest[], panel: ComparisonPanel): Promise<RunOutcome> {
    if (this.current) throw new RunSetupError("A run is already going: cancel it first (Hot Mess: Cancel Run).", { title: "Cancel Run", command: "hotmess.cancelRun" });
    const settings: Settings = { ...readSettings(requests[0]?.document?.uri), ...requests[0]?.overrides };
    const controller = new AbortController();
    this.current = controller;
    this.listeners.forEach((f) => f());
    const runs: ParsedRun[] = [];
    const files: string[] = [];
    let status: RunOutcome["status"] = "complete";
    let message: string | undefined;
    try {
      const resolved = requests[0]?.provider ?? (await resolveProvider(settings, this.secrets, (line) => this.sdkWarning(line)));
      this.log.setSecrets(resolved.secrets);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Hot Mess", cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          for (const [i, req] of requests.entries()) {
            if (controller.signal.aborted) break;
            const n = req.n ?? settings.n;
            const request: SampleRequest = {
              prompt: req.prompt,
              ...(req.system ? { system: req.system } : {}),
              model: resolved.model,
              maxTokens: settings.maxTokens,
              thinking: resolved.name === "simulated" ? { type: "none" } : thinkingFor(settings, resolved.name, resolved.model),
              ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
            };
            const refused = resolved.provider.check(request);
            if (refused) throw new RunSetupError(refused, resolved.name === "simulated" ? { title: "Set API Key…", command: "hotmess.setApiKey" } : undefined);
            const plan: RecordPlan = {
              provider: resolved.provider,
              providerName: resolved.name,
              ...(resolved.baseURL ? { baseURL: resolved.baseURL } : {}),
              request,
              n,
              concurrency: settings.concurrency,
              idleTimeoutMs: settings.timeoutSeconds * 1000,
              retries: 5,
              prices: { ...DEFAULT_PRICES, ...settings.prices },
              ...(req.reference !== undefined ? { reference: req.reference } : {}),
              ...(req.benchmark ? { benchmark: req.benchmark } : {}),
              ...(req.id ? { id: req.id } : {}),
              ...(req.source ? { source: req.source } : {}),
              outDir: runDirectory(settings, this.context, req.document),
              tool: TOOL,
            };
            const label = requests.length > 1 ? `${req.title} (${i + 1}/${requests.length})` : req.title;
            this.log.info(`run: ${n} samples of ${resolved.model} (${resolved.name}${resolved.baseURL ? ` at ${resolved.baseURL}` : ""}) for ${req.title}`);
            let header: RunHeader | null = null;
            const finished: FinishedSample[] = [];
            let lastPost = 0;
            let timer: ReturnType<typeof setTimeout> | null = null;
            let lastProgress: Progress | null = null;
            let lastReported = 0;
            const postAnalysis = () => {
              timer = null;
              lastPost = Date.now();
              if (!header || finished.length === 0) return;
              const current: ParsedRun = { header, samples: finished.map((s) => ({ type: "sample", ...s })), failures: [], end: null, warnings: [], goodLength: 0, missingNewline: false };
              panel.show(analyze([...runs, current]), { kind: "live", files: [...files] }, `Hot Mess: ${label}`);
            };
            const schedule = () => {
              if (timer) return;
              timer = setTimeout(postAnalysis, Math.max(0, 400 - (Date.now() - lastPost)));
            };
            const recorded = await recordRun(plan, {
              signal: controller.signal,
              onStart: (file, _existing, h) => {
                files.push(file);
                header = h;
                this.log.info(`run: recording to ${file}`);
              },
              onEvent: (e) => {
                if (e.type === "sample") {
                  finished.push(e.sample);
                  schedule();
                } else if (e.type === "retry") this.log.warn(`run: retrying sample ${e.index} (attempt ${e.attempt + 1}) in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
                else if (e.type === "failure") this.log.error(`run: sample ${e.failure.index} failed after ${e.failure.attempts} attempts: ${e.failure.message}`);
                else if (e.type === "progress") {
                  lastProgress = e.progress;
                  const p = e.progress;
                  const doneNow = p.done + p.failed;
                  progress.report({ message: `${label}: ${progressText(p)}`, increment: (100 * (doneNow - lastReported)) / (p.target * requests.length) });
                  lastReported = doneNow;
                  this.status.running(label, p);
                  panel.progress(live(p, false));
                }
              },
            });
            if (timer) clearTimeout(timer);
            runs.push(recorded.run);
            const result = recorded.result;
            if (result) {
              if (result.status !== "complete") {
                status = result.status;
                message = result.message;
              }
              this.log.info(`run: ${result.status}: ${progressText(result.progress)}${result.message ? ` (${result.message})` : ""}`);
              panel.progress(live(lastProgress ?? result.progress, true, result.message));
            }
            if (status !== "complete") break;
          }
        },
      );
    } catch (e) {
      status = "failed";
      message = e instanceof Error ? e.message : String(e);
      this.log.error(`run: ${message}`);
      if (e instanceof RunSetupError) throw e;
    } finally {
      this.current = null;
      this.listeners.forEach((f) => f());
    }
    const withSamples = runs.filter((r) => r.samples.length > 0);
    const analysis = withSamples.length > 0 ? analyze(withSamples) : null;
    if (analysis) {
      panel.show(analysis, { kind: "runs", files }, panel.panel.title);
      this.status.finished(analysis, files, readSettings().incoherenceWarningThreshold);
    } else this.status.idle();
    return { runs, files, analysis, status, ...(message ? { message } : {}) };
  }
}

export function analyze(runs: ParsedRun[]): Analysis {
  const analyzer = new Analyzer({ generator: TOOL });
  for (const r of runs) if (r.samples.length > 0) analyzer.add(runToPromptRecord(r));
  return analyzer.finish();
}
