// A trajectory's text steps (replies, user turns, reasoning) group and fork on their content
// (METRICS.md §11, docs/metrics.md "Text steps of trajectories"): the entities they name and the
// acts they perform, never their wording alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyzeRecords, type PromptAnalysis, type TrajectoryStep } from "../src/core";
import { textContent, textContentKey } from "../src/core/textcontent";
import { importFiles } from "../src/import";
import { sharedFixture, skipWithout } from "./support/fixtures";

const key = (text: string, user = false) => textContentKey(textContent(text, user));

test("textContent: the same acts and entities in other words are one content; another act or entity is another", () => {
  // asking to confirm the same cancellation of the same reservation
  assert.equal(key("Could you please confirm that you want me to cancel reservation ZFA04Y?"), key("Please confirm: shall I go ahead and cancel your booking ZFA04Y?"));
  assert.equal(key("Could you please confirm that you want me to cancel reservation ZFA04Y?"), "confirm?|id:ZFA04Y op:cancel");
  // done vs refused, the same reservation
  assert.equal(key("I've cancelled reservation ZFA04Y."), "done|id:ZFA04Y op:cancel");
  assert.equal(key("I cannot cancel reservation ZFA04Y."), "refuse|id:ZFA04Y op:cancel");
  assert.notEqual(key("Could you please confirm that you want me to cancel reservation ZFA04Y?"), key("Could you please confirm that you want me to cancel reservation ZFA04Z?"));
  // dates in either form, amounts, flights, airports, cabins, user ids, names said mid-sentence
  assert.equal(key("Flight HAT170 from JFK on May 20, 2024 costs $1,204 in economy."), key("The economy fare of HAT170 (JFK, 2024-05-20) is 1204."));
  assert.equal(key("Sure, my user ID is mia_li_3668.", true), "|id:mia_li_3668");
  assert.equal(key("I want to fly from New York to Chicago.", true), "|w:chicago w:new w:york");
  // a user's go-ahead, in any words; a "yes" that only answers a question is none
  assert.equal(key("Yes, please go ahead.", true), key("Yes please, proceed with it.", true));
  assert.equal(key("Yes, please go ahead.", true), "yes|");
  assert.equal(key("Yes, my user ID is mia_li_3668.", true), key("Of course! My user ID is mia_li_3668.", true));
  // words only: no content
  assert.equal(key("Thank you! Have a great day."), null);
  assert.equal(key("Thanks, that's all I needed.", true), null);
});

type Turn = [TrajectoryStep["kind"], string];
function run(turns: Turn[]): { steps: TrajectoryStep[]; reward: number } {
  return {
    reward: 1,
    steps: turns.map(([kind, text], i): TrajectoryStep => {
      if (kind === "tool_call") {
        const [name, args] = text.split(" ");
        return { kind, name: name!, arguments: JSON.parse(args!), id: `c${i}` };
      }
      return { kind, text };
    }),
  };
}

const opening: Turn[][] = [
  [["user", "Hi, I need to cancel my reservation ZFA04Y."], ["text", "I can help with that. Could you please provide your user ID?"], ["user", "My user ID is mia_li_3668."]],
  [["user", "Hello! Please cancel reservation ZFA04Y for me."], ["text", "Sure. Could you share your user ID so I can look it up?"], ["user", "Sure, it's mia_li_3668."]],
  [["user", "I'd like to cancel my booking ZFA04Y, please."], ["text", "Happy to help. May I have your user ID?"], ["user", "It is mia_li_3668."]],
  [["user", "Hey there, I want reservation ZFA04Y cancelled."], ["text", "Could you please tell me your user ID first?"], ["user", "Yes, my user ID is mia_li_3668."]],
];
const lookup: Turn[] = [
  ["tool_call", 'get_reservation_details {"reservation_id":"ZFA04Y"}'],
  ["tool_result", '{"reservation_id": "ZFA04Y", "cabin": "economy", "insurance": "yes"}'],
];
const confirmWords = [
  "Your reservation ZFA04Y is eligible for cancellation. Would you like me to proceed with cancelling it?",
  "Reservation ZFA04Y can be cancelled. Please confirm that you want me to cancel it.",
  "I checked ZFA04Y: it can be cancelled. Shall I go ahead and cancel it?",
  "ZFA04Y qualifies, so it can be cancelled. Do you want me to proceed with the cancellation?",
];
const yesWords = ["Yes, please go ahead.", "Yes please, proceed.", "Please proceed with it.", "Yes, go ahead and cancel it."];
const doneWords = [
  "Reservation ZFA04Y has been cancelled. The refund goes to your original payment method.",
  "Done: ZFA04Y has been successfully cancelled and the refund is on its way to your original payment method.",
  "I've cancelled ZFA04Y; the refund will reach your original payment method.",
  "Your reservation ZFA04Y has been cancelled, refund to the original payment method.",
];
const byeWords = ["Thanks a lot, bye!", "Great, thank you so much.", "Perfect, that's all. Cheers!", "Thank you, have a nice day."];
const cancel: Turn[] = [
  ["tool_call", 'cancel_reservation {"reservation_id":"ZFA04Y"}'],
  ["tool_result", '{"reservation_id": "ZFA04Y", "status": "cancelled"}'],
];

