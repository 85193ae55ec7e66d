// The simulated reasoner as a tool-using agent, offline and seeded (issue 14): a small airline
// desk with six of the τ-bench airline tools (airline.ts declares them all), three customer
// tasks, and reruns that part the ways real agents' do (see ../shared/fixtures/tau-airline-gpt4o):
// by the agent's own choice (the policy: a lookup skipped, the wrong flight picked, acting before
// the customer confirmed) or by what the environment said (the simulated customer gives the
// reservation code in another form, a search returns another flight list). Each choice is a
// seeded draw whose chance of going astray grows with the turn, as reasoning that runs longer
// wanders more. Every trajectory opens with a reasoning step saying no model was called. Output:
// trace-set records (FORMATS.md) with `steps` and `reward` (1 when the final database change is
// the task's, else 0).
import { hashSeed, mulberry32, type Rng } from "../core/bootstrap";
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import { writesDatabase } from "./airline";

export const AGENT_NOTICE = "[Simulated agent: no model was called. This trajectory was made up offline by Hot Mess Inspector.]";

/** How the agent strays: the chance of a stray choice at turn t is min(0.9, base · growth^t). */
export interface AgentKnobs {
  base: number;
  growth: number;
  /** How often the simulated customer says things another way (an environment difference). */
  customerVariation: number;
  seed: number;
}

export const DEFAULT_AGENT_KNOBS: AgentKnobs = { base: 0.08, growth: 1.35, customerVariation: 0.3, seed: 1 };

interface Flight {
  number: string;
  date: string;
  price: number;
}

interface Task {
  id: string;
  instruction: string;
  user: string;
  reservation: string;
  /** What the run must end with for reward 1: the name and arguments of the final write call. */
  goal: { name: string; arguments: Record<string, unknown> };
  run: (a: Agent) => void;
}

/** One trajectory being written. */
class Agent {
  readonly steps: TrajectoryStep[] = [];
  private calls = 0;
  private turn = 0;
  constructor(
    private readonly rng: Rng,
    private readonly knobs: AgentKnobs,
  ) {}

  /** Whether the agent strays at this turn (and the turn moves on). */
  strays(): boolean {
    const p = Math.min(0.9, this.knobs.base * this.knobs.growth ** this.turn++);
    return this.rng() < p;
  }
  /** Whether the customer says it another way. */
  varies(): boolean {
    return this.rng() < this.knobs.customerVariation;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)]!;
  }
  user(text: string): void {
    this.steps.push({ kind: "user", text });
  }
  say(text: string): void {
    this.steps.push({ kind: "text", text });
  }
  think(text: string): void {
    this.steps.push({ kind: "reasoning", text });
  }
  /** A tool call and its result (an error when `result` starts with "Error:"). */
  call(name: string, args: Record<string, unknown>, result: string): void {
    const id = `call_${++this.calls}`;
    this.steps.push({ kind: "tool_call", name, arguments: args, id });
    this.steps.push({ kind: "tool_result", name, id, text: result, ...(result.startsWith("Error:") ? { isError: true } : {}) });
  }
}

const json = (v: unknown) => JSON.stringify(v);

function lookupUser(a: Agent, user: string): void {
  a.call("get_user_details", { user_id: user }, json({ user_id: user, membership: "gold", payment_methods: ["credit_card_4421", "gift_card_118"] }));
}

/** The reservation code as the customer gives it, and as the agent passes it on. */
function reservationCode(a: Agent, code: string): string {
  // the environment: now and then the customer spells the code in lower case with a dash
  if (!a.varies()) return code;
  const said = `${code.slice(0, 3).toLowerCase()}-${code.slice(3).toLowerCase()}`;
  a.user(`Sorry, it's ${said}.`);
  return said;
}

function lookupReservation(a: Agent, given: string, code: string, flights: string[]): boolean {
  if (given !== code) {
    a.call("get_reservation_details", { reservation_id: given }, `Error: reservation ${given} not found`);
    if (a.strays()) return false; // gives up on the lookup
    a.call("get_reservation_details", { reservation_id: code }, json({ reservation_id: code, flights, status: "confirmed" }));
    return true;
  }
  a.call("get_reservation_details", { reservation_id: code }, json({ reservation_id: code, flights, status: "confirmed" }));
  return true;
}

