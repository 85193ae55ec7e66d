// Sweeps in the editor (issue 18): Run Sweep on a prompts file, a prompt file or a folder, live
// (a cancellable progress notification) or through the provider's batch API (the cost confirmed
// first); a batch sweep's status in a status bar item of its own, polled at
// hotmess.sweep.pollSeconds; on activation every sweep file of the run store with open batches
// polls again (never submitting: poll and collect only). The file format and the lifecycle are
// src/core/sweepfile.ts and src/sampling/sweep.ts, shared with `hotmess run --prompts`: a
// submission is written before it is sent, its batch id as soon as the provider gives it.
//
// The SDKs (the batch clients, src/sampling/sweep.ts which splits batches with them) live in
// dist/heavy.js: loaded when a sweep is run or polled, not at activation.
import * as vscode from "vscode";
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import { isSweepFile, missingRequests, parseSweepFile, sweepProgress, type ParsedSweep, type SweepHeader } from "../core/sweepfile";
import { redactSecrets } from "../core/redact";
import type { RunEndLine } from "../core/runfile";
import type { BatchClient } from "../sampling/batch";
import { DEFAULT_PRICES, fmtCount, fmtTokens, fmtUsd, type PriceTable } from "../sampling/prices";
import { isSweepPath, readFirstLine, safeBaseURL } from "../sampling/store";
import type { SweepEstimate, SweepEvent, SweepWriter } from "../sampling/sweep";
import type { Provider, ThinkingMode } from "../sampling/types";
import { readSettings, type Settings } from "./config";
import { heavy } from "./lazy";
import type { Log } from "./log";
import { resolveProvider, RunSetupError, thinkingFor, TOOL } from "./runs";
import { listRunFiles } from "./runstore";
import type { Secrets } from "./secrets";

export const SWEEP_STATUS_COMMAND = "hotmess.sweepStatus";

function usd(c: number | null): string {
  return c === null ? "cost unknown (no price for the model: add it in hotmess.prices)" : fmtUsd(c);
}

/** "3,000 requests · ≈ 120k input tokens, up to 24.6M output · at most $12.30 at the batch price ($24.60 live)". */
export function estimateText(e: SweepEstimate, mode: "live" | "batch"): string {
  const cost = e.liveUsd === null ? usd(null) : mode === "batch" ? `at most ${usd(e.batchUsd)} at the batch price (${usd(e.liveUsd)} live)` : `at most ${usd(e.liveUsd)} live (${usd(e.batchUsd)} as a batch)`;
  return `${fmtCount(e.requests)} request${e.requests === 1 ? "" : "s"} · ≈ ${fmtTokens(e.inputTokens, true)} input tokens, up to ${fmtTokens(e.maxOutputTokens, true)} output · ${cost}`;
}

/** The type of a file's last line ({"type":"end",…} → "end"), reading only its tail; null when it cannot tell. */
export function lastLineType(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString("utf8").split("\n").filter((l) => l.trim() !== "");
    const last = lines[lines.length - 1];
    if (!last) return null;
    const m = /^\s*\{\s*"type"\s*:\s*"([a-z]+)"/.exec(last);
    return m ? m[1]! : null;
  } finally {
    closeSync(fd);
  }
}

/** A sweep's name: "word-problems.jsonl · 50 prompts × 5". */
export function sweepName(h: Pick<SweepHeader, "source" | "prompts" | "parameters">, file: string): string {
  const from = h.source ? basename(h.source.replace(/\/+$/, "")) : basename(file);
  return `${from} · ${fmtCount(h.prompts)} prompt${h.prompts === 1 ? "" : "s"} × ${h.parameters.n}`;
}

/** Where a sweep stands, in a few words: "1,240/3,000 · 2 batches processing", "3,000/3,000", "247/250 · 3 failed". */
export function sweepStatusText(s: ParsedSweep): string {
  const p = sweepProgress(s);
  const parts = [`${fmtCount(p.succeeded)}/${fmtCount(p.requests)}`];
  if (p.open.length) parts.push(`${p.open.length} batch${p.open.length === 1 ? "" : "es"} processing`);
  if (p.failed) parts.push(`${fmtCount(p.failed)} failed`);
  if (p.unrecorded.length) parts.push(`${p.unrecorded.length} batch id${p.unrecorded.length === 1 ? "" : "s"} not recorded`);
  if (p.unsent && s.header.mode === "batch") parts.push(`${fmtCount(p.unsent)} not sent`);
  return parts.join(" · ");
}

/** The counts of a batch as the status pick shows them. */
function batchLine(b: ParsedSweep["batches"][number]): { label: string; description: string } {
  const id = b.batchId ?? `part ${b.part} (no batch id recorded)`;
  if (b.refused) return { label: `$(error) ${id}`, description: `refused: ${b.refused} (nothing of it was sent)` };
  if (b.collected) return { label: `$(pass) ${id}`, description: `collected: ${fmtCount(b.collected.succeeded)} replies, ${fmtCount(b.collected.failed)} failed` };
  if (!b.batchId) return { label: `$(warning) ${id}`, description: `${fmtCount(b.submit.count)} requests sent at ${b.submit.at}: look for it in the provider's console; it is never sent again` };
  const c = b.status?.counts;
  // the counts first (the pick is narrow), the batch id after them
  return {
    label: `$(sync~spin) ${c ? `${fmtCount(c.processing)} processing · ${fmtCount(c.succeeded)} succeeded · ${fmtCount(c.errored)} errored · ${fmtCount(c.expired)} expired${c.canceled ? ` · ${fmtCount(c.canceled)} canceled` : ""}` : `${fmtCount(b.submit.count)} requests submitted, not polled yet`}`,
    description: `${b.status ? `${b.status.providerStatus} · ` : ""}${id}`,
  };
}

