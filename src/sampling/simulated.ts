// The simulated reasoner: an offline, in-process provider that answers optimizer-emulation
// prompts (and nothing else) by actually running the optimizer, with the seeded imperfections a
// real model shows:
//   - a systematic slip shared by most runs (a misread learning rate, or a dropped term in the
//     gradient): bias;
//   - arithmetic noise now and then at a step: variance;
//   - a distraction that wanders off and loses track, more likely the longer it runs: after it,
//     the run either stops writing iterates or carries on from a wrong point.
// It streams its trace token by token at a configurable speed, reports token counts, honours
// cancellation, and is the default provider when no other is configured. Its knobs are
// documented in the README ("The simulated reasoner").
import { hashSeed, mulberry32, type OptimizerSpec, type Rng } from "../core";
import { parsePrompt } from "./benchmark";
import type { Provider, ProviderEvent, SampleRequest } from "./types";

export interface SimulatorKnobs {
  /** The systematic slip: `probability` that a run makes it; `kind` "rate" multiplies the rate (or step length) by 1 + size, "drop-b" computes the gradient as A·x. */
  slip: { probability: number; kind: "rate" | "drop-b"; size: number };
  /** Arithmetic noise: with `probability` at each step, every coordinate of the iterate is off by N(0, sigma²). */
  noise: { probability: number; sigma: number };
  /** Distraction: the chance at step k is min(0.95, base · growth^(k−1)). */
  distraction: { base: number; growth: number };
  /** Streaming speed in tokens a second; 0 streams at once. */
  tokensPerSecond: number;
  seed: number;
}

export const DEFAULT_KNOBS: SimulatorKnobs = {
  slip: { probability: 0.9, kind: "rate", size: 0.12 },
  noise: { probability: 0.15, sigma: 0.02 },
  distraction: { base: 0.003, growth: 1.3 },
  tokensPerSecond: 5000,
  seed: 1,
};

const NOT_A_BENCHMARK =
  "the simulated reasoner answers only optimizer-emulation prompts (hotmess bench optimizer); for any other prompt configure a real provider: " +
  "export ANTHROPIC_API_KEY (or OPENAI_API_KEY), or --provider openai --base-url URL for a local OpenAI-compatible server such as Ollama";

function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const DIGRESSIONS = [
  "Hmm, wait. Is A really symmetric here? Let me look at the off-diagonal terms again before going on.",
  "Actually, I wonder whether the step size is too large for this condition number; maybe the iterates oscillate.",
  "Let me reconsider: perhaps I should be minimising around x_0 instead of b. No, the objective is centred at b.",
  "This is getting long. The iterates seem to be creeping toward b anyway, so the exact values matter less.",
];

function fmtVec(x: number[], decimals: number): string {
  return `[${x.map((v) => (Object.is(Math.round(v * 10 ** decimals) / 10 ** decimals, -0) ? 0 : v).toFixed(decimals)).join(", ")}]`;
}

const roundTo = (x: number[], decimals: number) => x.map((v) => Math.round(v * 10 ** decimals) / 10 ** decimals);

