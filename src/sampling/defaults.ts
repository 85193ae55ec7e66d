// Defaults shared by every front end (the CLI, the editor).

/** The model each provider uses when none is chosen. */
export const DEFAULT_MODELS: Record<string, string> = {
  simulated: "simulated-reasoner",
  anthropic: "claude-sonnet-4-5",
  openai: "gpt-5-mini",
};