function prices(settings: Settings): PriceTable {
  return { ...DEFAULT_PRICES, ...settings.prices };
}

/** How often a batch is polled (hotmess.sweep.pollSeconds). */
function pollMs(): number {
  const v = vscode.workspace.getConfiguration("hotmess").get<number>("sweep.pollSeconds", 30);
  return Math.max(10, Math.round((typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 30) * 1000));
}

interface Polling {
  controller: AbortController;
  writer: SweepWriter;
  sweep: ParsedSweep;
  /** The last polling error, shown in the status bar until the next poll succeeds. */
  error: string | null;
  done: Promise<void>;
}

export interface SweepHost {
  log: Log;
  secrets: Secrets;
  /** Opens the sweep's file in the comparison view. */
  open: (file: string) => Promise<unknown>;
  /** The run directories (the Runs view's): where sweep files are looked for on activation. */
  dirs: () => string[];
}

/**
 * The sweeps of this window: which are polled, the status bar item that follows them, and the
 * lifecycle actions (resume, cancel, resubmit). One writer per sweep file while it is polled.
 */
export class SweepManager {
  private readonly polls = new Map<string, Polling>();
  private readonly item: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  private disposed = false;
  /** Sweep files this window is writing outside polling (being submitted, run live): resumeAll leaves them alone. */
  readonly busy = new Set<string>();

  constructor(private readonly host: SweepHost) {
    this.item = vscode.window.createStatusBarItem("hotmess.sweep", vscode.StatusBarAlignment.Left, 19);
    this.item.name = "Hot Mess Inspector: sweeps";
    this.item.command = SWEEP_STATUS_COMMAND;
    this.item.hide();
  }

  /** The sweep files being polled. */
  get polling(): string[] {
    return [...this.polls.keys()];
  }

  isPolling(file: string): boolean {
    return this.polls.has(file);
  }

  /**
   * The batch client a sweep is polled (or resubmitted) with: its recorded provider, the key of
   * the secret storage or the environment, and the endpoint of the settings, which must be the
   * one the sweep was sent to (a sweep file may come with a workspace and never decides where a
   * key goes).
   */
  async clientFor(header: SweepHeader): Promise<BatchClient> {
    const name = header.provider;
    if (name !== "anthropic" && name !== "openai") throw new RunSetupError(`this sweep was made with the provider "${name}", which has no batch API`);
    const settings = readSettings();
    const setting = `hotmess.${name}.baseUrl`;
    const configured = safeBaseURL(name === "anthropic" ? settings.anthropicBaseUrl : settings.openaiBaseUrl) ?? "";
    const recorded = safeBaseURL(header.baseURL) ?? "";
    if (configured !== recorded) {
      const where = (u: string) => (u ? u : `${name === "anthropic" ? "Anthropic" : "OpenAI"}'s own endpoint`);
      throw new RunSetupError(`this sweep's batches are at ${where(recorded)}, but the ${setting} setting now points to ${where(configured)}: set ${setting} back to ${recorded || "empty"} to poll them`, { title: "Open Settings", command: "workbench.action.openSettings", args: [setting] });
    }
    const key = await this.host.secrets.get(name);
    if (!key) throw new RunSetupError(`No ${name === "anthropic" ? "Anthropic" : "OpenAI"} API key is set: the batch API needs one.`, { title: "Set API Key…", command: "hotmess.setApiKey", args: [name] });
    const h = heavy();
    return name === "anthropic" ? new h.AnthropicBatchClient({ apiKey: key, ...(recorded ? { baseURL: recorded } : {}) }) : new h.OpenAIBatchClient({ apiKey: key, ...(recorded ? { baseURL: recorded } : {}) });
  }

  /**
   * Polls a sweep's open batches until each is collected (or the window closes: nothing is lost,
   * the next activation polls again). Never submits. `opened`: the writer a submission just used.
   */
  async startPolling(file: string, opened?: { writer: SweepWriter; sweep: ParsedSweep }, client?: BatchClient): Promise<void> {
    if (this.polls.has(file) || this.disposed) return;
    let writer: SweepWriter;
    let sweep: ParsedSweep;
    if (opened) ({ writer, sweep } = opened);
    else ({ writer, sweep } = heavy().SweepWriter.open(file, await this.host.secrets.known()));
    let batchClient: BatchClient;
    try {
      batchClient = client ?? (await this.clientFor(sweep.header));
    } catch (e) {
      writer.close();
      throw e;
    }
    if (this.polls.has(file) || this.disposed) {
      // another call started it meanwhile (or the window is closing)
      if (!opened) writer.close();
      return;
    }
    const controller = new AbortController();
    const polling: Polling = { controller, writer, sweep, error: null, done: Promise.resolve() };
    this.polls.set(file, polling);
    polling.done = this.loop(file, polling, batchClient);
    this.render();
    this.changed.fire(file);
  }