/** One run's thinking and answer for a problem, from its own random stream. */
export function simulateRun(spec: OptimizerSpec, knobs: SimulatorKnobs, rng: Rng): { thinking: string; text: string } {
  const dec = spec.decimals;
  const slipped = rng() < knobs.slip.probability;
  const baseRate = spec.rule === "gd" ? spec.eta! : spec.stepNorm!;
  const rate = slipped && knobs.slip.kind === "rate" ? Number((baseRate * (1 + knobs.slip.size)).toPrecision(3)) : baseRate;
  const dropB = slipped && knobs.slip.kind === "drop-b";
  const lines: string[] = [];
  const ruleName = spec.rule === "gd" ? `gradient descent with eta = ${rate}` : `fixed-norm steepest descent with step length s = ${rate}`;
  lines.push(`I will run ${spec.K} steps of ${ruleName}, starting from x_0 = ${fmtVec(spec.x0, dec)}.`);
  lines.push(dropB ? "The gradient of f is g = A x." : "The gradient of f is g = A (x - b).");
  let x = [...spec.x0];
  for (let k = 1; k <= spec.K; k++) {
    const g = dropB ? spec.A.map((row) => row.reduce((s, a, j) => s + a * x[j]!, 0)) : spec.A.map((row) => row.reduce((s, a, j) => s + a * (x[j]! - spec.b[j]!), 0));
    const len = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    let next = spec.rule === "gd" ? x.map((v, i) => v - rate * g[i]!) : x.map((v, i) => (len === 0 ? v : v - (rate * g[i]!) / len));
    if (rng() < knobs.noise.probability) next = next.map((v) => v + knobs.noise.sigma * gaussian(rng));
    const pDistract = Math.min(0.95, knobs.distraction.base * knobs.distraction.growth ** (k - 1));
    if (rng() < pDistract) {
      lines.push(DIGRESSIONS[Math.floor(rng() * DIGRESSIONS.length)]!);
      if (rng() < 0.5) {
        lines.push(`I'll stop tracking every iterate and estimate where the remaining ${spec.K - k + 1} steps lead.`);
        const guess = spec.b.map((v) => v + 0.5 * gaussian(rng));
        return { thinking: lines.join("\n"), text: `Roughly, the iterates approach b.\nAnswer: ${fmtVec(guess, dec)}` };
      }
      next = next.map((v) => v + 0.4 * gaussian(rng)); // loses track and carries on from a wrong point
    }
    lines.push(`g_${k} = ${fmtVec(g, dec)}`);
    lines.push(`x_${k} = ${fmtVec(next, dec)}`);
    x = roundTo(next, dec); // a model continues from what it wrote
  }
  return { thinking: lines.join("\n"), text: `After ${spec.K} steps:\nAnswer: ${fmtVec(x, dec)}` };
}

/** Splits text into small tokens (a word or a piece of punctuation with its space), as a model streams them. */
export function tokens(text: string): string[] {
  return text.match(/\s*[\w.]+|\s*[^\w\s]|\s+/g) ?? [];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      signal.removeEventListener("abort", done);
      clearTimeout(t);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export class SimulatedProvider implements Provider {
  readonly id = "simulated";
  private calls = 0;
  readonly knobs: SimulatorKnobs;

  constructor(knobs: Partial<SimulatorKnobs> = {}) {
    this.knobs = {
      ...DEFAULT_KNOBS,
      ...knobs,
      slip: { ...DEFAULT_KNOBS.slip, ...knobs.slip },
      noise: { ...DEFAULT_KNOBS.noise, ...knobs.noise },
      distraction: { ...DEFAULT_KNOBS.distraction, ...knobs.distraction },
    };
  }

  check(r: SampleRequest): string | null {
    return parsePrompt(r.prompt) ? null : NOT_A_BENCHMARK;
  }

  async *stream(r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    const spec = parsePrompt(r.prompt);
    if (!spec) throw new Error(NOT_A_BENCHMARK);
    // each call is its own rerun: its random stream comes from the seed, the prompt and the call number
    const rng = mulberry32(hashSeed(this.knobs.seed, `${r.prompt}\u0000${this.calls++}`));
    const { thinking, text } = simulateRun(spec, this.knobs, rng);
    const inputTokens = Math.ceil(r.prompt.length / 4);
    yield { type: "usage", inputTokens, outputTokens: 0 };
    let out = 0;
    const perToken = this.knobs.tokensPerSecond > 0 ? 1000 / this.knobs.tokensPerSecond : 0;
    const started = Date.now();
    for (const [kind, body] of [
      ["thinking", thinking],
      ["text", text],
    ] as const) {
      for (const t of tokens(body)) {
        if (signal.aborted) return;
        out++;
        yield { type: kind, text: t };
        if (out >= r.maxTokens) {
          yield { type: "usage", outputTokens: out };
          yield { type: "stop", reason: "max_tokens", truncated: true };
          return;
        }
        // pace in batches of ~10 ms so timers stay cheap
        const due = started + out * perToken - Date.now();
        if (perToken > 0 && due > 10) await sleep(due, signal);
      }
    }
    if (signal.aborted) return;
    yield { type: "usage", outputTokens: out };
    yield { type: "stop", reason: "end_turn", truncated: false };
  }
}
