// The simulated reasoner: an offline, in-process provider, the default when no key is set. It
// answers any prompt, and says in every output that no model was called:
//   - an optimizer-emulation prompt (hotmess bench optimizer) by actually running the optimizer;
//   - arithmetic it can read (src/sampling/arithmetic.ts) by working it out, one line per
//     operation in the order a person does them ("17 × 24 = 408", "408 + 3 = 411");
//   - anything else with a labelled simulated trace: a few generic steps and a placeholder
//     answer drawn from a small seeded set, so the reruns split into a few classes.
// With the seeded imperfections a real model shows:
//   - a systematic slip shared by most runs (a misread learning rate or a dropped term in the
//     gradient; in arithmetic, the same dropped carry at the same step): bias;
//   - arithmetic noise now and then at a step: variance;
//   - a distraction that wanders off and loses track, more likely the longer it runs: after it,
//     the run either stops working and guesses, or carries on from a wrong point.
// Given a conversation with tools declared (SampleRequest.conversation), it answers with the next
// assistant turn instead (nextaction.ts): a short thinking when thinking is on, maybe a short
// line of text, and usually one tool call of a declared tool with arguments that fit its schema,
// else a text reply; the reruns part over the most plausible action and a few alternatives as
// the `spread` knob says.
// It streams its trace token by token at a configurable speed, reports token counts, and honours
// cancellation and max tokens. Its knobs are documented in docs/cli.md ("The simulated reasoner").
import { hashSeed, mulberry32, SIMULATED_MODEL, type OptimizerSpec, type Rng } from "../core";
import { apply, fmtNumber, fmtOperand, operations, parseArithmetic, SYMBOL, value, type ArithmeticProblem, type Expr, type OpExpr } from "./arithmetic";
import { parsePrompt } from "./benchmark";
import { chooseAction, conversationHash, rankActions, type NextAction } from "./nextaction";
import type { Conversation } from "../core/conversation";
import type { Provider, ProviderEvent, SampleRequest } from "./types";

export interface SimulatorKnobs {
  /**
   * The systematic slip: `probability` that a run makes it. Optimizer: `kind` "rate" multiplies
   * the rate (or step length) by 1 + size, "drop-b" computes the gradient as A·x. Arithmetic: the
   * problem's one dropped carry (kind and size do not apply).
   */
  slip: { probability: number; kind: "rate" | "drop-b"; size: number };
  /**
   * Arithmetic noise, with `probability` at each step. Optimizer: every coordinate of the iterate
   * is off by N(0, sigma²). Arithmetic: the result is off by 1, 2 or 10 (sigma does not apply).
   * Other prompts: the step is worded another way.
   */
  noise: { probability: number; sigma: number };
  /** Distraction, in every mode: the chance at step k is min(0.95, base · growth^(k−1)). */
  distraction: { base: number; growth: number };
  /**
   * Tool use (a conversation with tools declared): the chance that a rerun takes another next
   * action than the most plausible one (another tool, the same tool with other arguments, or a
   * text reply instead of a call). 0: every rerun takes the same action.
   */
  spread: number;
  /** Streaming speed in tokens a second; 0 streams at once. */
  tokensPerSecond: number;
  seed: number;
}

export const DEFAULT_KNOBS: SimulatorKnobs = {
  slip: { probability: 0.9, kind: "rate", size: 0.12 },
  noise: { probability: 0.15, sigma: 0.02 },
  distraction: { base: 0.003, growth: 1.3 },
  spread: 0.3,
  tokensPerSecond: 5000,
  seed: 1,
};

/** The first line of every trace it writes: nobody may take it for a model's words. */
export const SIMULATED_NOTICE = "[Simulated reasoner: no model was called. Set an API key to rerun this prompt on a real model.]";
/** The first line of every reply it writes. */
export const SIMULATED_REPLY_NOTICE = "[Simulated reasoner: no model was called. This reply was made up offline by Hot Mess Inspector.]";

