// Defaults shared by every front end (the CLI, the editor).
import { SIMULATED_MODEL } from "../core/lead";

/**
 * The model each provider uses when none is chosen: a current one, listed by the installed SDK and
 * not marked deprecated there (test/provider-defaults.test.ts fails when that changes). Chosen
 * 2026-12-04 for reruns of one prompt many times, where the price per sample counts:
 * - anthropic: Claude Sonnet 5.5, "the best combination of speed and intelligence" at $2 / $10 per
 *   million tokens; adaptive thinking whose summary is the trace, and thinking can be turned off
 *   (claude-sonnet-4-5, the previous default, reached end of life on 2026-11-30).
 * - openai: GPT-5.6 Terra, which OpenAI describes as the tier of the earlier "mini" models, at
 *   $2 / $12; gpt-5-mini shuts down on 2026-12-11 (OpenAI's deprecations page). OpenAI names
 *   gpt-6.1-terra as its replacement, but the installed openai SDK (6.49) does not list it yet.
 */
export const DEFAULT_MODELS: Record<string, string> = {
  simulated: SIMULATED_MODEL,
  anthropic: "claude-sonnet-5-5",
  openai: "gpt-5.6-terra",
};

/** The thinking budget, in tokens, when a budget is asked for without a size. */
export const DEFAULT_THINKING_BUDGET = 4096;
