// Seeded synthetic trace sets for the benchmark: ONE word problem rerun N times, each rerun a
// chain of about 20 steps of reasoning (sentences, arithmetic, list items, a double-check),
// varied the way real reruns vary:
//   - most follow the common path, with some steps rephrased, a few skipped, inserted, swapped
//     with their neighbour or run together on one line, and now and then another list style;
//   - some take another (correct) method for a stretch and come back to the same answer;
//   - some take a wrong turn after a random step (a common mistake or an arithmetic slip) and
//     carry the wrong numbers through everything that follows, to a wrong answer;
//   - a few stop early, or leave the `answer` field out (the engine extracts it from the text).
// The answers therefore fall into a few classes (the reference plus the common mistakes) with a
// tail of slips. With `farms` > 1 the problem has several farms, each worked through in turn:
// long traces (about 19 steps a farm) in which every farm is another chance to go wrong.
// Output: trace-set JSON Lines (shared/design/FORMATS.md).
import { mulberry32 } from "../src/core";

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** The given quantities of the problem. */
interface Given {
  eggs: number; // laid per day
  breakfast: number; // eaten per day
  muffins: number; // baked into muffins per day
  price: number; // dollars per egg
  days: number; // per week
  feed: number; // dollars of feed per week
  weeks: number;
}

/** Every derived quantity, in the order the common path computes them. */
interface Values extends Given {
  afterBreakfast: number;
  toSell: number;
  daily: number;
  weekly: number;
  profit: number;
  total: number;
}

const DERIVED = ["afterBreakfast", "toSell", "daily", "weekly", "profit", "total"] as const;
type Derived = (typeof DERIVED)[number];

/**
 * The derived quantities; `fault` overrides one of them (a wrong turn) and everything computed
 * from it is recomputed from the wrong value, as a run that made the mistake would.
 */
function derive(g: Given, fault?: { at: Derived; value: (v: Values) => number }): Values {
  const v = { ...g } as Values;
  const set = (k: Derived, x: number) => {
    v[k] = fault && fault.at === k ? fault.value(v) : x;
  };
  set("afterBreakfast", v.eggs - v.breakfast);
  set("toSell", v.afterBreakfast - v.muffins);
  set("daily", v.toSell * v.price);
  set("weekly", v.daily * v.days);
  set("profit", v.weekly - v.feed);
  set("total", v.profit * v.weeks);
  return v;
}

/** One step of the common path: its phrasings (the first is the usual one). */
type StepTemplate = (v: Values) => string[];

