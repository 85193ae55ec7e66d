// The extension's settings, read in one place. Settings that choose where a request goes (the
// base URLs) are machine-scoped, and in an untrusted workspace they are ignored altogether, as
// are the run directory, the price table and a rollout's tool command (VS Code's restrictedConfigurations does the same
// for workspace values; this is the belt to its braces).
import * as vscode from "vscode";
import type { PriceTable } from "../sampling/prices";

export type ProviderSetting = "auto" | "simulated" | "anthropic" | "openai" | "vscode-lm";
export type ThinkingSetting = "auto" | "adaptive" | "budget" | "off";

export interface Settings {
  n: number;
  concurrency: number;
  provider: ProviderSetting;
  model: string;
  /** The model that judges semantic answer classes (empty: the run's model setting, or the provider's default). */
  judgeModel: string;
  thinking: ThinkingSetting;
  thinkingBudget: number;
  maxTokens: number;
  temperature: number | null;
  anthropicBaseUrl: string;
  openaiBaseUrl: string;
  prices: PriceTable;
  incoherenceWarningThreshold: number;
  runDirectory: string;
  timeoutSeconds: number;
  /** The longest wait a server may ask for (retry-after) that a sample sits out; beyond it the sample fails as retryable. */
  maxRetryWaitSeconds: number;
  /** Rollouts of a next action (0: the next turn only), the tool command answering what no recorded result does (trusted workspaces only), its timeout. */
  rolloutSteps: number;
  toolCommand: string[];
  toolTimeoutSeconds: number;
}

const clampInt = (v: unknown, lo: number, hi: number, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : fallback);

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration("hotmess", scope);
  const trusted = vscode.workspace.isTrusted;
  // machine-scoped: only the user's own settings count; never a workspace's
  const machine = (key: string) => {
    const i = c.inspect<string>(key);
    return trusted ? (i?.globalValue ?? i?.defaultValue ?? "") : "";
  };
  const temperature = c.get<number | null>("temperature", null);
  return {
    n: clampInt(c.get("n"), 1, 1000, 8),
    concurrency: clampInt(c.get("concurrency"), 1, 64, 4),
    provider: (c.get<string>("provider", "auto") as ProviderSetting) ?? "auto",
    model: c.get<string>("model", "") ?? "",
    judgeModel: c.get<string>("judge.model", "") ?? "",
    thinking: (c.get<string>("thinking", "auto") as ThinkingSetting) ?? "auto",
    thinkingBudget: clampInt(c.get("thinkingBudget"), 1024, 1_000_000, 4096),
    maxTokens: clampInt(c.get("maxTokens"), 1, 1_000_000, 8192),
    temperature: typeof temperature === "number" && Number.isFinite(temperature) ? temperature : null,
    anthropicBaseUrl: machine("anthropic.baseUrl"),
    openaiBaseUrl: machine("openai.baseUrl"),
    prices: trusted ? (c.get<PriceTable>("prices", {}) ?? {}) : {},
    incoherenceWarningThreshold: Math.min(1, Math.max(0, c.get<number>("incoherenceWarningThreshold", 0.5) ?? 0.5)),
    runDirectory: trusted ? (c.get<string>("runDirectory", ".hotmess/runs") || ".hotmess/runs") : ".hotmess/runs",
    timeoutSeconds: clampInt(c.get("timeoutSeconds"), 5, 3600, 120),
    maxRetryWaitSeconds: clampInt(c.get("maxRetryWait"), 0, 3600, 60),
    rolloutSteps: clampInt(c.get("rollout.steps"), 0, 50, 0),
    // a program run on the user's machine: never from an untrusted workspace
    toolCommand: trusted ? (c.get<unknown[]>("rollout.toolCommand", []) ?? []).filter((x): x is string => typeof x === "string" && x !== "") : [],
    toolTimeoutSeconds: clampInt(c.get("rollout.toolTimeoutSeconds"), 1, 600, 30),
  };
}