  private async loop(file: string, p: Polling, client: BatchClient): Promise<void> {
    const { pollSweep, endSweep } = heavy();
    const name = sweepName(p.sweep.header, file);
    const known = await this.host.secrets.known();
    let result: "done" | "waiting" = "waiting";
    try {
      for (;;) {
        try {
          result = await pollSweep(p.writer, p.sweep, client, {
            intervalMs: pollMs(),
            signal: p.controller.signal,
            prices: prices(readSettings()),
            onEvent: (e: SweepEvent) => {
              if (e.type === "status") {
                p.error = null;
                if (e.changed) this.host.log.info(`sweep ${basename(file)}: ${e.batchId} ${e.status.providerStatus}: ${e.status.counts.processing} processing, ${e.status.counts.succeeded} succeeded, ${e.status.counts.errored} errored, ${e.status.counts.expired} expired`);
                this.render();
                this.changed.fire(file);
              } else if (e.type === "collected") {
                this.host.log.info(`sweep ${basename(file)}: ${e.batchId} collected: ${e.succeeded} replies, ${e.failed} failed`);
                this.changed.fire(file);
              }
            },
          });
          break;
        } catch (e) {
          if (p.controller.signal.aborted) break;
          // a network error or a server's: said in the status bar, tried again at the next interval
          const message = redactSecrets((e as Error).message, known);
          if (p.error !== message) this.host.log.warn(`sweep ${basename(file)}: polling failed: ${message}; trying again in ${pollMs() / 1000} s`);
          p.error = message;
          this.render();
          await new Promise((r) => setTimeout(r, pollMs()));
          if (p.controller.signal.aborted) break;
        }
      }
      if (result === "done" && !p.controller.signal.aborted) {
        const end = endSweep(p.writer, p.sweep);
        const progress = sweepProgress(p.sweep);
        this.host.log.info(`sweep ${basename(file)}: ${end.status}: ${sweepStatusText(p.sweep)}`);
        void this.collected(file, name, progress.succeeded, progress.requests, progress.failed);
      }
    } finally {
      p.writer.close();
      if (this.polls.get(file) === p) this.polls.delete(file);
      this.render();
      this.changed.fire(file);
    }
  }

  /** The notification of a collected sweep: Open, and Resubmit Failed when some failed. */
  private async collected(file: string, name: string, succeeded: number, requests: number, failed: number): Promise<void> {
    if (this.disposed) return;
    const pick = await vscode.window.showInformationMessage(
      `Hot Mess: the batch sweep ${name} is collected: ${fmtCount(succeeded)} of ${fmtCount(requests)} replies${failed ? `, ${fmtCount(failed)} failed` : ""}.`,
      "Open",
      ...(failed ? ["Resubmit Failed…"] : []),
    );
    if (pick === "Open") await this.host.open(file);
    else if (pick === "Resubmit Failed…") await vscode.commands.executeCommand("hotmess.resubmitSweep", file);
  }

  /** Tells the Runs view that a sweep file changed (written outside polling). */
  changedFile(file: string): void {
    this.changed.fire(file);
  }

  /** Stops polling a sweep (its batches go on at the provider) and waits until its writer is closed. */
  async stop(file: string): Promise<void> {
    const p = this.polls.get(file);
    if (!p) return;
    p.controller.abort();
    await p.done;
  }

  /** The status bar item: the first polled sweep's progress; hidden when none is polled. */
  private render(): void {
    const all = [...this.polls.entries()];
    if (all.length === 0) {
      this.item.hide();
      return;
    }
    const [file, p] = all[0]!;
    const more = all.length > 1 ? ` (+${all.length - 1} more)` : "";
    this.item.text = `${p.error ? "$(warning)" : "$(cloud-upload)"} Sweep ${sweepStatusText(p.sweep)}${more}`;
    this.item.tooltip = `${sweepName(p.sweep.header, file)} of ${p.sweep.header.model} (${p.sweep.header.provider} batch)${p.error ? `. Polling failed: ${p.error}; trying again` : ""}. Polled every ${pollMs() / 1000} s. Click for its batches: Open, Cancel Batch, Resubmit Failed.`;
    this.item.command = { title: "Sweep Status", command: SWEEP_STATUS_COMMAND, arguments: [file] };
    this.item.backgroundColor = p.error ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.item.show();
  }

  /**
   * On activation: every sweep file of the run directories whose batches are still out polls
   * again. A submission without a recorded batch id is reported (it may exist at the provider)
   * and never sent again. Only in a trusted workspace (polling writes to the workspace's files).
   */
  async resumeAll(): Promise<{ resumed: string[]; unrecorded: string[] }> {
    const resumed: string[] = [];
    const unrecorded: string[] = [];
    if (!vscode.workspace.isTrusted) return { resumed, unrecorded };
    const seen = new Set<string>();
    for (const dir of this.host.dirs()) {
      for (const { file } of listRunFiles(dir, 1000)) {
        if (seen.has(file) || this.busy.has(file) || this.polls.has(file)) continue;
        seen.add(file);
        // read whole only a batch sweep that has not ended (its end line is written once every batch is collected)
        const first = readFirstLine(file);
        if (!isSweepFile(first) || (JSON.parse(first) as { mode?: unknown }).mode !== "batch" || lastLineType(file) === "end") continue;
        let sweep: ParsedSweep;
        try {
          sweep = parseSweepFile(readFileSync(file, "utf8"));
        } catch (e) {
          this.host.log.warn(`sweep ${basename(file)}: cannot read it: ${(e as Error).message}`);
          continue;
        }
        if (sweep.header.mode !== "batch") continue;
        let p = sweepProgress(sweep);
        if (p.unrecorded.length) {
          // sent, but the window closed before the batch id was written: looked up at the provider
          const found = await this.recover(file, sweep);
          if (found === null) {
            unrecorded.push(file);
            continue;
          }
          sweep = found;
          p = sweepProgress(sweep);
        }
        if (p.open.length === 0) continue;
        try {
          await this.startPolling(file);
          resumed.push(file);
          this.host.log.info(`sweep ${basename(file)}: polling again (${p.open.length} batch${p.open.length === 1 ? "" : "es"} out: ${sweepStatusText(sweep)})`);
        } catch (e) {
          const message = redactSecrets((e as Error).message, await this.host.secrets.known());
          this.host.log.warn(`sweep ${basename(file)}: cannot poll it: ${message}`);
          const fix = e instanceof RunSetupError ? e.fix : undefined;
          void vscode.window.showWarningMessage(`Hot Mess: the sweep ${sweepName(sweep.header, file)} has batches in progress but cannot be polled: ${message}`, ...(fix ? [fix.title] : [])).then((b) => {
            if (b && fix) void vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
          });
        }
      }
    }
    return { resumed, unrecorded };
  }