function notOurModel(model: string): string {
  return (
    `the simulated reasoner is one offline model, "${SIMULATED_MODEL}": it cannot stand in for "${model}" (no model is called, and its runs must not be labelled as that model's). ` +
    `Leave the model unset (--model, hotmess.model), or rerun on the real model: export ANTHROPIC_API_KEY (or OPENAI_API_KEY), or --provider openai --base-url URL for a local OpenAI-compatible server such as Ollama`
  );
}

/** The chance of a distraction at step k (1 for the first): min(0.95, base · growth^(k−1)). */
function distractionChance(knobs: SimulatorKnobs, k: number): number {
  return Math.min(0.95, knobs.distraction.base * knobs.distraction.growth ** (k - 1));
}

/** One element drawn at random. */
function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]!;
}

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
    if (rng() < distractionChance(knobs, k)) {
      lines.push(pick(rng, DIGRESSIONS));
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

const ARITHMETIC_DIGRESSIONS = [
  "Hmm, wait. Did I copy the numbers from the question correctly? Let me look at them again before going on.",
  "Actually, maybe there is a shortcut here, like rounding to a nearby number first and correcting at the end.",
  "Let me reconsider the order of operations: does the multiplication really come first here? Yes, I think so.",
  "This is getting long. The exact value matters less than its rough size.",
];

/**
 * The systematic slip of a problem: the same dropped carry at the same operation, whichever run
 * makes it (so the runs that slip agree on the wrong answer: bias). Drawn from the prompt alone:
 * the hardest operation (the multiplication or power with the largest result, else the operation
 * with the largest result), off by a power of ten below its leading digit.
 */
function arithmeticSlip(p: ArithmeticProblem, rng: Rng): { at: number; delta: number } {
  const ops = operations(p.tree);
  const hard = (e: OpExpr) => e.op === "*" || e.op === "^";
  const pool = ops.some(hard) ? ops.filter(hard) : ops;
  let at = 0;
  let best = -1;
  for (const e of pool) {
    const v = Math.abs(value(e) ?? 0);
    if (v > best) [best, at] = [v, ops.indexOf(e)];
  }
  const digits = Math.max(1, Math.floor(Math.log10(Math.max(1, best))) + 1);
  const power = digits <= 1 ? 0 : 1 + Math.floor(rng() * (digits - 1)); // a carry: into the tens, hundreds, …
  return { at, delta: (rng() < 0.5 ? -1 : 1) * 10 ** Math.min(power, digits - 1) };
}

/** A rough guess at a number, to 2 significant digits, as a run that gave up on the work writes it. */
function roughly(x: number, rng: Rng): number {
  const g = x * (1 + 0.2 * gaussian(rng));
  if (g === 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(Math.abs(g))) - 1);
  return Math.round(g / p) * p;
}

/**
 * One run working out an arithmetic problem, from its own random stream (and `slipRng`, the
 * problem's, for the slip every slipping run shares). Each operation is one line, in a person's
 * order; each uses the numbers the run itself wrote before, as a model continues from what it wrote.
 */