function cellText(p: PromptAnalysis, column: number): { run: number; kind: string; text: string }[] {
  return p.columns[column]!.cells.filter((c) => c.step !== null).map((c) => ({ run: c.run, kind: p.runs[c.run]!.steps[c.step!]!.kind ?? "", text: p.runs[c.run]!.steps[c.step!]!.text }));
}

test("trajectories whose replies and user turns differ in wording only: one group per text column, no fork", () => {
  const samples = [0, 1, 2, 3].map((r) => run([...opening[r]!, ...lookup, ["text", confirmWords[r]!], ["user", yesWords[r]!], ...cancel, ["text", doneWords[r]!], ["user", byeWords[r]!]]));
  const p = analyzeRecords([{ id: "cancel", samples }], { resamples: 10 }).prompts[0]!;
  assert.equal(p.forkColumn, null, JSON.stringify(p.columns.map((c) => c.groups)));
  // the content columns hold one group each: the words "Would you like me to proceed" and "Shall I go ahead" are one
  for (const [c, col] of p.columns.entries()) {
    const cells = cellText(p, c);
    if (cells.length === 4 && /ZFA04Y/.test(cells[0]!.text) && cells[0]!.kind === "text") assert.equal(col.groups, 1, JSON.stringify(cells));
  }
});

test("trajectories whose replies differ in decision (confirm vs refuse the same cancellation): the fork is that reply", () => {
  const refuseWords = [
    "I'm sorry, but reservation ZFA04Y cannot be cancelled: it is basic economy without insurance.",
    "Unfortunately I am unable to cancel ZFA04Y, as basic economy without insurance is not refundable.",
  ];
  const samples = [0, 1, 2, 3].map((r) =>
    run(r < 2 ? [...opening[r]!, ...lookup, ["text", confirmWords[r]!], ["user", yesWords[r]!], ...cancel, ["text", doneWords[r]!]] : [...opening[r]!, ...lookup, ["text", refuseWords[r - 2]!], ["user", byeWords[r]!]]),
  );
  const p = analyzeRecords([{ id: "cancel-or-not", samples }], { resamples: 10 }).prompts[0]!;
  assert.notEqual(p.forkColumn, null);
  const cells = cellText(p, p.forkColumn!);
  assert.ok(cells.every((c) => c.kind === "text"), JSON.stringify(cells));
  assert.ok(cells.some((c) => confirmWords.includes(c.text)) && cells.some((c) => refuseWords.includes(c.text)), JSON.stringify(cells));
});

test("trajectories whose replies confirm the same act on different entities fork there; filler worded apart does not", () => {
  const other = [confirmWords[0]!, confirmWords[0]!.replace("ZFA04Y", "XEHM4B")];
  const samples = [0, 1, 2, 3].map((r) => run([["user", byeWords[r]!], ...opening[r]!.slice(1), ...lookup, ["text", other[r >> 1]!], ["user", yesWords[r]!], ...cancel]));
  const p = analyzeRecords([{ id: "which", samples }], { resamples: 10 }).prompts[0]!;
  assert.notEqual(p.forkColumn, null);
  const cells = cellText(p, p.forkColumn!);
  assert.ok(cells.some((c) => c.text.includes("ZFA04Y")) && cells.some((c) => c.text.includes("XEHM4B")), JSON.stringify(cells));
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("τ-bench airline: no column fork falls on a text step of words only; the forks on wording are gone", { skip: skipWithout(TAU) }, () => {
  const recs = importFiles([{ path: TAU!, bytes: new Uint8Array(readFileSync(TAU!)) }]).prompts;
  const a = analyzeRecords(recs, { resamples: 10 });
  let wordsOnly = 0;
  let onText = 0;
  let onCall = 0;
  for (const p of a.prompts) {
    if (p.forkColumn === null) continue;
    const cells = cellText(p, p.forkColumn);
    if (cells.some((c) => c.kind === "tool_call")) onCall++;
    else if (cells.every((c) => c.kind === "text" || c.kind === "user" || c.kind === "reasoning")) {
      onText++;
      if (cells.every((c) => key(c.text, c.kind === "user") === null)) wordsOnly++;
    }
  }
  assert.equal(wordsOnly, 0);
  assert.equal(onText + onCall, a.prompts.filter((p) => p.forkColumn !== null).length);
  assert.ok(onText >= 1 && onCall >= 1, `${onText} forks on text, ${onCall} on calls`);
  const byId = new Map(a.prompts.map((p) => [p.id, p]));
  // the simulated users' openings worded apart ("make some changes" / "help with changing my flight") no longer fork
  assert.equal(byId.get("task-20")!.forkColumn, null);
  assert.equal(byId.get("task-4")!.forkColumn, null);
  // task-44: two runs ask for the cabin class, two state the allowance outright (and those two fail)
  const t44 = byId.get("task-44")!;
  assert.notEqual(t44.forkColumn, null);
  const cells = cellText(t44, t44.forkColumn!);
  const asks = cells.filter((c) => textContent(c.text).acts.includes("ask")).map((c) => c.run);
  assert.deepEqual(asks, [0, 2]);
  assert.deepEqual(asks.map((r) => t44.runs[r]!.answerKey), ["reward=1", "reward=1"]);
});