  /**
   * A sweep's submissions without a recorded batch id, looked up at the provider
   * (recoverUnrecorded): one found is recorded and polled; one surely never created is recorded
   * so (Continue Sweep sends its requests); one not decided is reported, and nothing is sent.
   * Returns the sweep as it now stands, or null when some submission is still undecided.
   */
  private async recover(file: string, sweep: ParsedSweep): Promise<ParsedSweep | null> {
    const name = sweepName(sweep.header, file);
    let writer: SweepWriter | null = null;
    try {
      const client = await this.clientFor(sweep.header);
      const opened = heavy().SweepWriter.open(file, await this.host.secrets.known());
      writer = opened.writer;
      const r = await heavy().recoverUnrecorded(opened.writer, opened.sweep, client, { exclude: heavy().recordedBatchIds(this.host.dirs(), file) });
      for (const a of r.adopted) this.host.log.info(`sweep ${basename(file)}: part ${a.part}'s batch was sent but its id not recorded: found it at the provider, ${a.batchId}`);
      if (r.notCreated.length) {
        const msg = `the sweep ${name}: ${r.notCreated.length} submission${r.notCreated.length === 1 ? " was" : "s were"} never created at the provider (the window closed first); Continue Sweep sends ${r.notCreated.length === 1 ? "its" : "their"} requests.`;
        this.host.log.info(msg);
        void vscode.window.showInformationMessage(`Hot Mess: ${msg}`, "Continue Sweep").then((b) => b && vscode.commands.executeCommand("hotmess.continueSweep", file));
      }
      if (r.unresolved.length) {
        const msg = `the sweep ${name} has ${r.unresolved.length} submission${r.unresolved.length === 1 ? "" : "s"} sent without a recorded batch id: ${r.unresolved.map((u) => `part ${u.part}: ${u.why}`).join("; ")}. Nothing is sent again.`;
        this.host.log.warn(msg);
        void vscode.window.showWarningMessage(`Hot Mess: ${msg}`, "Show Log").then((b) => b && this.host.log.show());
        return null;
      }
      return opened.sweep;
    } catch (e) {
      const message = redactSecrets((e as Error).message, await this.host.secrets.known());
      const msg = `the sweep ${name} has a submission sent without a recorded batch id, and it could not be looked up at the provider: ${message}. Nothing is sent again.`;
      this.host.log.warn(msg);
      void vscode.window.showWarningMessage(`Hot Mess: ${msg}`, "Show Log").then((b) => b && this.host.log.show());
      return null;
    } finally {
      writer?.close();
    }
  }

  /**
   * The sweep's status: each batch with its counts, then Open, Cancel Batch (open batches) and
   * Resubmit Failed (failed requests).
   */
  async showStatus(file?: string): Promise<void> {
    const target = file ?? (await this.pickSweep("Sweep Status"));
    if (!target) return;
    const sweep = this.polls.get(target)?.sweep ?? parseSweepFile(readFileSync(target, "utf8"));
    const p = sweepProgress(sweep);
    type Item = vscode.QuickPickItem & { action?: "open" | "cancel" | "resubmit" | "resume" };
    const items: Item[] = sweep.batches.map((b) => batchLine(b));
    items.push({ label: "", kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: "$(go-to-file) Open", description: "every prompt of the sweep in the comparison view (what has arrived so far)", action: "open" });
    if (p.open.length) items.push({ label: "$(debug-stop) Cancel Batch", description: `cancel the ${p.open.length} batch${p.open.length === 1 ? "" : "es"} in progress: what finished is still collected`, action: "cancel" });
    if (p.open.length && !this.polls.has(target)) items.push({ label: "$(sync) Resume Polling", action: "resume" });
    if (p.failed) items.push({ label: "$(cloud-upload) Resubmit Failed…", description: `${fmtCount(p.failed)} failed request${p.failed === 1 ? "" : "s"} as a new batch of just those`, action: "resubmit" });
    const pick = await vscode.window.showQuickPick(items, { title: `Sweep ${sweepName(sweep.header, target)}: ${sweepStatusText(sweep)}`, placeHolder: `${sweep.header.model} (${sweep.header.provider}, ${sweep.header.mode})` });
    if (pick?.action === "open") await this.host.open(target);
    else if (pick?.action === "cancel") await this.cancel(target);
    else if (pick?.action === "resume") await this.startPolling(target);
    else if (pick?.action === "resubmit") await this.resubmit(target);
  }