const PATH: StepTemplate[] = [
  () => ["Let me work through this step by step.", "Let's solve this step by step.", "I'll break the problem into parts."],
  (v) => [`Janet's ducks lay ${v.eggs} eggs per day.`, `Each day the ducks lay ${v.eggs} eggs.`, `She gets ${v.eggs} eggs a day from her ducks.`],
  (v) => [`She eats ${v.breakfast} eggs for breakfast every morning.`, `Every morning she eats ${v.breakfast} of them for breakfast.`],
  (v) => [
    `So after breakfast she has ${v.eggs} - ${v.breakfast} = ${v.afterBreakfast} eggs left.`,
    `${v.eggs} - ${v.breakfast} = ${v.afterBreakfast}, so ${v.afterBreakfast} eggs remain after breakfast.`,
    `She has ${v.afterBreakfast} eggs left after breakfast, since ${v.eggs} - ${v.breakfast} = ${v.afterBreakfast}.`,
  ],
  (v) => [`She uses ${v.muffins} eggs to bake muffins for her friends.`, `Baking muffins for her friends takes ${v.muffins} eggs.`],
  (v) => [
    `That leaves ${v.afterBreakfast} - ${v.muffins} = ${v.toSell} eggs to sell.`,
    `Eggs left to sell: ${v.afterBreakfast} - ${v.muffins} = ${v.toSell}.`,
    `So she can sell ${v.afterBreakfast} - ${v.muffins} = ${v.toSell} eggs at the market.`,
  ],
  (v) => [`She sells each egg for $${v.price}.`, `The market price is $${v.price} per fresh duck egg.`],
  (v) => [
    `Her daily income is ${v.toSell} * ${v.price} = ${v.daily} dollars.`,
    `Each day she makes ${v.toSell} × ${v.price} = $${v.daily}.`,
    `${v.price} * ${v.toSell} = ${v.daily}, so she earns $${v.daily} a day.`,
  ],
  (v) => [`There are ${v.days} days in a week.`, `A week has ${v.days} days.`],
  (v) => [
    `So each week she makes ${v.daily} * ${v.days} = ${v.weekly} dollars.`,
    `Weekly income: ${v.daily} × ${v.days} = $${v.weekly}.`,
    `In a week that is ${v.days} * ${v.daily} = ${v.weekly} dollars.`,
  ],
  () => ["Now the costs:", "Next, the expenses:", "Now let's account for the costs."],
  (v) => [`- Duck feed costs $${v.feed} per week.`, `- The feed for the ducks costs $${v.feed} each week.`],
  (v) => [
    `- Her weekly profit is ${v.weekly} - ${v.feed} = ${v.profit} dollars.`,
    `- Profit per week: ${v.weekly} - ${v.feed} = $${v.profit}.`,
    `- So she keeps ${v.weekly} minus ${v.feed}, which is ${v.profit} dollars a week.`,
  ],
  (v) => [`The question asks about ${v.weeks} weeks.`, `We need the profit over ${v.weeks} weeks.`],
  (v) => [
    `Over ${v.weeks} weeks she earns ${v.profit} * ${v.weeks} = ${v.total} dollars.`,
    `In ${v.weeks} weeks: ${v.profit} × ${v.weeks} = $${v.total}.`,
    `${v.weeks} * ${v.profit} = ${v.total}, so that is $${v.total} over ${v.weeks} weeks.`,
  ],
  (v) => [
    `Let me double-check: ${v.toSell} * ${v.price} * ${v.days} = ${v.weekly}, and ${v.weekly} - ${v.feed} = ${v.profit}.`,
    `Let me double-check the income: ${v.toSell} * ${v.price} * ${v.days} = ${v.weekly}.`,
  ],
  (v) => [
    `Let me double-check the eggs too: ${v.breakfast} + ${v.muffins} + ${v.toSell} = ${v.breakfast + v.muffins + v.toSell}.`,
    `Checking the eggs: ${v.breakfast} + ${v.muffins} + ${v.toSell} = ${v.breakfast + v.muffins + v.toSell}, matching the ${v.eggs} laid.`,
  ],
  () => ["Everything is consistent.", "The numbers check out.", "Both checks agree."],
  (v) => [`So the total profit over ${v.weeks} weeks is $${v.total}.`, `Therefore she makes $${v.total} in ${v.weeks} weeks.`],
  (v) => [`Answer: ${v.total}`, `**Answer:** $${v.total}`, `The answer is ${v.total}.`],
];

/** Which step of PATH first states each derived quantity (a wrong turn there changes it). */
const COMPUTED_AT: Record<Derived, number> = { afterBreakfast: 3, toSell: 5, daily: 7, weekly: 9, profit: 12, total: 14 };

/** An alternative (correct) method for the middle stretch: by the week first. */
const WEEKLY_FIRST: StepTemplate[] = [
  (v) => [`Let me count by the week instead: ${v.eggs} * ${v.days} = ${v.eggs * v.days} eggs a week.`],
  (v) => [`She uses ${v.breakfast + v.muffins} eggs a day herself, so ${v.breakfast + v.muffins} * ${v.days} = ${(v.breakfast + v.muffins) * v.days} a week.`],
  (v) => [`She sells ${v.eggs * v.days} - ${(v.breakfast + v.muffins) * v.days} = ${v.toSell * v.days} eggs a week.`],
  (v) => [`That brings in ${v.toSell * v.days} * ${v.price} = ${v.weekly} dollars a week.`],
];

/** Steps a rerun may insert anywhere. */
const FILLERS: StepTemplate[] = [
  () => ["Hmm, wait."],
  () => ["Let me re-read the question."],
  () => ["Okay, so far so good."],
  (v) => [`Note that she sells the remainder at the farmers' market daily.`, `Remember the eggs are sold at $${v.price} each.`],
  (v) => [`Let me double-check: ${v.eggs} - ${v.breakfast} = ${v.afterBreakfast}.`],
  () => ["I need to be careful with the units here."],
];

/** Extra steps of a run that has gone wrong (it talks itself further down its own path). */
const WANDER: StepTemplate[] = [
  (v) => [`Wait, she might also pay for egg cartons: ${v.weeks} * 2 = ${v.weeks * 2} dollars.`],
  (v) => [`Hmm, ${v.total} seems reasonable for ${v.weeks} weeks.`],
  (v) => [`Let me recompute: ${v.profit} * ${v.weeks} = ${v.total}.`],
];

