// Running a prompt from the editor: the provider and request from the settings and the secret
// keys, a cancellable progress notification, the status bar, the run file in the workspace's run
// store, and the comparison view filled live as samples finish (re-analysed at most every
// 400 ms, never once per token). Retry continues a run file as `hotmess run --resume` does: the
// samples that did not finish, with the run's recorded provider, model and parameters.
import * as vscode from "vscode";
import { basename, dirname, join } from "node:path";
import { analyzeRuns, redactDeep, runState, type Analysis, type OptimizerSpec, type ParsedRun, type RunEndLine, type RunHeader } from "../core";
import type { LoadedRun } from "../report/load";
import { defaultThinking } from "../sampling/claude";
import { DEFAULT_MODELS } from "../sampling/defaults";
import type { FinishedSample, Progress } from "../sampling/engine";
import { DEFAULT_PRICES } from "../sampling/prices";
import { recordRun, requestFromHeader, type RecordPlan } from "../sampling/record";
import { isDeprecation } from "../sampling/sdklog";
import { SimulatedProvider } from "../sampling/simulated";
import { RunWriter, safeBaseURL } from "../sampling/store";
import type { Provider, Rollout, SampleRequest, ThinkingMode } from "../sampling/types";
import { addConversation, emptyReplayTable, rolloutSummary, type ReplayTable } from "../core/replay";
import { unthoughtToolTurn, type Conversation } from "../core/conversation";
import type { AnswerSpec } from "../core/answerspec";
import type { LiveProgress } from "../protocol/webview";
import { readSettings, type ProviderSetting, type Settings } from "./config";
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
      return { provider: new SimulatedProvider(), name, model: settings.model && settings.provider === "simulated" ? settings.model : DEFAULT_MODELS.simulated! };
    case "anthropic": {
      if (!anthropicKey) throw new RunSetupError("No Anthropic API key is set.", { title: "Set API Key…", command: "hotmess.setApiKey", args: ["anthropic"] });
      const baseURL = settings.anthropicBaseUrl || undefined;
      return { provider: new (heavy().AnthropicProvider)({ apiKey: anthropicKey, ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, model, ...(baseURL ? { baseURL } : {}) };
    }
    case "openai": {
      const baseURL = settings.openaiBaseUrl || undefined;
      if (!openaiKey && !baseURL) throw new RunSetupError("No OpenAI API key is set (a local OpenAI-compatible server needs only the hotmess.openai.baseUrl setting).", { title: "Set API Key…", command: "hotmess.setApiKey", args: ["openai"] });
      return { provider: new (heavy().OpenAIProvider)({ ...(openaiKey ? { apiKey: openaiKey } : {}), ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, model, ...(baseURL ? { baseURL } : {}) };
    }
    case "vscode-lm":
      if (!settings.model) throw new RunSetupError("No language model is chosen for VS Code's Language Model API.", { title: "Select Provider and Model…", command: "hotmess.selectModel" });
      return { provider: new LanguageModelProvider(), name, model: settings.model };
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
  return { target: p.target, done: p.done, failed: p.failed, streaming: p.streaming, retrying: p.retrying, inputTokens: p.inputTokens, outputTokens: p.outputTokens, ...(p.cacheReadTokens ? { cacheReadTokens: p.cacheReadTokens } : {}), costUsd: p.costUsd, finished, ...(message ? { message } : {}) };
}

export function progressText(p: Progress): string {
  const parts = [`${p.done}/${p.target} done`];
  if (p.streaming) parts.push(`${p.streaming} streaming`);
  if (p.retrying) parts.push(`${p.retrying} retrying`);
  if (p.failed) parts.push(`${p.failed} failed`);
  const k = (n: number) => (n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n));
  const cost = (c: number) => `$${c < 0.01 ? c.toFixed(4) : c.toFixed(2)}`;
  parts.push(`${k(p.inputTokens + p.outputTokens)} tokens${p.cacheReadTokens ? ` (${k(p.cacheReadTokens)} from the cache)` : ""}`);
  parts.push(p.costUsd === null ? "cost unknown" : cost(p.costUsd));
  // a long prefix is paid again at each rerun: what one costs
  if (p.done > 1 && p.costUsd !== null && p.cacheReadTokens) parts.push(`${cost(p.costUsd / p.done)} a rerun`);
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
  /** How answers are extracted and compared (a prompt file's answer: / compare:), recorded in the run's header. */
  answerSpec?: AnswerSpec;
  benchmark?: OptimizerSpec;
  id?: string;
  /** Force a provider (the benchmark runs the simulated reasoner unless one is configured). */
  provider?: ResolvedProvider;
  /**
   * A conversation prefix whose next assistant turn is sampled (an agent rerun from a point of a
   * recorded run, or a prompt file holding a conversation): sent instead of `prompt`, which then
   * only labels the run.
   */
  conversation?: Conversation;
  /** With `conversation`: the results recorded for its calls (a rerun from a point of runs), for a rollout (the hotmess.rollout.* settings). */
  replay?: ReplayTable;
}

export interface RunOutcome {
  /** The runs recorded, each with its file and its state (computed once, with every known key redacted). */
  runs: LoadedRun[];
  analysis: Analysis | null;
  /** The first run that did not complete decides (partial: some samples failed; Retry continues it). */
  status: RunEndLine["status"];
  message?: string;
}

/** A run ready to go: its plan (with the run file it continues, already opened for appending: plan.resumed) and its title. */
export interface Planned {
  plan: RecordPlan;
  title: string;
}

/**
 * The plan of one run: the request, the settings (concurrency, timeout, prices, the retry-after
 * cap), and every key to redact from the run file: `secrets`, Secrets.known() (the provider's
 * key is one of them, and recordRun adds the provider's own).
 */
export function planFor(settings: Settings, resolved: ResolvedProvider, request: SampleRequest, extra: Pick<RecordPlan, "n" | "outDir"> & Partial<Pick<RecordPlan, "reference" | "expectedAction" | "answerSpec" | "benchmark" | "id" | "source" | "untilCi" | "concurrency">>, secrets: readonly string[]): RecordPlan {
  return {
    provider: resolved.provider,
    providerName: resolved.name,
    ...(resolved.baseURL ? { baseURL: resolved.baseURL } : {}),
    request,
    concurrency: settings.concurrency,
    idleTimeoutMs: settings.timeoutSeconds * 1000,
    retries: 5,
    maxRetryWaitMs: settings.maxRetryWaitSeconds * 1000,
    secrets: [...secrets],
    prices: { ...DEFAULT_PRICES, ...settings.prices },
    tool: TOOL,
    ...extra,
  };
}

const EDITOR_PROVIDERS: readonly string[] = ["anthropic", "openai", "simulated", "vscode-lm"];

/**
 * The provider a recorded run continues with: the one in its header, with the key and the
 * endpoint of the settings. The endpoint must be the one the run used: a run file (which may
 * come with a workspace) never decides where a key is sent, and one run is one endpoint.
 */
export async function resolveForRun(header: RunHeader, settings: Settings, secrets: Secrets, log?: (line: string) => void): Promise<ResolvedProvider> {
  const name = header.provider;
  if (!EDITOR_PROVIDERS.includes(name)) throw new RunSetupError(`this run was made with the provider "${name}", which the editor does not have: continue it with \`hotmess run --resume ${header.id}\`'s file instead`);
  if (name === "anthropic" || name === "openai") {
    const setting = `hotmess.${name}.baseUrl`;
    const configured = safeBaseURL(name === "anthropic" ? settings.anthropicBaseUrl : settings.openaiBaseUrl) ?? "";
    const recorded = safeBaseURL(header.baseURL) ?? "";
    if (configured !== recorded) {
      const where = (u: string) => (u ? u : `${name === "anthropic" ? "Anthropic" : "OpenAI"}'s own endpoint`);
      throw new RunSetupError(`this run went to ${where(recorded)}, but the ${setting} setting now points to ${where(configured)}: Retry continues a run where it was made. Set ${setting} back to ${recorded || "empty"} to continue it, or rerun the prompt as a new run.`, { title: "Open Settings", command: "workbench.action.openSettings", args: [setting] });
    }
  }
  const resolved = await resolveProvider({ ...settings, provider: name as ProviderSetting, model: header.model }, secrets, log);
  return { ...resolved, model: header.model };
}

/**
 * The rollout of a next-action run from the settings (`hotmess run --steps K` in the CLI): none
 * with hotmess.rollout.steps 0; else up to K actions, each call answered by the results recorded
 * for it (`replay`, else the prefix's own), then by the tool command (a trusted workspace's only:
 * readSettings drops it otherwise), run in the workspace folder.
 */
export function rolloutFor(settings: Settings, conversation: Conversation, replay: ReplayTable | undefined, document?: vscode.TextDocument): Rollout | undefined {
  if (settings.rolloutSteps <= 0) return undefined;
  let table = replay;
  if (!table) {
    table = emptyReplayTable();
    addConversation(table, conversation, "the prefix");
  }
  const folder = (document ? vscode.workspace.getWorkspaceFolder(document.uri) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
  return {
    steps: settings.rolloutSteps,
    replay: table,
    ...(settings.toolCommand.length > 0 ? { command: settings.toolCommand, timeoutMs: settings.toolTimeoutSeconds * 1000 } : {}),
    ...(folder ? { cwd: folder.uri.fsPath } : {}),
  };
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
  run(requests: RunRequest[], panel: ComparisonPanel): Promise<RunOutcome> {
    return this.execute(panel, async () => {
      const settings: Settings = { ...readSettings(requests[0]?.document?.uri), ...requests[0]?.overrides };
      const resolved = requests[0]?.provider ?? (await resolveProvider(settings, this.secrets, (line) => this.sdkWarning(line)));
      const known = await this.secrets.known();
      // everything is checked before the first request is sent
      return requests.map((req): Planned => {
        let thinking: ThinkingMode = resolved.name === "simulated" ? { type: "none" } : thinkingFor(settings, resolved.name, resolved.model);
        // Claude refuses a thinking budget on a prefix that ends inside a tool loop opened without
        // signed thinking (every imported run: none records signatures): the API's own advice is
        // to turn thinking off for it, which is what the CLI's --thinking off does by hand
        if (req.conversation && resolved.name === "anthropic" && thinking.type === "budget" && unthoughtToolTurn(req.conversation) !== null) {
          this.log.info(`run: thinking off for ${req.title}: its prefix ends inside a tool loop the recorded agent opened without signed thinking, which Claude refuses with a thinking budget`);
          thinking = { type: "none" };
        }
        const rollout = req.conversation ? rolloutFor(settings, req.conversation, req.replay, req.document) : undefined;
        const request: SampleRequest = {
          prompt: req.prompt,
          ...(req.conversation?.system ? { system: req.conversation.system } : req.system ? { system: req.system } : {}),
          model: resolved.model,
          maxTokens: settings.maxTokens,
          thinking,
          ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
          ...(req.conversation ? { conversation: req.conversation } : {}),
          ...(rollout ? { rollout } : {}),
        };
        const refused = resolved.provider.check(request);
        if (refused) throw new RunSetupError(refused, resolved.name === "simulated" ? { title: "Set API Key…", command: "hotmess.setApiKey" } : undefined);
        const plan = planFor(
          settings,
          resolved,
          request,
          {
            n: req.n ?? settings.n,
            outDir: runDirectory(settings, this.context, req.document),
            // a next action's reference is the expected action: a tool's name or a full call
            ...(req.reference !== undefined ? (req.conversation ? { expectedAction: String(req.reference) } : { reference: req.reference }) : {}),
            ...(req.answerSpec ? { answerSpec: req.answerSpec } : {}),
            ...(req.benchmark ? { benchmark: req.benchmark } : {}),
            ...(req.id ? { id: req.id } : {}),
            ...(req.source ? { source: req.source } : {}),
          },
          known,
        );
        return { plan, title: requests.length > 1 ? `${req.title} (${requests.indexOf(req) + 1}/${requests.length})` : req.title };
      });
    });
  }

  /**
   * Continues a run file (Retry): the samples that did not finish are run with the run's
   * recorded provider, model and parameters (the key, endpoint check, timeout, prices and
   * retry-after cap from the settings) and appended to the same file, filling `panel` live.
   */
  resume(file: string, panel: ComparisonPanel): Promise<RunOutcome> {
    return this.execute(panel, async () => {
      // read and opened for appending (a torn last line is cut off) before anything runs: a file
      // that cannot be continued (its prompt kept only as [redacted]) is refused like a missing key
      let resumed: NonNullable<RecordPlan["resumed"]>;
      try {
        resumed = RunWriter.resume(file);
      } catch (e) {
        throw new RunSetupError(`cannot continue ${basename(file)}: ${(e as Error).message}`);
      }
      try {
        const h = resumed.run.header;
        // a rollout's tool results came from a replay file or a command the run file does not
        // keep (only their names): continued here, every rerun would stop at its first call
        if (h.rollout) {
          const given = [h.rollout.replay ? `--replay ${h.rollout.replay}` : "", h.rollout.command ? `--tool-command '${h.rollout.command} …'` : ""].filter(Boolean).join(" ");
          throw new RunSetupError(`${basename(file)} is a rollout of up to ${h.rollout.steps} actions: continue it with \`hotmess run --resume ${basename(file)}${given ? ` ${given}` : ""}\`, which is given its tool results again`);
        }
        const settings = readSettings();
        const resolved = await resolveForRun(h, settings, this.secrets, (line) => this.sdkWarning(line));
        const request = requestFromHeader(h);
        const refused = resolved.provider.check(request);
        if (refused) throw new RunSetupError(`cannot continue ${basename(file)}: ${refused}`);
        const plan = planFor(
          settings,
          resolved,
          request,
          {
            n: h.parameters.n,
            concurrency: h.parameters.concurrency || settings.concurrency,
            outDir: dirname(file),
            ...(h.reference !== undefined ? { reference: h.reference } : {}),
            ...(h.expectedAction !== undefined ? { expectedAction: h.expectedAction } : {}),
            ...(h.benchmark ? { benchmark: h.benchmark } : {}),
            ...(h.answerSpec ? { answerSpec: h.answerSpec } : {}),
            ...(h.parameters.untilCi !== undefined && h.reference !== undefined ? { untilCi: h.parameters.untilCi } : {}),
          },
          await this.secrets.known(),
        );
        return [{ plan: { ...plan, resumed }, title: truncateTitle(h.prompt) }];
      } catch (e) {
        resumed.writer.close();
        throw e;
      }
    });
  }

  /** Records the planned runs in turn into one panel; the first that did not complete decides the outcome. */
  private async execute(panel: ComparisonPanel, prepare: () => Promise<Planned[]>): Promise<RunOutcome> {
    if (this.current) throw new RunSetupError("A run is already going: cancel it first (Hot Mess: Cancel Run).", { title: "Cancel Run", command: "hotmess.cancelRun" });
    const controller = new AbortController();
    this.current = controller;
    this.listeners.forEach((f) => f());
    const runs: ParsedRun[] = [];
    const files: string[] = [];
    let status: RunOutcome["status"] = "complete";
    let message: string | undefined;
    let planned: Planned[] = [];
    try {
      planned = await prepare();
      // the banners of an earlier try go while this one runs (the bar shows its progress)
      panel.showRuns([]);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Hot Mess", cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          for (const p of planned) {
            if (controller.signal.aborted) break;
            const outcome = await this.record(p, panel, runs, files, controller.signal, (message, fraction) => progress.report({ message, increment: (100 * fraction) / planned.length }));
            if (outcome.status !== "complete" && status === "complete") {
              status = outcome.status;
              message = outcome.message;
            }
            // a partial run leaves the next prompts to run; a refused key or a cancel stops them all
            if (outcome.status === "failed" || outcome.status === "cancelled") break;
          }
        },
      );
    } catch (e) {
      status = "failed";
      message = e instanceof Error ? e.message : String(e);
      this.log.error(`run: ${message}`);
      if (e instanceof RunSetupError) throw e;
    } finally {
      // a continued file whose turn never came (a cancel first) is closed; recordRun closed the others
      for (const p of planned) p.plan.resumed?.writer.close();
      this.current = null;
      this.listeners.forEach((f) => f());
    }
    // nothing was recorded (no run file was started): the panel keeps what it showed, and its files
    if (files.length === 0) {
      this.status.idle();
      return { runs: [], analysis: null, status, ...(message ? { message } : {}) };
    }
    const withSamples = runs.filter((r) => r.samples.length > 0);
    const analysis = withSamples.length > 0 ? analyzeRuns(withSamples, { generator: TOOL }) : null;
    const source = { kind: "runs" as const, files };
    if (analysis) panel.show(analysis, source, panel.panel.title);
    const known = await this.secrets.known().catch(() => []);
    const recorded: LoadedRun[] = runs.map((run, i) => ({ file: files[i]!, run, state: runState(run, known) }));
    panel.showRuns(recorded, source);
    const trouble = recorded.find((r) => r.state.status === "failed" || r.state.status === "partial");
    if (trouble) this.status.failed(trouble.state, files);
    else if (analysis) this.status.finished(analysis, files, readSettings().incoherenceWarningThreshold);
    else this.status.idle();
    return { runs: recorded, analysis, status, ...(message ? { message } : {}) };
  }

  /** One planned run: its file created (or continued), samples recorded, the view filled live. */
  private async record(p: Planned, panel: ComparisonPanel, runs: ParsedRun[], files: string[], signal: AbortSignal, report: (message: string, fraction: number) => void): Promise<{ status: RunOutcome["status"]; message?: string }> {
    const plan = p.plan;
    const label = p.title;
    const existing = plan.resumed?.run.samples.length ?? 0;
    this.log.info(`run: ${plan.resumed ? `continuing ${basename(plan.resumed.writer.file)} (${existing} of ${plan.n} finished): ` : ""}${plan.n} samples of ${plan.request.model} (${plan.providerName}${plan.baseURL ? ` at ${plan.baseURL}` : ""}) for ${label}`);
    let header: RunHeader | null = null;
    // the view is sent these redacted (it does not walk the document): a continued run's samples once here, new ones as written
    const finished: FinishedSample[] = redactDeep(plan.resumed?.run.samples ?? [], plan.secrets).map(({ type: _t, ...s }) => s);
    let lastPost = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastProgress: Progress | null = null;
    let lastReported = existing;
    const postAnalysis = () => {
      timer = null;
      lastPost = Date.now();
      if (!header || finished.length === 0) return;
      // the run as its file holds it so far: analysed as a reopened run file is (by index, with its seed)
      const current: ParsedRun = { header, samples: finished.map((s) => ({ type: "sample", ...s })), failures: [], end: null, warnings: [], goodLength: 0, missingNewline: false };
      // a continued run keeps the panel's title (it names the run file the user opened)
      panel.show(analyzeRuns([...runs, current], { generator: TOOL }), { kind: "live", files: [...files] }, plan.resumed ? undefined : `Hot Mess: ${label}`);
    };
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(postAnalysis, Math.max(0, 400 - (Date.now() - lastPost)));
    };
    const recorded = await recordRun(plan, {
      signal,
      onStart: (file, _existing, h) => {
        files.push(file);
        header = h;
        this.log.info(`run: recording to ${file}`);
        // a continued run shows what it has at once
        if (finished.length > 0) schedule();
      },
      onEvent: (e) => {
        if (e.type === "sample") {
          finished.push(e.sample);
          schedule();
        } else if (e.type === "retry") this.log.warn(`run: retrying sample ${e.index} (attempt ${e.attempt + 1}) in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
        else if (e.type === "failure") this.log.error(`run: sample ${e.failure.index} failed after ${e.failure.attempts} attempts: ${e.failure.message}`);
        else if (e.type === "progress") {
          lastProgress = e.progress;
          const pr = e.progress;
          const doneNow = pr.done + pr.failed;
          report(`${label}: ${progressText(pr)}`, (doneNow - lastReported) / pr.target);
          lastReported = doneNow;
          this.status.running(label, pr);
          panel.progress(live(pr, false));
        }
      },
    });
    if (timer) clearTimeout(timer);
    if (!files.includes(recorded.file)) files.push(recorded.file);
    runs.push(recorded.run);
    const result = recorded.result;
    if (!result) {
      // continued a run that already had all its samples
      this.log.info(`run: ${basename(recorded.file)} already has ${recorded.run.samples.length} of ${plan.n} samples; nothing to do`);
      return { status: "complete" };
    }
    const status = result.status;
    this.log.info(`run: ${status}: ${progressText(result.progress)}${result.message ? ` (${result.message})` : ""}`);
    // how the rollouts ended: answered, stopped at a call with no recorded result, reached the steps
    const rolled = plan.request.rollout ? rolloutSummary(recorded.run.samples, plan.request.rollout.steps) : null;
    if (rolled) this.log.info(`run: ${rolled}`);
    panel.progress(live(lastProgress ?? result.progress, true, result.message));
    return { status, ...(result.message ? { message: result.message } : {}) };
  }
}

/** A run's title from its prompt: the first line, cut to 40 characters. */
export function truncateTitle(prompt: string): string {
  return prompt.trim().split("\n")[0]!.slice(0, 40);
}

