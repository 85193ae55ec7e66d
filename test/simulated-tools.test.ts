// The simulated reasoner answering tool-use requests offline (issue 15): given a conversation
// prefix with tools declared, each rerun is the next assistant turn — a call of a declared tool
// with arguments that fit its schema, or a text reply — split over the most plausible action and
// a few alternatives as the spread knob says, seeded, and sensible for where the prefix stands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Conversation, ConversationMessage, ToolSpec } from "../src/core/conversation";
import { canonicalArguments } from "../src/core/trajectory";
import { simulateAgentSet } from "../src/sampling/agent";
import { TAU_AIRLINE_TOOLS } from "../src/sampling/airline";
import { runSamples } from "../src/sampling/engine";
import { alternativeWeights, conversationHash, rankActions } from "../src/sampling/nextaction";
import { DEFAULT_KNOBS, SIMULATED_NOTICE, SIMULATED_REPLY_NOTICE, SimulatedProvider, type SimulatorKnobs } from "../src/sampling/simulated";
import type { ProviderEvent, SampleRequest } from "../src/sampling/types";
import { sharedFixture, skipWithout } from "./support/fixtures";

// ---- a small JSON Schema check of its own (type, enum, required, properties, items)

function schemaErrors(v: unknown, s: Record<string, unknown>, at = "$"): string[] {
  const errors: string[] = [];
  if (Array.isArray(s.enum) && !s.enum.includes(v as never)) errors.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
  const type = s.type ?? (s.properties ? "object" : s.items ? "array" : undefined);
  const is: Record<string, (x: unknown) => boolean> = {
    string: (x) => typeof x === "string",
    integer: (x) => Number.isInteger(x),
    number: (x) => typeof x === "number" && Number.isFinite(x),
    boolean: (x) => typeof x === "boolean",
    array: (x) => Array.isArray(x),
    object: (x) => x !== null && typeof x === "object" && !Array.isArray(x),
    null: (x) => x === null,
  };
  if (typeof type === "string" && !is[type]!(v)) return [...errors, `${at}: ${JSON.stringify(v)} is not ${type}`];
  if (type === "object") {
    const o = v as Record<string, unknown>;
    for (const k of (s.required as string[] | undefined) ?? []) if (!(k in o)) errors.push(`${at}: required ${k} is missing`);
    const props = (s.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
    for (const [k, x] of Object.entries(o)) if (props[k]) errors.push(...schemaErrors(x, props[k], `${at}.${k}`));
  }
  if (type === "array" && s.items) (v as unknown[]).forEach((x, i) => errors.push(...schemaErrors(x, s.items as Record<string, unknown>, `${at}[${i}]`)));
  return errors;
}

// ---- conversations, in the neutral form

const SYSTEM = "# Airline Agent Policy\nThe current time is 2024-05-15 15:00:00 EST. Before any change to a booking, list it and get the user's explicit yes.";
const user = (text: string): ConversationMessage => ({ role: "user", content: [{ type: "text", text }] });
const says = (text: string): ConversationMessage => ({ role: "assistant", content: [{ type: "text", text }] });
const calls = (id: string, name: string, args: unknown): ConversationMessage => ({ role: "assistant", content: [{ type: "tool_call", id, name, arguments: args }] });
const result = (id: string, content: unknown): ConversationMessage => ({ role: "user", content: [{ type: "tool_result", id, content: typeof content === "string" ? content : JSON.stringify(content) }] });

const PROFILE = {
  user_id: "mia_li_3668",
  name: { first_name: "Mia", last_name: "Li" },
  dob: "1990-04-05",
  membership: "gold",
  payment_methods: { credit_card_4421486: { source: "credit_card", last_four: "7447", id: "credit_card_4421486" }, gift_card_1187512: { source: "gift_card", amount: 120, id: "gift_card_1187512" } },
  reservations: ["NO6JO3", "AB12CD"],
};
const RESERVATION = {
  reservation_id: "NO6JO3",
  user_id: "mia_li_3668",
  origin: "JFK",
  destination: "SFO",
  flight_type: "one_way",
  cabin: "economy",
  flights: [{ flight_number: "HAT170", date: "2024-05-20", price: 212 }],
  passengers: [{ first_name: "Mia", last_name: "Li", dob: "1990-04-05" }],
  total_baggages: 1,
  nonfree_baggages: 0,
  insurance: "no",
};

/** The customer has just given a reservation code nobody looked up. */
const GAVE_CODE: ConversationMessage[] = [
  user("Hi, I'd like to cancel my reservation and get a refund. My user id is mia_li_3668."),
  calls("call_1", "get_user_details", { user_id: "mia_li_3668" }),
  result("call_1", PROFILE),
  says("Could you give me the code of the reservation you want to cancel?"),
  user("It's NO6JO3."),
];
/** …and its details are in. */
const DETAILS_IN: ConversationMessage[] = [...GAVE_CODE, calls("call_2", "get_reservation_details", { reservation_id: "NO6JO3" }), result("call_2", RESERVATION)];

const airline = (messages: ConversationMessage[]): Conversation => ({ system: SYSTEM, messages, tools: [...TAU_AIRLINE_TOOLS] });

const request = (conversation: Conversation, o: Partial<SampleRequest> = {}): SampleRequest => ({ prompt: "", model: "simulated-reasoner", maxTokens: 4000, thinking: { type: "none" }, conversation, ...o });

interface Turn {
  events: ProviderEvent[];
  thinking: string;
  text: string;
  call?: { id: string; name: string; arguments: string };
  stop?: { reason: string; truncated: boolean };
  /** The action's key: the call's name and canonical arguments, or "text". */
  key: string;
}

async function turn(p: SimulatedProvider, r: SampleRequest, signal = new AbortController().signal): Promise<Turn> {
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(r, signal)) events.push(e);
  const join = (type: "thinking" | "text") => events.flatMap((e) => (e.type === type ? [e.text] : [])).join("");
  const e = events.find((x) => x.type === "tool_call");
  const call = e?.type === "tool_call" ? { id: e.id, name: e.name, arguments: e.arguments } : undefined;
  const end = events.find((e) => e.type === "stop");
  const stop = end?.type === "stop" ? { reason: end.reason, truncated: end.truncated } : undefined;
  return { events, thinking: join("thinking"), text: join("text"), ...(call ? { call } : {}), ...(stop ? { stop } : {}), key: call ? `${call.name}${canonicalArguments(call.arguments)}` : "text" };
}

