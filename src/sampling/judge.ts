// The judge behind semantic answer classes (src/core/semantic.ts): a cheap pairwise-equivalence
// question to a model — "do these two answers say the same thing?" — through any provider (the
// real SDKs against Anthropic or OpenAI, the fakes in tests), or the offline simulated judge.
// Each verdict is one short request without thinking; its reply is read from its first word
// (SAME / DIFFERENT). A reply that says neither counts as "different" (two classes rather than a
// wrong merge) and is counted as unclear, so the caller can say how many there were.
import { maxVerdicts, type VerdictCache } from "../core/semantic";
import { costOf, priceOf, type PriceTable, DEFAULT_PRICES } from "./prices";
import { isSamplingError, type Provider, type SampleRequest } from "./types";

export const JUDGE_SYSTEM =
  "You compare two answers to the same question. Reply with exactly one word: SAME if they give the same final answer or make the same claim (whatever the wording, length or reasoning around it), DIFFERENT otherwise.";

/** The judge's question for one pair. */
export function judgePrompt(a: string, b: string, question?: string): string {
  return `${question ? `Question:\n${question}\n\n` : ""}Answer A:\n${a}\n\nAnswer B:\n${b}\n\nDo A and B give the same answer? Reply SAME or DIFFERENT.`;
}

/** The verdict in a reply: its first word; null when it is neither. */
export function readVerdict(reply: string): boolean | null {
  const m = /^[\s"'*`_.:-]*(same|different)\b/i.exec(reply);
  return m ? m[1]!.toLowerCase() === "same" : null;
}

export interface JudgeStats {
  verdicts: number;
  unclear: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
}

export interface Judge {
  readonly model: string;
  same(a: string, b: string): Promise<boolean>;
  readonly stats: JudgeStats;
}

/** A judge asking `model` through `provider`. */
/** Attempts of one verdict when the server says to come back later (rate limit, overloaded, 5xx, connection). */
export const JUDGE_ATTEMPTS = 4;

export function providerJudge(provider: Provider, model: string, opts: { question?: string; prices?: PriceTable; signal?: AbortSignal; maxTokens?: number; maxRetryWaitMs?: number } = {}): Judge {
  const price = priceOf(model, opts.prices ?? DEFAULT_PRICES);
  const stats: JudgeStats = { verdicts: 0, unclear: 0, inputTokens: 0, outputTokens: 0, costUsd: price ? 0 : null };
  const signal = opts.signal ?? new AbortController().signal;
  return {
    model,
    stats,
    async same(a, b) {
      const request: SampleRequest = { prompt: judgePrompt(a, b, opts.question), system: JUDGE_SYSTEM, model, maxTokens: opts.maxTokens ?? 16, thinking: { type: "none" } };
      const refused = provider.check(request);
      if (refused) throw new Error(`the judge ${model} cannot be asked: ${refused}`);
      let text = "";
      let input = 0;
      let output = 0;
      // a rate limit or an overloaded server is waited out (as the server asks, within reason), a few times
      for (let attempt = 1; ; attempt++) {
        text = "";
        try {
          for await (const ev of provider.stream(request, signal)) {
            if (ev.type === "text") text += ev.text;
            else if (ev.type === "usage") {
              if (ev.inputTokens !== undefined) input = ev.inputTokens;
              if (ev.outputTokens !== undefined) output = ev.outputTokens;
            }
          }
          break;
        } catch (e) {
          if (!isSamplingError(e) || !e.retryable || attempt >= JUDGE_ATTEMPTS || signal.aborted) throw e;
          const wait = Math.min(e.retryAfterMs ?? 1000 * 2 ** (attempt - 1), opts.maxRetryWaitMs ?? 20_000);
          if ((e.retryAfterMs ?? 0) > (opts.maxRetryWaitMs ?? 20_000)) throw e;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
          });
          if (signal.aborted) throw e;
        }
      }
      stats.verdicts++;
      stats.inputTokens += input;
      stats.outputTokens += output;
      if (stats.costUsd !== null) stats.costUsd += costOf(price, input, output) ?? 0;
      const v = readVerdict(text);
      if (v === null) stats.unclear++;
      return v ?? false;
    },
  };
}

const STOP = new Set("a an the is are was were be been of to in on at for and or but so that this it its as by with from then than there their they we you i he she his her our your which who what when how do does did not no yes also just only very".split(" "));

/** The content words and numbers of a text, for the simulated judge. */
function contentOf(text: string): { words: Set<string>; numbers: string } {
  const t = text.normalize("NFKC").toLowerCase();
  const numbers = [...t.matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].map((m) => String(Number(m[0].replace(/,/g, "")))).sort();
  const words = new Set(t.replace(/-?\d[\d,]*(?:\.\d+)?/g, " ").split(/[^\p{L}]+/u).filter((w) => w.length > 1 && !STOP.has(w)));
  return { words, numbers: [...new Set(numbers)].join(",") };
}

/**
 * The offline judge (the demo, tests, and anyone without a key): two answers are the same when
 * they state the same numbers and at least half of the content words either uses are used by
 * both (Jaccard ≥ 0.5; stop words and punctuation dropped). A stand-in with a known rule, not a
 * model: "spam" and "legitimate" beside one shared word differ, a reordered sentence does not.
 */
/** The simulated judge's name, in a run file's verdict lines. */
export const SIMULATED_JUDGE = "simulated-judge";

export function simulatedJudge(): Judge {
  const stats: JudgeStats = { verdicts: 0, unclear: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  return {
    model: SIMULATED_JUDGE,
    stats,
    async same(a, b) {
      stats.verdicts++;
      const x = contentOf(a);
      const y = contentOf(b);
      if (x.numbers !== y.numbers) return false;
      if (x.words.size === 0 && y.words.size === 0) return true;
      let shared = 0;
      for (const w of x.words) if (y.words.has(w)) shared++;
      return shared / (x.words.size + y.words.size - shared) >= 0.5;
    },
  };
}

/**
 * What clustering `answers` may cost at most, before it runs: the verdicts not in the cache
 * (maxVerdicts), each a request of about the judge prompt's length (4 characters a token, the
 * two longest answers) and a one-word reply. null cost when the model's price is unknown.
 */
export function judgeEstimate(answers: readonly (string | null)[], model: string, cache: VerdictCache = new Map(), prices: PriceTable = DEFAULT_PRICES, question?: string): { verdicts: number; inputTokens: number; costUsd: number | null } {
  const verdicts = maxVerdicts(answers, cache);
  const lengths = answers.flatMap((a) => (a === null ? [] : [a.length])).sort((x, y) => y - x);
  const chars = JUDGE_SYSTEM.length + judgePrompt("", "", question).length + (lengths[0] ?? 0) + (lengths[1] ?? 0);
  const perInput = Math.ceil(chars / 4);
  const inputTokens = verdicts * perInput;
  const price = priceOf(model, prices);
  return { verdicts, inputTokens, costUsd: costOf(price, inputTokens, verdicts * 2) };
}
