// Redaction: API keys must never reach a run file, a log, a notification or an export, even
// when a server or a trace quotes one back. Every output applies this to every string it writes.

/** What a redacted secret becomes. */
export const REDACTED = "[redacted]";

/** Provided secrets shorter than this are ignored: replacing "abc" everywhere would mangle the text. */
export const MIN_SECRET_LENGTH = 8;

/**
 * Things that look like credentials, whoever they belong to: Anthropic keys (`sk-ant-…`), other
 * `sk-…` keys of 20 characters or more (OpenAI and compatible servers), bearer tokens, and the
 * user name and password in a URL (`https://me:pw@host` → `https://[redacted]@host`).
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]+/g, REDACTED],
  [/(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{17,}/g, REDACTED],
  [/\b([Bb]earer)(\s+)[A-Za-z0-9._~+/-]{12,}=*/g, `$1$2${REDACTED}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, `$1${REDACTED}@`],
];

/** Secrets worth looking for: the usable ones, longest first (so one containing another wins). */
function usableSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((s) => typeof s === "string" && s.trim().length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

function redactWith(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  return out;
}

/**
 * Replaces every occurrence of a provided secret (an API key from the environment, say; those
 * shorter than MIN_SECRET_LENGTH are ignored), and anything that looks like `sk-ant-…`, `sk-…`
 * (20+ characters), `Bearer <token>` or a URL's `user:password@`, with `[redacted]`. Every export applies it to every
 * string it writes.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  return redactWith(text, usableSecrets(secrets));
}

/** A deep copy of a JSON value with every string (keys included) redacted. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  return deepWith(value, usableSecrets(secrets));
}

/** What redacts many texts against one list of secrets, filtered and sorted once (redactSecrets and redactDeep do it per call). */
export interface Redactor {
  /** The usable secrets, longest first. */
  secrets: readonly string[];
  text(text: string): string;
  deep<T>(value: T): T;
  /**
   * The value itself when no string in it changes; otherwise a copy of what changes, sharing the
   * rest. For a large document that is only read on its way out (an analysis of a 50 MB trace
   * set is several hundred MB in memory): a deep copy doubled it.
   */
  shared<T>(value: T): T;
}

/** A Redactor for these secrets: for a front end that redacts every line it prints. */
export function redactor(secrets: readonly string[]): Redactor {
  const list = usableSecrets(secrets);
  return { secrets: list, text: (text) => redactWith(text, list), deep: (value) => deepWith(value, list), shared: (value) => sharedWith(value, list) };
}

function sharedWith<T>(value: T, list: readonly string[]): T {
  // the same few keys ("run", "step", …) come up millions of times
  const keys = new Map<string, string>();
  const key = (k: string): string => {
    let r = keys.get(k);
    if (r === undefined) keys.set(k, (r = redactWith(k, list)));
    return r;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactWith(v, list);
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i]);
        if (out === null && x !== v[i]) out = v.slice(0, i);
        out?.push(x);
      }
      return out ?? v;
    }
    if (v !== null && typeof v === "object") {
      let out: Record<string, unknown> | null = null;
      const entries = Object.entries(v);
      entries.forEach(([k, x], i) => {
        const k2 = key(k);
        const x2 = walk(x);
        if (out === null && (k2 !== k || x2 !== x)) out = Object.fromEntries(entries.slice(0, i));
        if (out) out[k2] = x2;
      });
      return out ?? v;
    }
    return v;
  };
  return walk(value) as T;
}

function deepWith<T>(value: T, list: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactWith(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[redactWith(k, list)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}


/** Names of environment variables that hold credentials: *_API_KEY, *_TOKEN, *_SECRET, *_SECRET_KEY, *_SECRET_ACCESS_KEY. */
const SECRET_ENV_NAME = /(^|_)(API_KEY|TOKEN|SECRET|SECRET_KEY|SECRET_ACCESS_KEY)$/i;

/**
 * The values no output may contain, from an environment (a plain object, so this stays pure):
 * the providers' keys and any other *_API_KEY, *_TOKEN, *_SECRET, *_SECRET_KEY. Every front end
 * adds the keys it holds elsewhere (VS Code's SecretStorage) and hands the list to redactSecrets
 * or redactDeep.
 */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => typeof v === "string" && v !== "" && SECRET_ENV_NAME.test(k))
    .map(([, v]) => v!);
}