  private async pickSweep(title: string): Promise<string | undefined> {
    if (this.polls.size === 1) return [...this.polls.keys()][0];
    const files = this.polls.size ? [...this.polls.keys()] : this.host.dirs().flatMap((d) => listRunFiles(d).map((f) => f.file)).filter(isSweepPath);
    if (files.length === 0) {
      void vscode.window.showInformationMessage("Hot Mess: no sweep in the run store yet (Hot Mess: Run Sweep…).");
      return undefined;
    }
    const items = files.map((f) => {
      const s = this.polls.get(f)?.sweep ?? parseSweepFile(readFileSync(f, "utf8"));
      return { label: sweepName(s.header, f), description: sweepStatusText(s), detail: basename(f), file: f };
    });
    return (await vscode.window.showQuickPick(items, { title }))?.file;
  }

  /** Cancels the sweep's open batches at the provider (after a modal); polling collects what finished. */
  async cancel(file: string): Promise<void> {
    const sweep = this.polls.get(file)?.sweep ?? parseSweepFile(readFileSync(file, "utf8"));
    const open = sweepProgress(sweep).open;
    if (open.length === 0) {
      void vscode.window.showInformationMessage("Hot Mess: no batch of this sweep is in progress.");
      return;
    }
    const pick = await vscode.window.showWarningMessage(
      `Cancel ${open.length === 1 ? "the batch" : `the ${open.length} batches`} of the sweep ${sweepName(sweep.header, file)}?`,
      { modal: true, detail: "Requests not yet processed are canceled at the provider; the replies that finished are still collected, and the canceled requests can be resubmitted." },
      "Cancel Batch",
    );
    if (pick !== "Cancel Batch") return;
    const client = await this.clientFor(sweep.header);
    for (const b of open) {
      const s = await client.cancel(b.batchId!);
      this.host.log.info(`sweep ${basename(file)}: ${b.batchId} cancel asked: ${s.providerStatus}`);
    }
    // polled again at once: the cancel shows (and its results are collected once it has ended)
    await this.stop(file);
    await this.startPolling(file, undefined, client);
  }

  /**
   * Resubmit Failed: the failed requests (errored, expired, canceled) listed with their reasons
   * and the cost at the batch price, confirmed in a modal, then sent as a new batch of just
   * those and polled. A live sweep continues live instead (Continue Sweep).
   */
  async resubmit(file: string): Promise<boolean> {
    const h = heavy();
    const parsed = parseSweepFile(readFileSync(file, "utf8"));
    if (parsed.header.mode === "live") {
      await vscode.commands.executeCommand("hotmess.continueSweep", file);
      return false;
    }
    const failed = h.failedRequests(this.polls.get(file)?.sweep ?? parsed);
    if (failed.length === 0) {
      void vscode.window.showInformationMessage(`Hot Mess: no request of the sweep ${sweepName(parsed.header, file)} failed: nothing to resubmit.`);
      return false;
    }
    const byKey = new Map(parsed.prompts.map((p) => [p.key, p]));
    const known = await this.host.secrets.known();
    const lines = failed.map((r) => redactSecrets(`${byKey.get(r.key)?.id ?? r.key} rerun ${r.index}: ${r.failure.kind}: ${r.failure.message}`, known));
    this.host.log.info(`sweep ${basename(file)}: ${failed.length} failed request${failed.length === 1 ? "" : "s"}:`);
    for (const l of lines) this.host.log.info(`  ${l}`);
    const settings = readSettings();
    const counts = parsed.prompts.map((x) => failed.filter((r) => r.key === x.key).length);
    const e = h.estimateSweep(parsed.prompts, parsed.header.parameters.n, parsed.header.model, parsed.header.parameters.maxTokens, prices(settings), counts);
    const reasons = new Map<string, number>();
    for (const r of failed) reasons.set(`${r.failure.kind}`, (reasons.get(r.failure.kind) ?? 0) + 1);
    const detail = [
      ...lines.slice(0, 12),
      ...(lines.length > 12 ? [`… and ${lines.length - 12} more (the log lists them all)`] : []),
      "",
      estimateText(e, "batch"),
    ].join("\n");
    const pick = await vscode.window.showWarningMessage(
      `Resubmit ${fmtCount(failed.length)} failed request${failed.length === 1 ? "" : "s"} (${[...reasons].map(([k, n]) => `${n} ${k}`).join(", ")}) as a new batch, for ${e.batchUsd === null ? "an unknown cost" : `at most ${usd(e.batchUsd)}`}?`,
      { modal: true, detail },
      "Resubmit",
    );
    if (pick !== "Resubmit") return false;
    const client = await this.clientFor(parsed.header);
    await this.stop(file);
    const { writer, sweep } = h.SweepWriter.open(file, known);
    try {
      const ids = await h.resubmitFailed(writer, sweep, client, { prices: prices(settings) });
      this.host.log.info(`sweep ${basename(file)}: resubmitted ${failed.length} requests as ${ids.join(", ")}`);
    } catch (err) {
      writer.close();
      throw err;
    }
    await this.startPolling(file, { writer, sweep }, client);
    void vscode.window.showInformationMessage(`Hot Mess: ${fmtCount(failed.length)} request${failed.length === 1 ? "" : "s"} resubmitted as a new batch; the status bar follows it.`);
    return true;
  }