export function simulateArithmetic(p: ArithmeticProblem, knobs: SimulatorKnobs, rng: Rng, slipRng: Rng): { thinking: string; text: string } {
  const slip = arithmeticSlip(p, slipRng);
  const slipped = rng() < knobs.slip.probability;
  const lines = [`I'll work out ${p.expression} one operation at a time.`];
  const written = new Map<Expr, number>();
  const valueOf = (e: Expr): number => (e.kind === "num" ? e.value : written.get(e)!);
  const ops = operations(p.tree);
  for (let k = 0; k < ops.length; k++) {
    const e = ops[k]!;
    const a = valueOf(e.left);
    const b = valueOf(e.right);
    const exact = apply(e.op, a, b);
    const line = `${fmtOperand(a)} ${SYMBOL[e.op]} ${fmtOperand(b)}`;
    if (exact === null) {
      lines.push(e.op === "/" && b === 0 ? `${line} has no value: a number cannot be divided by zero.` : `${line} is too large to work out by hand.`);
      return { thinking: lines.join("\n"), text: "So the expression has no value.\nAnswer: undefined" };
    }
    let r = exact;
    if (slipped && k === slip.at) r += slip.delta;
    if (rng() < knobs.noise.probability) r += (rng() < 0.5 ? -1 : 1) * pick(rng, [1, 2, 10]);
    if (rng() < distractionChance(knobs, k + 1)) {
      lines.push(pick(rng, ARITHMETIC_DIGRESSIONS));
      if (rng() < 0.5) {
        lines.push(`I'll stop working it out step by step and estimate the remaining ${ops.length - k} operation${ops.length - k === 1 ? "" : "s"}.`);
        return { thinking: lines.join("\n"), text: `Roughly:\nAnswer: ${fmtNumber(roughly(value(p.tree) ?? r, rng))}` };
      }
      r += (rng() < 0.5 ? -1 : 1) * Math.max(3, Math.round(Math.abs(r) * 0.1 * Math.abs(gaussian(rng)))); // loses track, carries on from a wrong number
    }
    r = Number(fmtNumber(r)); // it continues from what it wrote
    written.set(e, r);
    lines.push(`${line} = ${fmtNumber(r)}`);
  }
  return { thinking: lines.join("\n"), text: `Answer: ${fmtNumber(valueOf(p.tree))}` };
}

/**
 * The placeholder answers of a prompt it cannot work out, and how often each is drawn. Written
 * without spaces ("[simulated-answer-A]"), since answer classes are compared without whitespace.
 */
const PLACEHOLDERS: { label: string; weight: number; reading: string }[] = [
  { label: "A", weight: 0.6, reading: "Reading the question plainly, the most direct answer is placeholder A." },
  { label: "B", weight: 0.25, reading: "Reading the question more loosely, one qualification changes the answer: placeholder B." },
  { label: "C", weight: 0.15, reading: "Reading the question as a trick, its premise may not hold: placeholder C." },
];

const GENERIC_STEPS: [string, string][] = [
  ["First, what is being asked, and in what form the answer should come.", "To start: what the question wants, and how the answer should look."],
  ["Next, what the prompt gives to work with.", "Then, the facts the prompt provides."],
  ["Weighing the readings of the question against each other.", "Comparing the possible readings of the question."],
];

const GENERIC_DIGRESSIONS = [
  "Hmm, wait. Maybe I am overthinking the wording; let me go back to the question.",
  "Actually, there might be another way to see this altogether.",
];

function placeholder(rng: Rng): (typeof PLACEHOLDERS)[number] {
  let u = rng();
  for (const p of PLACEHOLDERS) if ((u -= p.weight) < 0) return p;
  return PLACEHOLDERS[PLACEHOLDERS.length - 1]!;
}

/**
 * One run on a prompt it cannot work out: a few generic steps (worded one way or another, a step
 * skipped now and then, a distraction more likely the longer it goes), then a placeholder answer
 * that says it is simulated. Nothing in it pretends to answer the prompt.
 */
export function simulateOther(prompt: string, knobs: SimulatorKnobs, rng: Rng): { thinking: string; text: string } {
  const first = prompt.split("\n").find((l) => l.trim())?.trim() ?? "";
  const quoted = first.length > 80 ? `${first.slice(0, 79)}…` : first;
  const lines = [`The prompt asks: "${quoted}". This is a simulated trace: the steps below are generic, not reasoning about it.`];
  let reading = placeholder(rng);
  GENERIC_STEPS.forEach(([plain, reworded], k) => {
    if (k === 1 && rng() < 0.25) return; // skipped now and then
    lines.push(rng() < knobs.noise.probability ? reworded : plain);
    if (rng() < distractionChance(knobs, k + 1)) {
      lines.push(pick(rng, GENERIC_DIGRESSIONS));
      reading = placeholder(rng); // wanders off to another reading
    }
  });
  lines.push(reading.reading);
  return { thinking: lines.join("\n"), text: `Answer: [simulated-answer-${reading.label}]` };
}

/**
 * One rerun of any prompt: its thinking and reply, each opening with the notice that no model
 * was called. `rng` is the rerun's own stream; the problem's shared slip is drawn from the seed
 * and the prompt.
 */
