// What a Claude model accepts, from its generation: thinking forms and sampling rules. Apart
// from the provider so that front ends can check a request without loading the SDK.
import type { ThinkingMode } from "./types";

/**
 * What a Claude model id says about its generation: {major, minor}, from ids with the numbers
 * after the family (claude-sonnet-4-6, claude-haiku-4-5-20251001, claude-opus-5) or before it
 * (claude-3-7-sonnet-20250219). A trailing 8-digit date is not a version. null when there is
 * no version (a custom id).
 */
export function claudeVersion(model: string): { major: number; minor: number } | null {
  const parts = model.toLowerCase().replace(/^anthropic\./, "").split(/[-.@:]/);
  const nums: number[] = [];
  for (const p of parts) {
    if (/^\d{8}$/.test(p)) break; // a date
    if (/^\d{1,2}$/.test(p)) nums.push(Number(p));
    else if (nums.length > 0 && /^(opus|sonnet|haiku|fable|mythos)$/.test(p)) break; // claude-3-7-sonnet
  }
  if (nums.length === 0) return null;
  return { major: nums[0]!, minor: nums[1] ?? 0 };
}

const atLeast = (v: { major: number; minor: number } | null, major: number, minor: number) => v !== null && (v.major > major || (v.major === major && v.minor >= minor));

/** The family a Claude model id names (opus, sonnet, haiku, fable, mythos), or null. */
function claudeFamily(model: string): string | null {
  return /(?:^|[-.])(opus|sonnet|haiku|fable|mythos)(?:$|[-.@:])/.exec(model.toLowerCase())?.[1] ?? null;
}

export interface ClaudeRules {
  /** Takes thinking: {type: "adaptive"}. */
  adaptive: boolean;
  /** Takes a thinking budget (thinking: {type: "enabled", budget_tokens}). */
  budget: boolean;
  /** Takes a temperature other than 1. */
  temperature: boolean;
  /**
   * How to ask for no thinking: "omit" the field (the model thinks only when asked), send
   * "disabled" (a Claude 5 model that thinks by default), "between_tools" (Sonnet 5.5, where it
   * replaces "disabled"), or null: thinking cannot be turned off.
   */
  off: "omit" | "disabled" | "between_tools" | null;
}

/** The thinking forms and sampling rules of a model, from its generation (Anthropic's docs, as of 2026-12). */
export function claudeRules(model: string): ClaudeRules {
  const v = claudeVersion(model);
  const family = claudeFamily(model);
  const preview = /mythos-preview/.test(model);
  return {
    // adaptive thinking arrived with the 4.6 models
    adaptive: preview || atLeast(v, 4, 6),
    // the budget form is refused from Opus 4.7 on (deprecated on 4.6); unknown ids keep it
    budget: !preview && !atLeast(v, 4, 7),
    // models after Opus 4.6 accept no temperature but 1
    temperature: !preview && !atLeast(v, 4, 7),
    off: thinkingOff(family, v, preview),
  };
}

/**
 * Claude 4.x and earlier think only when asked; Claude 5 models think by default and take
 * {type: "disabled"}; Sonnet 5.5 takes {type: "between_tools"} instead (a 400 for "disabled");
 * Fable and Mythos (every version, and Mythos Preview) and Opus from 5.5 on always think: "disabled"
 * is a 400 (Anthropic's "What's new" pages for Opus 5, Opus 5.5 and Sonnet 5.5, and the Fable 5
 * migration guide).
 */
function thinkingOff(family: string | null, v: { major: number; minor: number } | null, preview: boolean): ClaudeRules["off"] {
  if (preview || family === "fable" || family === "mythos") return null;
  if (family === "opus" && atLeast(v, 5, 5)) return null;
  if (family === "sonnet" && atLeast(v, 5, 5)) return "between_tools";
  if (atLeast(v, 5, 0)) return "disabled";
  return "omit";
}

/** The thinking form to use when the user asked for none in particular. */
export function defaultThinking(model: string, budgetTokens?: number): ThinkingMode {
  const rules = claudeRules(model);
  if (budgetTokens !== undefined && rules.budget) return { type: "budget", budgetTokens };
  if (rules.adaptive) return { type: "adaptive" };
  return { type: "budget", budgetTokens: budgetTokens ?? 4096 };
}