const TASKS: Task[] = [
  {
    id: "cancel-refund",
    instruction: "You are mia_li_3668. Cancel reservation NO6JO3 (booked yesterday) and get the refund to the original payment.",
    user: "mia_li_3668",
    reservation: "NO6JO3",
    goal: { name: "cancel_reservation", arguments: { reservation_id: "NO6JO3" } },
    run(a) {
      a.user("Hi, I'd like to cancel my reservation and get a refund. My user id is mia_li_3668.");
      if (!a.strays()) lookupUser(a, this.user);
      else a.think("The user gave their id; I can go straight to the reservation.");
      a.say("Could you give me the reservation code?");
      a.user("It's NO6JO3.");
      const code = reservationCode(a, this.reservation);
      if (!lookupReservation(a, code, this.reservation, ["HAT170"])) {
        a.say("I could not find that reservation. Please check the code.");
        return;
      }
      a.say("The reservation was booked within 24 hours, so it can be cancelled with a full refund. Shall I proceed? (yes/no)");
      if (a.strays()) {
        // acts before the customer confirms: against the policy, and the task fails
        a.call("cancel_reservation", { reservation_id: this.reservation, reason: "change of plan" }, json({ status: "cancelled" }));
        a.user("Wait, I hadn't said yes yet.");
        return;
      }
      a.user("Yes, please.");
      a.call("cancel_reservation", { reservation_id: this.reservation }, json({ status: "cancelled", refund: "original payment" }));
      a.say("Your reservation is cancelled; the refund goes to your original payment method.");
    },
  },
  {
    id: "change-flight",
    instruction: "You are omar_davis_3817. Move reservation JG7FMM to the cheapest direct flight from JFK to SFO on 2024-05-20, paying with your gift card.",
    user: "omar_davis_3817",
    reservation: "JG7FMM",
    goal: { name: "update_reservation_flights", arguments: { reservation_id: "JG7FMM", flights: [{ flight_number: "HAT023", date: "2024-05-20" }], payment_id: "gift_card_118" } },
    run(a) {
      a.user("I need to move my flight JG7FMM to May 20th, JFK to SFO. I'm omar_davis_3817.");
      lookupUser(a, this.user);
      const code = reservationCode(a, this.reservation);
      if (!lookupReservation(a, code, this.reservation, ["HAT069"])) {
        a.say("I could not find that reservation.");
        return;
      }
      // the environment: the search returns the flights in either order
      const flights: Flight[] = [
        { number: "HAT023", date: "2024-05-20", price: 188 },
        { number: "HAT112", date: "2024-05-20", price: 241 },
      ];
      if (a.varies()) flights.reverse();
      a.call("search_direct_flight", { origin: "JFK", destination: "SFO", date: "2024-05-20" }, json(flights));
      // the policy: the cheapest, or (straying) the first listed
      const chosen = a.strays() ? flights[0]! : flights.reduce((x, y) => (y.price < x.price ? y : x));
      a.say(`I can move you to ${chosen.number} on 2024-05-20 for $${chosen.price}. How would you like to pay the difference?`);
      const payment = a.varies() ? "credit_card_4421" : "gift_card_118";
      a.user(payment === "gift_card_118" ? "With my gift card, please. Yes, go ahead." : "Use my card... actually, the gift card. Yes, go ahead.");
      const paid = a.strays() ? payment : "gift_card_118";
      a.call("update_reservation_flights", { reservation_id: this.reservation, flights: [{ flight_number: chosen.number, date: chosen.date }], payment_id: paid }, json({ status: "updated" }));
      a.say(`Done: reservation ${this.reservation} is now on ${chosen.number}.`);
    },
  },
  {
    id: "add-bag",
    instruction: "You are sofia_kim_7287. Add one checked bag to reservation 4OG6T3; you are a silver member, so it is free.",
    user: "sofia_kim_7287",
    reservation: "4OG6T3",
    goal: { name: "update_reservation_baggages", arguments: { reservation_id: "4OG6T3", total_baggages: 2, nonfree_baggages: 0, payment_id: "credit_card_4421" } },
    run(a) {
      a.user("Can I add a checked bag to reservation 4OG6T3? I'm sofia_kim_7287.");
      if (!a.strays()) lookupUser(a, this.user);
      const code = reservationCode(a, this.reservation);
      if (!lookupReservation(a, code, this.reservation, ["HAT201", "HAT202"])) {
        a.say("I could not find that reservation.");
        return;
      }
      // the policy: whether the member's free allowance is applied
      const nonfree = a.strays() ? 1 : 0;
      a.say(nonfree === 0 ? "As a silver member your extra bag is free. Shall I add it?" : "An extra bag costs $50. Shall I add it?");
      a.user("Yes.");
      a.call("update_reservation_baggages", { reservation_id: this.reservation, total_baggages: 2, nonfree_baggages: nonfree, payment_id: "credit_card_4421" }, json({ status: "updated" }));
      a.say("The bag is added.");
    },
  },
];

/** Canonical JSON (keys sorted): equal arguments compare equal however they were written. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** 1 when the last write call is the task's goal (its name and arguments), else 0. */
function rewardOf(task: Task, steps: TrajectoryStep[]): number {
  const writes = steps.filter((s) => s.kind === "tool_call" && s.name !== undefined && writesDatabase(s.name));
  const last = writes.at(-1);
  return last && last.name === task.goal.name && canonical(last.arguments) === canonical(task.goal.arguments) ? 1 : 0;
}

/** One trajectory of a task. */
export function simulateTrajectory(taskId: string, knobs: AgentKnobs, rng: Rng): Sample {
  const task = TASKS.find((t) => t.id === taskId);
  if (!task) throw new Error(`no simulated agent task "${taskId}" (there are ${TASKS.map((t) => t.id).join(", ")})`);
  const a = new Agent(rng, knobs);
  a.think(AGENT_NOTICE);
  task.run(a);
  const reward = rewardOf(task, a.steps);
  return { steps: a.steps, reward };
}

/** The simulated agent's tasks. */
export const AGENT_TASKS: readonly string[] = TASKS.map((t) => t.id);

/** n reruns of every task (or of `tasks`), seeded: trace-set records, one per task. */
export function simulateAgentSet(n: number, knobs: AgentKnobs = DEFAULT_AGENT_KNOBS, tasks: readonly string[] = AGENT_TASKS): PromptRecord[] {
  return tasks.map((id) => {
    const task = TASKS.find((t) => t.id === id);
    if (!task) throw new Error(`no simulated agent task "${id}" (there are ${AGENT_TASKS.join(", ")})`);
    const samples = Array.from({ length: n }, (_, r) => ({ ...simulateTrajectory(id, knobs, mulberry32(hashSeed(knobs.seed, `${id}#${r}`))), index: r }));
    return { id: `sim-agent-${id}`, prompt: task.instruction, model: "simulated-agent", samples };
  });
}