export function simulate(prompt: string, knobs: SimulatorKnobs, rng: Rng): { thinking: string; text: string } {
  const spec = parsePrompt(prompt);
  const arithmetic = spec ? null : parseArithmetic(prompt);
  const run = spec
    ? simulateRun(spec, knobs, rng)
    : arithmetic
      ? simulateArithmetic(arithmetic, knobs, rng, mulberry32(hashSeed(knobs.seed, `slip\u0000${prompt}`)))
      : simulateOther(prompt, knobs, rng);
  return { thinking: `${SIMULATED_NOTICE}\n${run.thinking}`, text: `${SIMULATED_REPLY_NOTICE}\n${run.text}` };
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

/** The latest user turn's text of a conversation ("" when there is none). */
function lastUserText(c: Conversation): string {
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const m = c.messages[i]!;
    if (m.role !== "user") continue;
    const t = m.content
      .flatMap((b) => (b.type === "text" ? [b.text] : []))
      .join("\n")
      .trim();
    if (t) return t;
  }
  return "";
}

/** What a rerun says and calls as the next assistant turn of a conversation. */
interface Turn {
  thinking: string;
  text: string;
  call?: { id: string; name: string; arguments: string };
}

/**
 * One rerun's next assistant turn. With tools declared: the action drawn (nextaction.ts), its
 * reason as the thinking (when thinking is on), its reply or now and then a short line before its
 * call as the text, each opening with the notice that no model was called; the call itself is a
 * clean call with a fresh id. Without tools: the latest user turn answered as a prompt.
 */
export function simulateTurn(c: Conversation, knobs: SimulatorKnobs, rng: Rng, point: number, thinkingOn: boolean, lineage = 0): Turn & { action?: NextAction } {
  if (c.tools.length === 0) {
    const run = simulate(lastUserText(c), knobs, rng);
    return { thinking: thinkingOn ? run.thinking : "", text: run.text };
  }
  const { action } = chooseAction(rankActions(c), Math.min(1, Math.max(0, knobs.spread)), rng, point);
  const thinking = thinkingOn ? `${SIMULATED_NOTICE}\n${action.why}` : "";
  if (!action.call) return { thinking, text: `${SIMULATED_REPLY_NOTICE}\n${action.reply ?? ""}`, action };
  const preface = action.preface && rng() < 0.3 ? `${SIMULATED_REPLY_NOTICE}\n${action.preface}` : "";
  const ids = new Set(c.messages.flatMap((m) => m.content.flatMap((b) => (b.type === "tool_call" || b.type === "tool_result" ? [b.id] : []))));
  let k = c.messages.reduce((n, m) => n + m.content.filter((b) => b.type === "tool_call").length, 0) + 1;
  while (ids.has(`call_sim_${lineage}_${k}`)) k++;
  return { thinking, text: preface, call: { id: `call_sim_${lineage}_${k}`, name: action.call.name, arguments: JSON.stringify(action.call.arguments) }, action };
}

export class SimulatedProvider implements Provider {
  readonly id = "simulated";
  private calls = 0;
  /** Reruns so far of each conversation (by its hash). */
  private readonly turns = new Map<number, number>();
  /** The call ids this provider made, with the rerun (lineage) each belongs to. */
  private readonly made = new Map<string, number>();
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

  /** Any prompt is answered; only another model's name is refused (its runs would carry that name). */
  check(r: SampleRequest): string | null {
    return r.model === SIMULATED_MODEL ? null : notOurModel(r.model);
  }

  async *stream(r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    if (r.conversation) {
      yield* this.streamTurn(r, r.conversation, signal);
      return;
    }
    // each call is its own rerun: its random stream comes from the seed, the prompt and the call number
    const rng = mulberry32(hashSeed(this.knobs.seed, `${r.prompt}\u0000${this.calls++}`));
    const { thinking, text } = simulate(r.prompt, this.knobs, rng);
    yield { type: "usage", inputTokens: Math.ceil(r.prompt.length / 4), outputTokens: 0 };
    const pace = { out: 0, started: Date.now() };
    if (!(yield* this.paced([["thinking", thinking], ["text", text]], r.maxTokens, signal, pace))) return;
    yield { type: "usage", outputTokens: pace.out };
    yield { type: "stop", reason: "end_turn", truncated: false };
  }