/**
 * The common mistakes, and how much of the wrong turns each one takes. A mistake with `says`
 * writes that step instead of the common one where it goes wrong; one without it (a slip)
 * writes the common step with a wrong stated result.
 */
interface Mistake {
  weight: number;
  at: Derived;
  value: (v: Values) => number;
  says?: StepTemplate;
}
const MISTAKES: Mistake[] = [
  // forgets the muffins
  { weight: 3, at: "toSell", value: (v) => v.afterBreakfast, says: (v) => [`She sells the remaining ${v.afterBreakfast} eggs.`] },
  // counts a month instead of a week
  { weight: 2, at: "weekly", value: (v) => v.daily * 30, says: (v) => [`Over a month that is ${v.daily} * 30 = ${v.weekly} dollars.`] },
  // adds the feed instead of subtracting it
  { weight: 2, at: "profit", value: (v) => v.weekly + v.feed, says: (v) => [`- Her weekly profit is ${v.weekly} + ${v.feed} = ${v.profit} dollars.`] },
  // a typical slip: one week too many
  { weight: 1, at: "total", value: (v) => v.profit * (v.weeks + 1) },
];
/** Share of wrong turns that are random arithmetic slips (the long tail of answers). */
const SLIP_WEIGHT = 2;

export interface TraceSetOptions {
  /** Reruns of the prompt. */
  n: number;
  seed?: number;
  id?: string;
  /**
   * Farms in the problem (1 by default): with more, each rerun works through every farm in
   * turn, about 19 steps each, then adds the profits up: long traces (8 farms: about 150
   * steps), each farm with its own chance of a wrong turn.
   */
  farms?: number;
}

export interface GeneratedSet {
  /** One JSON line (with a trailing newline). */
  text: string;
  /** Total steps written (before segmentation). */
  stepsWritten: number;
}

/** The farmers of the problem after Janet (a long problem has several farms). */
const FARMERS = ["Tomas", "Priya", "Wen", "Amara", "Luis", "Ingrid", "Kofi", "Mei", "Ravi", "Olga", "Sami", "Lena"];

const farmer = (k: number): string => (k === 0 ? "Janet" : `${FARMERS[(k - 1) % FARMERS.length]}${k > FARMERS.length ? ` ${Math.ceil(k / FARMERS.length)}` : ""}`);

function drawGiven(r: Rand): Given {
  return { eggs: int(r, 14, 24), breakfast: int(r, 2, 4), muffins: int(r, 3, 5), price: int(r, 2, 4), days: 7, feed: int(r, 6, 15), weeks: int(r, 2, 5) };
}

/** Whether a run takes a wrong turn on a farm, and which: a common mistake or a random slip. */
function wrongTurn(r: Rand, given: Given, totalWeight: number): { mistake: Mistake; turn: number; values: Values } {
  let w = r() * (totalWeight + SLIP_WEIGHT);
  let mistake = MISTAKES.find((m) => (w -= m.weight) < 0) ?? null;
  if (mistake === null) {
    // an arithmetic slip in a random computation, off by a little
    const at = pick(r, DERIVED);
    const delta = pick(r, [-10, -2, -1, 1, 2, 10]);
    const base = derive(given);
    mistake = { weight: 0, at, value: () => base[at] + delta };
  }
  return { mistake, turn: COMPUTED_AT[mistake.at], values: derive(given, { at: mistake.at, value: mistake.value }) };
}

/**
 * One farm's stretch of a run: the common path with its variations. `last` says whether the
 * run ends with this farm's conclusion and answer (a one-farm problem); a farm of a longer one
 * stops before them.
 */
function farmSteps(r: Rand, given: Given, k: number, rephrase: number, roll: number, totalWeight: number, last: boolean): { steps: string[]; values: Values } {
  const right = derive(given);
  const wrong = roll < 0.25;
  const method = !wrong && roll < 0.33; // another correct method for the middle stretch
  let values = right;
  let turn = Infinity;
  let mistake: Mistake | null = null;
  if (wrong) ({ mistake, turn, values } = wrongTurn(r, given, totalWeight));
  const name = farmer(k);
  const end = last ? PATH.length : PATH.length - 2;
  const steps: string[] = [];
  for (let s = 0; s < end; s++) {
    const v = s < turn ? right : values;
    if (method && s === 5) {
      for (const t of WEEKLY_FIRST) steps.push(t(v)[0]!);
      s = 9; // rejoins the common path at the costs
      continue;
    }
    if (s === turn && mistake?.says) {
      steps.push(mistake.says(v)[0]!);
      continue;
    }
    if (s > 0 && s < PATH.length - 1 && r() < 0.04) continue; // skips a step
    const forms = PATH[s]!(v);
    const line = r() < rephrase ? pick(r, forms) : forms[0]!;
    steps.push(k === 0 ? line : line.replace("Janet", name));
    if (r() < 0.05) steps.push(pick(r, pick(r, FILLERS)(v)));
    if (s > turn && s < PATH.length - 2 && r() < 0.12) steps.push(pick(r, WANDER)(v)[0]!);
  }
  return { steps, values };
}