  /**
   * Continue on a batch sweep whose requests were never sent (its submission refused): their
   * cost confirmed in a modal, then submitted and polled.
   */
  async submitUnsent(file: string): Promise<void> {
    const h = heavy();
    const parsed = parseSweepFile(readFileSync(file, "utf8"));
    const missing = missingRequests(parsed).filter((r) => !r.failure);
    if (missing.length === 0) return;
    const settings = readSettings();
    const counts = parsed.prompts.map((x) => missing.filter((r) => r.key === x.key).length);
    const e = h.estimateSweep(parsed.prompts, parsed.header.parameters.n, parsed.header.model, parsed.header.parameters.maxTokens, prices(settings), counts);
    const pick = await vscode.window.showWarningMessage(
      `Submit the ${fmtCount(missing.length)} request${missing.length === 1 ? "" : "s"} of the sweep ${sweepName(parsed.header, file)} never sent, for ${e.batchUsd === null ? "an unknown cost" : `at most ${usd(e.batchUsd)}`}?`,
      { modal: true, detail: `${estimateText(e, "batch")}.${parsed.batches.some((b) => b.refused) ? ` The provider refused the earlier submission: ${parsed.batches.find((b) => b.refused)!.refused}` : ""}` },
      "Submit",
    );
    if (pick !== "Submit") return;
    const client = await this.clientFor(parsed.header);
    const { writer, sweep } = h.SweepWriter.open(file, await this.host.secrets.known());
    this.busy.add(file);
    try {
      await h.submitUnsent(writer, sweep, client, { prices: prices(settings) });
    } catch (err) {
      writer.close();
      this.changed.fire(file);
      throw err;
    } finally {
      this.busy.delete(file);
    }
    await this.startPolling(file, { writer, sweep }, client);
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.polls.values()) p.controller.abort();
    this.item.dispose();
    this.changed.dispose();
  }

  /** Waits for every polling loop to end (tests, and a reload). */
  async settled(): Promise<void> {
    await Promise.all([...this.polls.values()].map((p) => p.done));
  }
}

/** The path a sweep's prompts come from: the explorer's file or folder, the active editor's file, else a dialog. */
async function sweepSource(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri || (arg && typeof arg === "object" && typeof (arg as { fsPath?: unknown }).fsPath === "string")) return (arg as vscode.Uri).fsPath;
  if (typeof arg === "string") return arg;
  const doc = (vscode.window.activeTextEditor as { document?: vscode.TextDocument } | undefined)?.document;
  if (doc && doc.uri.scheme === "file" && /\.(jsonl|prompt\.md)$/.test(doc.uri.fsPath)) return doc.uri.fsPath;
  const uris = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, title: "Run Sweep: a prompts file (JSON Lines), a prompt file or a folder of prompt files", filters: { "Prompts": ["jsonl", "md"] } });
  return uris?.[0]?.fsPath;
}

export interface RunSweepDeps {
  manager: SweepManager;
  log: Log;
  secrets: Secrets;
  /** Where a new sweep file goes (the run store). */
  runDirectory: () => string;
  /** The workspace folder a source path is recorded relative to. */
  workspaceFolder: () => string | undefined;
  open: (file: string) => Promise<unknown>;
}

/**
 * Run Sweep…: the prompts read (problems to the log), N asked, Live or Batch picked with the
 * requests, tokens and cost of each, a batch confirmed in a modal before anything is sent.
 * Returns the sweep file (undefined when nothing was started).
 */