  /**
   * The next assistant turn of a conversation. Each rerun of a conversation draws from the seed,
   * the conversation and its number among the reruns of that conversation.
   *
   * A rollout continues a conversation with the turn this provider made and the tool results:
   * its calls carry the rerun they belong to (their lineage: `call_sim_<lineage>_<k>`, the rerun's
   * number at the first turn), so two reruns that made the same turn still send different
   * conversations, and each draws its next turn from its own (its number among that
   * conversation's reruns is then 0). The next turns of a rerun are thus the same whatever order
   * the reruns' requests arrive in (a tool command may take longer for one than another).
   */
  private async *streamTurn(r: SampleRequest, c: Conversation, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
    const point = conversationHash(c, this.knobs.seed);
    const k = this.turns.get(point) ?? 0;
    this.turns.set(point, k + 1);
    const rng = mulberry32(hashSeed(point, `rerun\u0000${k}`));
    // the lineage of the latest call this provider made in the conversation, else this rerun's number
    let lineage = k;
    for (const m of c.messages) for (const b of m.content) if (b.type === "tool_call" && this.made.has(b.id)) lineage = this.made.get(b.id)!;
    const turn = simulateTurn(c, this.knobs, rng, point, r.thinking.type !== "none", lineage);
    if (turn.call) this.made.set(turn.call.id, lineage);
    const prefix = JSON.stringify({ system: c.system ?? "", messages: c.messages, tools: c.tools });
    yield { type: "usage", inputTokens: Math.ceil(prefix.length / 4), outputTokens: 0 };
    const pace = { out: 0, started: Date.now() };
    if (!(yield* this.paced([["thinking", turn.thinking], ["text", turn.text]], r.maxTokens, signal, pace))) return;
    if (turn.call) {
      // the call's tokens count as it is written; a call cut off by max tokens is not made
      const n = tokens(turn.call.name).length + tokens(turn.call.arguments).length;
      if (pace.out + n > r.maxTokens) {
        yield { type: "usage", outputTokens: r.maxTokens };
        yield { type: "stop", reason: "max_tokens", truncated: true };
        return;
      }
      pace.out += n;
      await this.wait(pace, signal);
      if (signal.aborted) return;
      yield { type: "tool_call", ...turn.call };
    }
    yield { type: "usage", outputTokens: pace.out };
    yield { type: "stop", reason: turn.call ? "tool_use" : "end_turn", truncated: false };
  }

  /** Waits until `pace.out` tokens are due at the knobs' speed (in batches of ~10 ms so timers stay cheap). */
  private async wait(pace: { out: number; started: number }, signal: AbortSignal): Promise<void> {
    const perToken = this.knobs.tokensPerSecond > 0 ? 1000 / this.knobs.tokensPerSecond : 0;
    const due = pace.started + pace.out * perToken - Date.now();
    if (perToken > 0 && due > 10) await sleep(due, signal);
  }

  /**
   * Streams the parts token by token at the knobs' speed. Returns false when it stopped: the
   * signal was aborted (nothing more is yielded), or max tokens was reached (its usage and stop
   * yielded).
   */
  private async *paced(parts: (readonly ["thinking" | "text", string])[], maxTokens: number, signal: AbortSignal, pace: { out: number; started: number }): AsyncGenerator<ProviderEvent, boolean> {
    for (const [kind, body] of parts) {
      for (const t of tokens(body)) {
        if (signal.aborted) return false;
        pace.out++;
        yield { type: kind, text: t };
        if (pace.out >= maxTokens) {
          yield { type: "usage", outputTokens: pace.out };
          yield { type: "stop", reason: "max_tokens", truncated: true };
          return false;
        }
        await this.wait(pace, signal);
      }
    }
    return !signal.aborted;
  }
}