/** Generates one prompt with `n` reruns as trace-set JSON Lines text. */
export function generateTraceSet(options: TraceSetOptions): GeneratedSet {
  const r = mulberry32(options.seed ?? 20240611);
  const farms = Math.max(1, Math.floor(options.farms ?? 1));
  const givens: Given[] = [drawGiven(r)];
  for (let k = 1; k < farms; k++) givens.push(drawGiven(r));
  const rightTotal = givens.reduce((s, g) => s + derive(g).total, 0);
  const samples: { text: string; answer?: string }[] = [];
  let stepsWritten = 0;
  const totalWeight = MISTAKES.reduce((s, m) => s + m.weight, 0);
  for (let run = 0; run < options.n; run++) {
    // Each run's own character: how often it rephrases, skips, inserts.
    const rephrase = 0.05 + 0.3 * r();
    const steps: string[] = [];
    let total = 0;
    for (let k = 0; k < farms; k++) {
      if (farms > 1) steps.push(`Now ${farmer(k)}'s farm (${k + 1} of ${farms}).`);
      const farm = farmSteps(r, givens[k]!, k, rephrase, r(), totalWeight, farms === 1);
      steps.push(...farm.steps);
      total += farm.values.total;
    }
    if (farms > 1) steps.push(`Adding up the ${farms} farms, they make $${total} in all.`, `Answer: ${total}`);
    // Neighbours swapped (order of two independent statements), and, rarely, two run together.
    for (let k = 1; k + 2 < steps.length; k++)
      if (r() < 0.03) {
        [steps[k], steps[k + 1]] = [steps[k + 1]!, steps[k]!];
        k++; // a swapped step moves one place, not along the whole trace
      }
    let lines = steps;
    if (r() < 0.15) {
      const at = int(r, 1, steps.length - 3);
      lines = [...steps.slice(0, at), `${steps[at]} ${steps[at + 1]}`, ...steps.slice(at + 2)];
    }
    // Truncated run (ran out of tokens): no final answer.
    const truncated = r() < 0.02;
    if (truncated) lines = lines.slice(0, int(r, 8, lines.length - 3));
    // Another list style now and then ("1. ...", "Step 3: ..."), else plain lines.
    const style = r();
    const text = lines
      .map((s, i) => (style < 0.1 ? `${i + 1}. ${s.replace(/^- /, "")}` : style < 0.15 ? `Step ${i + 1}: ${s.replace(/^- /, "")}` : s))
      .join(style < 0.3 ? "\n\n" : "\n");
    stepsWritten += lines.length;
    const sample: { text: string; answer?: string } = { text };
    // Most runs log the parsed answer; some leave it to extraction; truncated runs have none.
    if (!truncated && r() < 0.9) sample.answer = String(total);
    samples.push(sample);
  }
  const given = givens[0]!;
  const prompt =
    farms === 1
      ? `Janet's ducks lay ${given.eggs} eggs per day. She eats ${given.breakfast} for breakfast every morning and bakes muffins for her friends every day with ${given.muffins}. ` +
        `She sells the remainder at the farmers' market daily for $${given.price} per fresh duck egg. Feed for the ducks costs $${given.feed} a week. ` +
        `How much profit does she make in ${given.weeks} weeks?`
      : givens
          .map(
            (g, k) =>
              `${farmer(k)}'s ducks lay ${g.eggs} eggs per day; ${farmer(k)} eats ${g.breakfast} for breakfast, bakes muffins with ${g.muffins} and sells the rest for $${g.price} each; feed costs $${g.feed} a week; count ${g.weeks} weeks.`,
          )
          .join("\n") + `\nHow much profit do the ${farms} farms make in all?`;
  const record = { id: options.id ?? (farms === 1 ? `synthetic-ducks-${options.n}` : `synthetic-ducks-${farms}-farms-${options.n}`), prompt, reference: rightTotal, samples };
  return { text: JSON.stringify(record) + "\n", stepsWritten };
}