export async function runSweep(deps: RunSweepDeps, arg?: unknown): Promise<string | undefined> {
  const path = await sweepSource(arg);
  if (!path) return undefined;
  const h = heavy();
  let read: ReturnType<typeof h.readPrompts>;
  try {
    read = h.readPrompts(path);
  } catch (e) {
    throw new RunSetupError(`cannot read the prompts in ${basename(path)}: ${(e as Error).message}`);
  }
  if (read.problems.length) {
    deps.log.warn(`sweep: ${read.problems.length} problem${read.problems.length === 1 ? "" : "s"} reading ${path}:`);
    for (const p of read.problems) deps.log.warn(`  ${p}`);
  }
  if (read.prompts.length === 0) {
    const pick = await vscode.window.showErrorMessage(
      `Hot Mess: ${basename(path)} has no prompt to sweep${read.problems.length ? ` (${read.problems[0]}${read.problems.length > 1 ? `; ${read.problems.length - 1} more in the log` : ""})` : ""}. Give JSON Lines of {"id", "prompt", "reference"?, "system"?}, a trace set, a .prompt.md file or a folder of them.`,
      "Show Log",
    );
    if (pick) deps.log.show();
    return undefined;
  }
  const settings = readSettings();
  const resolved = await resolveProvider(settings, deps.secrets, (l) => deps.log.warn(`sweep: ${l}`));
  const batchable = resolved.name === "anthropic" || resolved.name === "openai";
  const c = vscode.workspace.getConfiguration("hotmess");
  const nDefault = Math.min(1000, Math.max(1, Math.round(Number(c.get<number>("sweep.n", 10)) || 10)));
  const skipped = read.problems.length ? ` (${read.problems.length} left out: see the log)` : "";
  const nText = await vscode.window.showInputBox({
    title: `Run Sweep: ${read.prompts.length} prompt${read.prompts.length === 1 ? "" : "s"} from ${basename(path)}${skipped}`,
    prompt: `How many reruns of each prompt, with ${resolved.model} (${resolved.name})`,
    value: String(nDefault),
    valueSelection: [0, String(nDefault).length],
    validateInput: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 1000 ? null : "a whole number of reruns, from 1 to 1000"),
  });
  if (nText === undefined || !/^\s*\d+\s*$/.test(nText) || Number(nText) < 1 || Number(nText) > 1000) return undefined;
  const n = Number(nText);
  const table = prices(settings);
  const estimate = h.estimateSweep(read.prompts, n, resolved.model, settings.maxTokens, table);
  type ModeItem = vscode.QuickPickItem & { mode: "live" | "batch" };
  const items: ModeItem[] = [
    { label: "$(play) Live", description: resolved.name === "simulated" ? `${fmtCount(estimate.requests)} requests of the simulated reasoner (offline, no cost)` : estimateText(estimate, "live"), detail: "streamed now, with a progress notification you can cancel (what finished is kept)", mode: "live" },
  ];
  if (batchable) items.push({ label: "$(cloud-upload) Batch", description: estimateText(estimate, "batch"), detail: `through ${resolved.name === "anthropic" ? "Anthropic's Message Batches" : "OpenAI's Batch API"}: half the price, results within 24 h; the status bar follows it, and closing the window loses nothing`, mode: "batch" });
  const pick = await vscode.window.showQuickPick(items, {
    title: `Run Sweep: ${read.prompts.length} prompts × ${n} of ${resolved.model}`,
    placeHolder: batchable ? "Live or as a batch?" : `Live (a batch goes through the Anthropic or OpenAI batch API; ${resolved.name} runs live only)`,
  });
  if (!pick) return undefined;
  const mode = pick.mode;
  const thinking: ThinkingMode = resolved.name === "simulated" ? { type: "none" } : thinkingFor(settings, resolved.name, resolved.model);
  const folder = deps.workspaceFolder();
  const header = h.sweepHeader({
    provider: resolved.name,
    model: resolved.model,
    ...(safeBaseURL(resolved.baseURL) ? { baseURL: safeBaseURL(resolved.baseURL)! } : {}),
    mode,
    source: folder ? h.sourceName(path, folder) : isAbsolute(path) ? basename(path) : path,
    parameters: {
      n,
      maxTokens: settings.maxTokens,
      ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
      thinking: thinking.type === "budget" ? { type: "budget", budgetTokens: thinking.budgetTokens } : { type: thinking.type },
      concurrency: settings.concurrency,
      idleTimeoutMs: settings.timeoutSeconds * 1000,
    },
    tool: TOOL,
  });
  // every request checked against the model's rules before anything is sent or written
  const asHeader = { ...header, type: "sweep", schema: "hotmess.sweep/1", prompts: read.prompts.length } as SweepHeader;
  for (const p of read.prompts) {
    const refused = resolved.provider.check(h.requestFor(asHeader, p, thinking));
    if (refused) throw new RunSetupError(`prompt ${p.id}: ${refused}`);
  }
  let client: BatchClient | undefined;
  if (mode === "batch") {
    client = await deps.manager.clientFor(asHeader);
    const ok = await vscode.window.showWarningMessage(
      `Submit ${fmtCount(estimate.requests)} requests as a batch for ${estimate.batchUsd === null ? "an unknown cost" : `at most ${usd(estimate.batchUsd)}`}?`,
      { modal: true, detail: `${read.prompts.length} prompts × ${n} of ${resolved.model} (${resolved.name}). ${estimateText(estimate, "batch")}. Results come within 24 h; the status bar follows the batch, and a closed window polls again when it reopens.` },
      "Submit",
    );
    if (ok !== "Submit") {
      deps.log.info(`sweep: ${basename(path)}: not submitted (declined)`);
      return undefined;
    }
  }
  const known = await deps.secrets.known();
  const { writer, sweep } = h.SweepWriter.create(deps.runDirectory(), header, read.prompts, known);
  const file = writer.file;
  // this window writes it: the activation's resumeAll must not take a submission in flight for a lost one
  deps.manager.busy.add(file);
  try {
    return await startSweep(deps, { writer, sweep, file, client, estimate, table, mode, provider: resolved.provider, read, n, model: resolved.model, name: resolved.name });
  } finally {
    deps.manager.busy.delete(file);
  }
}

async function startSweep(
  deps: RunSweepDeps,
  o: { writer: SweepWriter; sweep: ParsedSweep; file: string; client: BatchClient | undefined; estimate: SweepEstimate; table: PriceTable; mode: "live" | "batch"; provider: Provider; read: { prompts: unknown[] }; n: number; model: string; name: string },
): Promise<string> {
  const h = heavy();
  const { writer, sweep, file, client, estimate, table, mode, read, n } = o;
  const resolved = { model: o.model, name: o.name, provider: o.provider };
  deps.log.info(`sweep: ${read.prompts.length} prompts × ${n} of ${resolved.model} (${resolved.name}, ${mode}) recording to ${file}`);
  if (mode === "batch") {
    try {
      const ids = await h.submitUnsent(writer, sweep, client!, { prices: table });
      deps.log.info(`sweep: submitted ${estimate.requests} requests as ${ids.join(", ")}`);
    } catch (e) {
      writer.close();
      deps.manager.changedFile(file);
      throw new Error(`${(e as Error).message}${sweep.batches.some((b) => b.batchId) ? `; what was submitted is recorded in ${basename(file)} and polled` : ` (nothing was submitted; ${basename(file)} records the refusal)`}`);
    }
    await deps.manager.startPolling(file, { writer, sweep }, client);
    void vscode.window.showInformationMessage(`Hot Mess: ${fmtCount(estimate.requests)} requests submitted as a batch (${sweepName(sweep.header, file)}). The status bar follows it; results come within 24 h.`);
    return file;
  }
  await runLive(deps, writer, sweep, resolved.provider);
  return file;
}