async function reruns(conv: Conversation, n: number, knobs: Partial<SimulatorKnobs> = {}, o: Partial<SampleRequest> = {}): Promise<Turn[]> {
  const p = new SimulatedProvider({ tokensPerSecond: 0, ...knobs });
  const out: Turn[] = [];
  for (let i = 0; i < n; i++) out.push(await turn(p, request(conv, o)));
  return out;
}

function tally(turns: Turn[]): [string, number][] {
  const m = new Map<string, number>();
  for (const t of turns) m.set(t.key, (m.get(t.key) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

/** Every turn is a clean call of a declared tool with schema-valid arguments, or a text reply; each text says no model was called. */
function assertWellFormed(conv: Conversation, turns: Turn[], thinkingOn: boolean) {
  const declared = new Map(conv.tools.map((t) => [t.name, t]));
  const ids = new Set(conv.messages.flatMap((m) => m.content.flatMap((b) => ("id" in b ? [b.id] : []))));
  for (const t of turns) {
    assert.ok(t.stop && !t.stop.truncated, `a stop that is not a truncation: ${JSON.stringify(t.stop)}`);
    if (t.text) assert.ok(t.text.startsWith(SIMULATED_REPLY_NOTICE), `its text opens with the notice: ${t.text.slice(0, 80)}`);
    if (thinkingOn) assert.ok(t.thinking.startsWith(SIMULATED_NOTICE), `its thinking opens with the notice: ${t.thinking.slice(0, 80)}`);
    else assert.equal(t.thinking, "", "no thinking when thinking is off");
    if (t.call) {
      assert.equal(t.stop.reason, "tool_use");
      const tool = declared.get(t.call.name);
      assert.ok(tool, `${t.call.name} is declared`);
      assert.match(t.call.id, /^call_sim_\d+_\d+$/);
      assert.ok(!ids.has(t.call.id), `a fresh id: ${t.call.id}`);
      const args = JSON.parse(t.call.arguments) as unknown;
      assert.deepEqual(schemaErrors(args, tool.inputSchema), [], `${t.call.name}${t.call.arguments}`);
      assert.equal(t.events.filter((e) => e.type === "tool_call").length, 1, "one call a turn");
    } else {
      assert.equal(t.stop.reason, "end_turn");
      assert.ok(t.text.length > SIMULATED_REPLY_NOTICE.length, "a text reply when it calls nothing");
    }
  }
}

test("100 reruns from an airline prefix: only declared tools, arguments that fit their schemas, a fresh call id, the notice on every text", async () => {
  for (const messages of [GAVE_CODE, DETAILS_IN]) {
    const conv = airline(messages);
    for (const thinking of [{ type: "none" as const }, { type: "budget" as const, budgetTokens: 2000 }]) {
      const turns = await reruns(conv, 100, {}, { thinking });
      assertWellFormed(conv, turns, thinking.type !== "none");
      assert.ok(tally(turns).length >= 3, `the reruns part: ${JSON.stringify(tally(turns))}`);
    }
  }
});

test("the split follows the spread knob: ~70% the most plausible action by default, one action at spread 0", async () => {
  const conv = airline(GAVE_CODE);
  const top = 'get_reservation_details{"reservation_id":"NO6JO3"}';
  const dflt = tally(await reruns(conv, 200));
  assert.equal(dflt[0]![0], top);
  const share = dflt[0]![1] / 200;
  assert.ok(Math.abs(share - (1 - DEFAULT_KNOBS.spread)) <= 0.1, `top share ${share} at spread ${DEFAULT_KNOBS.spread}: ${JSON.stringify(dflt)}`);
  assert.ok(dflt.length >= 3 && dflt.length <= 4, `2–3 alternatives: ${JSON.stringify(dflt)}`);
  // spread 0: every rerun takes the same action
  assert.deepEqual(tally(await reruns(conv, 50, { spread: 0 })), [[top, 50]]);
  // a wider spread: the top share follows
  const wide = tally(await reruns(conv, 200, { spread: 0.6 }));
  const wideShare = wide.find(([k]) => k === top)![1] / 200;
  assert.ok(Math.abs(wideShare - 0.4) <= 0.1, `top share ${wideShare} at spread 0.6`);
});

test("deterministic: the same seed gives the same calls, another seed other ones", async () => {
  const conv = airline(DETAILS_IN);
  const a = (await reruns(conv, 40)).map((t) => [t.key, t.call?.id, t.text]);
  const b = (await reruns(conv, 40)).map((t) => [t.key, t.call?.id, t.text]);
  assert.deepEqual(a, b);
  const c = (await reruns(conv, 40, { seed: 7 })).map((t) => [t.key, t.call?.id, t.text]);
  assert.notDeepEqual(a, c);
  // a rerun's draw does not depend on other prompts run through the same provider before it
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  await turn(p, request(airline(GAVE_CODE)));
  await turn(p, { prompt: "What is 2 + 2?", model: "simulated-reasoner", maxTokens: 4000, thinking: { type: "none" } });
  assert.equal((await turn(p, request(conv))).key, a[0]![0]);
});

test("the most plausible action follows the prefix: a code given → look it up; its details in, a cancellation asked → cancel", async () => {
  const top = async (messages: ConversationMessage[]) => tally(await reruns(airline(messages), 1, { spread: 0 }))[0]![0];
  assert.equal(await top(GAVE_CODE), 'get_reservation_details{"reservation_id":"NO6JO3"}');
  assert.equal(await top(DETAILS_IN), 'cancel_reservation{"reservation_id":"NO6JO3"}');
  // and on through the desk's order
  assert.equal(await top([user("Hi, I'd like to cancel my reservation and get a refund. My user id is mia_li_3668.")]), 'get_user_details{"user_id":"mia_li_3668"}');
  assert.equal(await top([user("Hi! I'm looking to book a flight.")]), "text");
  const cancelled = [...DETAILS_IN, calls("call_3", "cancel_reservation", { reservation_id: "NO6JO3" }), result("call_3", { ...RESERVATION, status: "cancelled" })];
  assert.equal(await top(cancelled), "text");
  // a change: the reservation's details in → search the customer's new date on its route
  const change = [user("I need to move reservation NO6JO3 to May 22nd, please. I'm mia_li_3668."), calls("c1", "get_reservation_details", { reservation_id: "NO6JO3" }), result("c1", RESERVATION)];
  assert.equal(await top(change), 'search_direct_flight{"date":"2024-05-22","destination":"SFO","origin":"JFK"}');
  // its flights listed → offer the cheapest; the customer says yes → change to it, paid as they said
  const listed = [...change, calls("c2", "search_direct_flight", { origin: "JFK", destination: "SFO", date: "2024-05-22" }), result("c2", [{ flight_number: "HAT112", price: 241 }, { flight_number: "HAT023", price: 188 }])];
  const offer = await reruns(airline(listed), 1, { spread: 0 });
  assert.match(offer[0]!.text, /HAT023 on 2024-05-22 for \$188/);
  const yes = [...listed, says("The cheapest option is HAT023 on 2024-05-22 for $188. Shall I go ahead? (yes/no)"), user("Yes, with my gift card please.")];
  assert.equal(await top(yes), 'get_user_details{"user_id":"mia_li_3668"}', "the payment methods are in the profile, not looked up yet");
  const paid = [...yes, calls("c3", "get_user_details", { user_id: "mia_li_3668" }), result("c3", PROFILE)];
  assert.equal(await top(paid), 'update_reservation_flights{"cabin":"economy","flights":[{"date":"2024-05-22","flight_number":"HAT023"}],"payment_id":"gift_card_1187512","reservation_id":"NO6JO3"}');
  // a code the lookup did not find as said: try it in capitals without the dash
  const loose = [user("Cancel my booking no6-jo3 please."), calls("c1", "get_reservation_details", { reservation_id: "no6-jo3" }), result("c1", "Error: reservation not found")];
  assert.equal(await top(loose), 'get_reservation_details{"reservation_id":"NO6JO3"}');
});

test("different points split differently among their alternatives, each point always the same way", () => {
  const a = conversationHash(airline(GAVE_CODE));
  const b = conversationHash(airline(DETAILS_IN));
  assert.notEqual(a, b);
  assert.deepEqual(alternativeWeights(3, a), alternativeWeights(3, a));
  assert.notDeepEqual(alternativeWeights(3, a), alternativeWeights(3, b));
  for (const p of [a, b]) assert.ok(Math.abs(alternativeWeights(3, p).reduce((x, y) => x + y, 0) - 1) < 1e-12);
  // and the alternatives themselves are the point's: another lookup, asking first, …
  const alts = rankActions(airline(DETAILS_IN)).slice(1);
  assert.ok(alts.some((x) => x.reply !== undefined && /Shall I go ahead/.test(x.reply)), "asking before cancelling is an alternative");
});

const GENERIC: ToolSpec[] = [
  { name: "get_weather", description: "Current weather for a city.", inputSchema: { type: "object", properties: { city: { type: "string" }, units: { type: "string", enum: ["metric", "imperial"] } }, required: ["city"] } },
  { name: "search_web", description: "Search the web.", inputSchema: { type: "object", properties: { query: { type: "string" }, max_results: { type: "integer", minimum: 1, maximum: 10 } }, required: ["query", "max_results"] } },
  {
    name: "createCalendarEvent",
    description: "Create an event in the user's calendar.",
    inputSchema: {
      type: "object",
      properties: { title: { type: "string" }, date: { type: "string", format: "date" }, attendees: { type: "array", items: { type: "string", format: "email" } }, reminder: { type: "boolean" }, room: { type: "object", properties: { floor: { type: "integer" }, name: { type: "string" } }, required: ["floor"] } },
      required: ["title", "date", "attendees", "room"],
    },
  },
];

test("any toolset: the declared tool whose words match the request, its arguments from the conversation, schema-valid", async () => {
  const weather: Conversation = { messages: [user("What's the weather in Lisbon right now?")], tools: GENERIC };
  const turns = await reruns(weather, 100);
  assertWellFormed(weather, turns, false);
  assert.equal(tally(turns)[0]![0], 'get_weather{"city":"Lisbon"}');
  const meeting: Conversation = { messages: [user("Put a calendar event on June 3rd for the design review with ana@example.com.")], tools: GENERIC };
  const m = await reruns(meeting, 100, {}, { thinking: { type: "adaptive" } });
  assertWellFormed(meeting, m, true);
  const top = tally(m)[0]![0];
  assert.ok(top.startsWith("createCalendarEvent"), top);
  const args = JSON.parse(top.slice("createCalendarEvent".length)) as { date: string; attendees: string[] };
  assert.equal(args.date, "2024-06-03");
  assert.deepEqual(args.attendees, ["ana@example.com"]);
  // after the tool answered: most reruns tell the user
  const answered: Conversation = { messages: [...weather.messages, calls("w1", "get_weather", { city: "Lisbon" }), result("w1", { temp_c: 21, sky: "clear" })], tools: GENERIC };
  const after = await reruns(answered, 50);
  assertWellFormed(answered, after, false);
  assert.equal(tally(after)[0]![0], "text");
});

test("no tools declared: a text answer to the latest user turn", async () => {
  const conv: Conversation = { messages: [user("Hello"), says("Hi! How can I help?"), user("What is 17 * 24 + 3?")], tools: [] };
  for (const t of await reruns(conv, 10, {}, { thinking: { type: "budget", budgetTokens: 1024 } })) {
    assert.equal(t.call, undefined);
    assert.deepEqual(t.stop, { reason: "end_turn", truncated: false });
    assert.ok(t.text.startsWith(SIMULATED_REPLY_NOTICE));
    assert.match(t.text, /Answer: \d+/);
    assert.ok(t.thinking.startsWith(SIMULATED_NOTICE));
  }
});

test("usage, max tokens and cancellation as the rest of the simulator", async () => {
  const conv = airline(DETAILS_IN);
  const [t] = await reruns(conv, 1, { spread: 0 }, { thinking: { type: "budget", budgetTokens: 1024 } });
  const usage = t!.events.filter((e) => e.type === "usage");
  assert.ok(usage[0]!.type === "usage" && usage[0]!.inputTokens! > 100, "the prefix's tokens are counted");
  const last = usage.at(-1)!;
  assert.ok(last.type === "usage" && last.outputTokens! > 0);
  assert.equal(t!.events.at(-1)!.type, "stop");
  // max tokens: cut off in the thinking, no call is made
  const [cut] = await reruns(conv, 1, { spread: 0 }, { thinking: { type: "budget", budgetTokens: 1024 }, maxTokens: 5 });
  assert.deepEqual(cut!.stop, { reason: "max_tokens", truncated: true });
  assert.equal(cut!.call, undefined);
  // cancelled: nothing after the abort, no stop
  const p = new SimulatedProvider({ tokensPerSecond: 200 });
  const ctl = new AbortController();
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(request(conv, { thinking: { type: "adaptive" } }), ctl.signal)) {
    events.push(e);
    if (events.length === 3) ctl.abort();
  }
  assert.ok(events.length <= 4, `${events.length} events`);
  assert.ok(!events.some((e) => e.type === "stop" || e.type === "tool_call"));
});

test("through the run engine: N reruns of the next step complete, each stopping for its tool call or its reply", async () => {
  const provider = new SimulatedProvider({ tokensPerSecond: 0 });
  const r = await runSamples({ provider, request: request(airline(GAVE_CODE)), n: 16, concurrency: 4 });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 16);
  assert.ok(r.samples.every((s) => s.stopReason === "tool_use" || s.stopReason === "end_turn"));
  assert.ok(r.samples.filter((s) => s.stopReason === "tool_use").length >= 8);
});

test("the demo's simulated agent: rerun from each of its tool calls, the most plausible next action is mostly the agent's own", async () => {
  let points = 0;
  let same = 0;
  for (const p of simulateAgentSet(10))
    for (const s of p.samples) {
      const messages: ConversationMessage[] = [];
      for (const st of s.steps ?? []) {
        if (st.kind === "tool_call") {
          const conv = airline(structuredClone(messages));
          const ranked = rankActions(conv);
          points++;
          if (ranked[0]!.call?.name === st.name) same++;
          if (points % 25 === 0) assertWellFormed(conv, await reruns(conv, 20), false);
          messages.push({ role: "assistant", content: [{ type: "tool_call", id: st.id!, name: st.name!, arguments: st.arguments }] });
        } else if (st.kind === "tool_result") messages.push(result(st.id!, st.text ?? ""));
        else if (st.kind === "user") messages.push(user(st.text ?? ""));
        else if (st.kind === "text") messages.push(says(st.text ?? ""));
      }
    }
  assert.ok(points > 80, `${points} points`);
  // 80% when written: it looks the reservation up where the agent looks the user up first, now and then
  assert.ok(same / points > 0.7, `${same} of ${points}`);
});

// ---- the shared τ-bench fixture: every step where GPT-4o called a tool, rerun from just before it

const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");

type ChatMessage = { role: string; content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };

/** The prefixes before each tool-calling assistant turn of a τ-bench trajectory (OpenAI chat), in the neutral form, with what the agent called there. */
function prefixes(traj: ChatMessage[]): { conv: Conversation; actual: string }[] {
  const out: { conv: Conversation; actual: string }[] = [];
  const messages: ConversationMessage[] = [];
  let system = "";
  for (const m of traj) {
    if (m.role === "system") system = m.content ?? "";
    else if (m.role === "user") messages.push(user(m.content ?? ""));
    else if (m.role === "assistant") {
      if (m.tool_calls?.length) out.push({ conv: { system, messages: structuredClone(messages), tools: [...TAU_AIRLINE_TOOLS] }, actual: m.tool_calls[0]!.function.name });
      messages.push({
        role: "assistant",
        content: [...(m.content ? [{ type: "text" as const, text: m.content }] : []), ...(m.tool_calls ?? []).map((c) => ({ type: "tool_call" as const, id: c.id, name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown }))],
      });
    } else if (m.role === "tool") {
      const block = { type: "tool_result" as const, id: m.tool_call_id!, content: m.content ?? "" };
      const last = messages.at(-1)!;
      if (last.role === "user" && last.content.every((b) => b.type === "tool_result")) last.content.push(block);
      else messages.push({ role: "user", content: [block] });
    }
  }
  return out;
}

test("τ-bench fixture: from every step where GPT-4o called a tool, the reruns are well-formed, and the most plausible action is often the agent's own", { skip: skipWithout(FIXTURE) }, async () => {
  const runs = JSON.parse(readFileSync(FIXTURE!, "utf8")) as { task_id: number; traj: ChatMessage[] }[];
  const points = runs.flatMap((r) => prefixes(r.traj));
  assert.ok(points.length > 500, `${points.length} points`);
  let same = 0;
  for (const { conv, actual } of points) {
    const ranked = rankActions(conv);
    assert.ok(ranked.length >= 2, "an alternative at every point");
    for (const a of ranked) if (a.call) assert.deepEqual(schemaErrors(a.call.arguments, conv.tools.find((t) => t.name === a.call!.name)!.inputSchema), [], `${a.call.name}${JSON.stringify(a.call.arguments)}`);
    if (ranked[0]!.call?.name === actual) same++;
  }
  // a simulator, not a model: it agrees with GPT-4o's tool at about half of the points (55% when written)
  assert.ok(same / points.length > 0.45, `${same} of ${points.length}`);
  // and through the provider, a few points' reruns: declared tools, valid arguments
  for (const { conv } of points.filter((_, i) => i % 50 === 0)) assertWellFormed(conv, await reruns(conv, 20), false);
});
