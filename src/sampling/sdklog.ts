// What the model SDKs say on their own: their logger's warnings and errors, and the Anthropic
// SDK's console.warn on every messages.create for a deprecated model (or thinking.type=enabled on
// some models). Each distinct line reaches the front end's log once per provider (a run), never
// per request, and never straight to the terminal, where it broke the CLI's redrawn progress line.
import { redactSecrets } from "../core/redact";

/** Where a provider's SDK lines go, each once. */
export type SdkLog = (line: string) => void;

/** Longer lines (an SDK quoting a whole malformed event) are cut: the log is for reading. */
const MAX_LINE = 500;

/** One line: the SDK's line breaks become sentence ends ("…2026\nPlease migrate" → "…2026. Please migrate"). */
function tidy(text: string): string {
  const parts = text
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const line = parts.map((p, i) => (i < parts.length - 1 && !/[.!?:;,]$/.test(p) ? `${p}.` : p)).join(" ");
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

/**
 * What makes two lines the same warning: the words, not the ids and numbers of the request they
 * came with (an SDK quoting each malformed event it met, with that response's id, says one thing).
 */
const sameWarning = (line: string) => line.replace(/[A-Za-z0-9_-]{16,}/g, "#").replace(/\d+/g, "0");

/**
 * A log that passes each distinct line once to `log`, as "<source> says: <line>", tidied and with
 * the secrets redacted; silent when there is no log.
 */
export function onceEach(log: ((line: string) => void) | undefined, source: string, secrets: readonly string[]): SdkLog {
  const seen = new Set<string>();
  return (raw) => {
    if (!log) return;
    const line = tidy(redactSecrets(raw, secrets));
    const key = sameWarning(line);
    if (line === "" || seen.has(key)) return;
    seen.add(key);
    log(`${source} says: ${line}`);
  };
}

/** The SDKs' `logger` option: warnings and errors to the log, info and debug dropped. */
export function sdkLogger(log: SdkLog): { error: (...a: unknown[]) => void; warn: (...a: unknown[]) => void; info: () => void; debug: () => void } {
  const say = (...a: unknown[]) => log(a.map(String).join(" "));
  return { error: say, warn: say, info: () => {}, debug: () => {} };
}

/**
 * Calls `f` with console.warn sent to `log`. The Anthropic SDK warns synchronously inside
 * messages.create, before the request goes out and before create returns its promise; nothing
 * else runs in between, so the interception holds even with several samples in flight. Only
 * what `f` does synchronously is caught: pass the call, not an async function around it.
 */
export function capturingConsoleWarn<T>(log: SdkLog, f: () => T): T {
  const original = console.warn;
  console.warn = (...a: unknown[]) => log(a.map(String).join(" "));
  try {
    return f();
  } finally {
    console.warn = original;
  }
}

/** Whether an SDK line announces a deprecation (of the model, or of a parameter the request used). */
export function isDeprecation(line: string): boolean {
  return /\bdeprecated\b/i.test(line);
}