/** A live sweep's missing requests, with a cancellable progress notification; the view opens after. */
export async function runLive(deps: Pick<RunSweepDeps, "log" | "open"> & { manager: SweepManager }, writer: SweepWriter, sweep: ParsedSweep, provider: Provider): Promise<void> {
  const h = heavy();
  const settings = readSettings();
  const controller = new AbortController();
  const total = sweep.prompts.length * sweep.header.parameters.n;
  let status: Awaited<ReturnType<typeof h.runLiveSweep>> = "failed";
  let message: string | undefined;
  const name = sweepName(sweep.header, writer.file);
  deps.manager.busy.add(writer.file);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Hot Mess: sweep ${name}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let last = sweepProgress(sweep).succeeded;
      let lastReport = 0;
      status = await h.runLiveSweep(writer, sweep, provider, {
        concurrency: sweep.header.parameters.concurrency || settings.concurrency,
        idleTimeoutMs: sweep.header.parameters.idleTimeoutMs ?? settings.timeoutSeconds * 1000,
        retries: 5,
        maxRetryWaitMs: settings.maxRetryWaitSeconds * 1000,
        prices: prices(settings),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === "failure") deps.log.warn(`sweep: ${e.key} rerun ${e.index} failed: ${e.message}`);
          if (e.type !== "sample" && e.type !== "failure") return;
          const now = Date.now();
          if (now - lastReport < 200) return;
          lastReport = now;
          const p = sweepProgress(sweep);
          progress.report({ message: `${fmtCount(p.succeeded)}/${fmtCount(total)} replies${p.failed ? ` · ${fmtCount(p.failed)} failed` : ""}`, increment: (100 * (p.succeeded - last)) / total });
          last = p.succeeded;
        },
      });
    });
  } catch (e) {
    message = (e as Error).message;
    status = "failed";
  } finally {
    deps.manager.busy.delete(writer.file);
  }
  // assigned in the progress callback: read as the whole type
  const final = status as RunEndLine["status"];
  const end = h.endSweep(writer, sweep, final === "cancelled" ? "cancelled" : final === "failed" && message ? "failed" : undefined, final === "cancelled" ? "cancelled by the user" : message);
  writer.close();
  deps.manager.changedFile(writer.file);
  const p = sweepProgress(sweep);
  deps.log.info(`sweep ${basename(writer.file)}: ${end.status}: ${sweepStatusText(sweep)}`);
  if (p.succeeded > 0) await deps.open(writer.file);
  if (end.status === "cancelled") void vscode.window.showInformationMessage(`Hot Mess: sweep cancelled with ${fmtCount(p.succeeded)} of ${fmtCount(p.requests)} replies (kept). Continue Sweep in the Runs view runs the rest.`);
  else if (end.status !== "complete") {
    const pick = await vscode.window.showWarningMessage(`Hot Mess: sweep ${end.status}: ${fmtCount(p.succeeded)} of ${fmtCount(p.requests)} replies${p.failed ? `, ${fmtCount(p.failed)} failed` : ""}${message ? ` (${message})` : ""}.`, "Continue Sweep", "Show Log");
    if (pick === "Continue Sweep") void vscode.commands.executeCommand("hotmess.continueSweep", writer.file);
    else if (pick === "Show Log") deps.log.show();
  }
}

/** Continues a live sweep (its requests with no reply run live), or polls a batch sweep again. */
export async function continueSweep(deps: RunSweepDeps, file: string): Promise<void> {
  const parsed = parseSweepFile(readFileSync(file, "utf8"));
  if (parsed.header.mode === "batch") {
    const p = sweepProgress(parsed);
    if (p.open.length > 0) return deps.manager.startPolling(file);
    // requests never sent (a refused submission): sent now, after their cost is confirmed; never
    // while a submission's batch id is missing (it may hold them)
    if (p.unsent > 0 && p.unrecorded.length === 0) return deps.manager.submitUnsent(file);
    void vscode.window.showInformationMessage(`Hot Mess: no batch of the sweep ${sweepName(parsed.header, file)} is in progress${p.failed ? ": Resubmit Failed sends the failed requests again" : ""}${p.unrecorded.length ? `; ${p.unrecorded.length} submission(s) have no recorded batch id: look for them in the provider's console` : ""}.`);
    return;
  }
  const settings = readSettings();
  const h = parsed.header;
  if ((h.provider === "anthropic" || h.provider === "openai") && (safeBaseURL(h.provider === "anthropic" ? settings.anthropicBaseUrl : settings.openaiBaseUrl) ?? "") !== (safeBaseURL(h.baseURL) ?? ""))
    throw new RunSetupError(`this sweep went to ${h.baseURL ?? "the provider's own endpoint"}, but the hotmess.${h.provider}.baseUrl setting points elsewhere now: a sweep continues where it was made`, { title: "Open Settings", command: "workbench.action.openSettings", args: [`hotmess.${h.provider}.baseUrl`] });
  const resolved = await resolveProvider({ ...settings, provider: h.provider as Settings["provider"], model: h.model }, deps.secrets);
  const { writer, sweep } = heavy().SweepWriter.open(file, await deps.secrets.known());
  await runLive(deps, writer, sweep, resolved.provider);
}
