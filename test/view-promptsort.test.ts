// The prompt list's order, columns and names (webview/promptsort.ts): ties keep the file order,
// prompts without the figure go last whichever the direction, names sort naturally; a prompt
// with a hash or generic id is named by what it asks, and an agent prompt's row says what its
// first user turn asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyzeRecords } from "../src/core";
import type { PromptAnalysis, Run, Step } from "../src/core/types";
import { importFiles } from "../src/import";
import {
  accuracy,
  firstUserMessage,
  forkPosition,
  idIsOpaque,
  listColumns,
  listK,
  matchesFilter,
  nextSort,
  parseSort,
  promptName,
  promptSubtitle,
  sortKeys,
  sortPrompts,
  sortValue,
} from "../webview/promptsort";
import { sharedFixture, skipWithout } from "./support/fixtures";

/** A prompt with only what the list reads. */
function P(o: Partial<PromptAnalysis> & { id: string; inc?: number | null }): PromptAnalysis {
  const { inc, ...rest } = o;
  return {
    n: 4,
    target: "none",
    reference: null,
    answers: [],
    brier: inc === undefined || inc === null ? null : ({ estimate: inc } as PromptAnalysis["brier"]),
    binary: null,
    kl: null,
    disagreement: 0,
    entropy: 0,
    classes: 1,
    extractedAnswers: 0,
    caveat: null,
    reruns: null,
    ensemble: null,
    runs: [],
    columns: [],
    forkColumn: null,
    passHatK: null,
    passAtK: null,
    passHatKCi95: null,
    passAtKCi95: null,
    ...rest,
  } as PromptAnalysis;
}
const step = (kind: Step["kind"], text: string): Step => ({ kind, text, start: 0, end: text.length });
const run = (steps: Step[], correct: boolean | null = null): Run => ({ index: 0, answerKey: null, answerClass: 0, correct, answerExtracted: false, length: 0, fromThinking: false, steps });
const agent = (forkAction: number | null) => ({ toolCalls: [3, 3], forkAction, forkActions: null, forkCause: null });
const ids = (ps: PromptAnalysis[], order: number[]) => order.map((i) => ps[i]!.id);

test("file order without a sort; a sort the document cannot show is read as none", () => {
  const ps = [P({ id: "b" }), P({ id: "a" })];
  assert.deepEqual(sortPrompts(ps, null), [0, 1]);
  assert.deepEqual(sortPrompts(ps, undefined), [0, 1]);
  assert.equal(parseSort(null), null);
  assert.equal(parseSort({ key: "bogus", dir: "asc" }), null);
  assert.equal(parseSort({ key: "n", dir: "up" }), null);
  assert.equal(parseSort("n"), null);
  assert.deepEqual(parseSort({ key: "passk", dir: "desc", extra: 1 }), { key: "passk", dir: "desc" });
});

test("names sort naturally and without regard to case; ties keep the file order in both directions", () => {
  const ps = [P({ id: "task-10" }), P({ id: "task-2" }), P({ id: "Task-1" }), P({ id: "task-2 " }), P({ id: "task-2" })];
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "name", dir: "asc" })), ["Task-1", "task-2", "task-2", "task-2 ", "task-10"]);
  assert.deepEqual(sortPrompts(ps, { key: "name", dir: "asc" }), [2, 1, 4, 3, 0]);
  // reversed, the two equal names still in file order
  assert.deepEqual(sortPrompts(ps, { key: "name", dir: "desc" }), [0, 3, 1, 4, 2]);
  const more = ["item9", "item10", "item1", "a100", "a20"].map((id) => P({ id }));
  assert.deepEqual(ids(more, sortPrompts(more, { key: "name", dir: "asc" })), ["a20", "a100", "item1", "item9", "item10"]);
});

test("incoherence: the headline estimate; prompts without one last in both directions, ties in file order", () => {
  const ps = [P({ id: "a", inc: 0.5 }), P({ id: "none1", inc: null }), P({ id: "b", inc: 0.2 }), P({ id: "c", inc: 0.5 }), P({ id: "none2" }), P({ id: "d", inc: 0.9 })];
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "incoherence", dir: "asc" })), ["b", "a", "c", "d", "none1", "none2"]);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "incoherence", dir: "desc" })), ["d", "a", "c", "b", "none1", "none2"]);
});

test("n, and accuracy: pass^1 when the prompt has it, else the share of correct runs held; null without a target", () => {
  const ps = [
    P({ id: "flags", passHatK: [0.75, 0.5, 0.25, 0] }),
    P({ id: "runs", runs: [run([], true), run([], false), run([], null)] }),
    P({ id: "none", runs: [run([], null)] }),
    P({ id: "zero", passHatK: [0, 0], n: 2 }),
  ];
  assert.equal(accuracy(ps[0]!), 0.75);
  assert.equal(accuracy(ps[1]!), 0.5);
  assert.equal(accuracy(ps[2]!), null);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "accuracy", dir: "asc" })), ["zero", "runs", "flags", "none"]);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "accuracy", dir: "desc" })), ["flags", "runs", "zero", "none"]);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "n", dir: "desc" })), ["flags", "runs", "none", "zero"]);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "n", dir: "asc" })), ["zero", "flags", "runs", "none"]);
});

test("pass^k at k = the smallest n among the prompts that have it; the others last", () => {
  const ps = [
    P({ id: "n5-all", n: 5, passHatK: [1, 1, 1, 1, 1] }),
    P({ id: "no-target", n: 2 }),
    P({ id: "n3", n: 3, passHatK: [2 / 3, 1 / 3, 0] }),
    P({ id: "n5-four", n: 5, passHatK: [0.8, 0.6, 0.4, 0.2, 0] }),
  ];
  assert.equal(listK(ps), 3, "the prompt without a target (n 2) does not count");
  assert.equal(sortValue(ps[3]!, "passk", 3), 0.4);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "passk", dir: "asc" })), ["n3", "n5-four", "n5-all", "no-target"]);
  assert.deepEqual(ids(ps, sortPrompts(ps, { key: "passk", dir: "desc" })), ["n5-all", "n5-four", "n3", "no-target"]);
  assert.equal(listK([P({ id: "x" })]), null);
  assert.deepEqual(sortPrompts([P({ id: "x" }), P({ id: "y" })], { key: "passk", dir: "asc" }), [0, 1]);
});

test("fork: an agent prompt's fork action from 1 (none last), a plain prompt's fork column (column 0 is a fork)", () => {
  const ag = [P({ id: "same", agent: agent(null) }), P({ id: "a3", agent: agent(2) }), P({ id: "a1", agent: agent(0) }), P({ id: "a1b", agent: agent(0) })];
  assert.equal(forkPosition(ag[1]!), 3);
  assert.equal(forkPosition(ag[0]!), null);
  assert.deepEqual(ids(ag, sortPrompts(ag, { key: "fork", dir: "asc" })), ["a1", "a1b", "a3", "same"]);
  assert.deepEqual(ids(ag, sortPrompts(ag, { key: "fork", dir: "desc" })), ["a3", "a1", "a1b", "same"]);
  const plain = [P({ id: "c7", forkColumn: 7 }), P({ id: "none" }), P({ id: "c0", forkColumn: 0 })];
  assert.deepEqual(ids(plain, sortPrompts(plain, { key: "fork", dir: "asc" })), ["c0", "c7", "none"]);
  assert.deepEqual(ids(plain, sortPrompts(plain, { key: "fork", dir: "desc" })), ["c7", "c0", "none"]);
});

test("a column's head: first click its first direction, again reversed, a third time file order", () => {
  assert.deepEqual(nextSort(null, "incoherence"), { key: "incoherence", dir: "desc" });
  assert.deepEqual(nextSort({ key: "incoherence", dir: "desc" }, "incoherence"), { key: "incoherence", dir: "asc" });
  assert.equal(nextSort({ key: "incoherence", dir: "asc" }, "incoherence"), null);
  assert.deepEqual(nextSort({ key: "incoherence", dir: "asc" }, "name"), { key: "name", dir: "asc" });
  assert.deepEqual(nextSort(undefined, "passk"), { key: "passk", dir: "asc" });
  assert.deepEqual(nextSort(null, "fork"), { key: "fork", dir: "asc" });
});

test("the columns follow what the document has", () => {
  const plain = [P({ id: "a", n: 4, forkColumn: 2, passHatK: [0.5, 0.2, 0, 0] }), P({ id: "b", n: 6 })];
  assert.deepEqual(listColumns(plain), { agent: false, n: true, k: null, accuracy: true, fork: true });
  assert.deepEqual(sortKeys(listColumns(plain)), ["name", "n", "incoherence", "accuracy", "fork"]);
  const ag = [P({ id: "a", agent: agent(1), passHatK: [1, 1, 1, 1] }), P({ id: "b", agent: agent(null), passHatK: [0.5, 0.2, 0, 0] })];
  assert.deepEqual(listColumns(ag), { agent: true, n: false, k: 4, accuracy: false, fork: true });
  assert.deepEqual(sortKeys(listColumns(ag)), ["name", "incoherence", "passk", "fork"]);
  assert.deepEqual(sortKeys(listColumns([P({ id: "a" }), P({ id: "b" })])), ["name", "incoherence"]);
});

test("opaque ids: hashes, UUIDs and generic names; meaningful ids are kept", () => {
  for (const id of ["3fa2b9c1-lx8k2p", "0af7651916cd43dd8448eb211c80319c", "6f1c2e3a-9b4d-4e8b-a1c2-3d4e5f6a7b8c", "trace 0af7651916cd43dd8448", "prompt", "prompt-3", "session-2", "run", "p7", "42", "", "  "])
    assert.equal(idIsOpaque(id), true, id);
  for (const id of ["task-3", "ducks", "game24-900", "optimizer-hard-seed1", "sim-agent-add-bag", "20240501-report", "deadbeefcafe", "cancel-refund", "word problems"])
    assert.equal(idIsOpaque(id), false, id);
});

test("names: the id, or the first user turn (agent) or first prompt line (plain) when the id is opaque; the subtitle for agent rows", () => {
  const steps = [step("reasoning", "thinking"), step("user", "  Hi!\n I need to   cancel my flight. "), step("tool_call", "cancel()"), step("user", "Thanks")];
  const later = run([step("user", "Something else")]);
  const named = P({ id: "task-3", agent: agent(0), prompt: "ignored", runs: [run(steps), later] });
  assert.equal(firstUserMessage(named), "Hi! I need to cancel my flight.");
  assert.equal(promptName(named), "task-3");
  assert.equal(promptSubtitle(named), "Hi! I need to cancel my flight.");
  const hashed = P({ id: "6f1c2e3a-9b4d-4e8b-a1c2-3d4e5f6a7b8c", agent: agent(0), runs: [run(steps)] });
  assert.equal(promptName(hashed), "Hi! I need to cancel my flight.");
  assert.equal(promptSubtitle(hashed), null, "said once, as the name");
  // an agent prompt whose first run has no user turn: its prompt's first line
  const noUser = P({ id: "session", agent: agent(0), prompt: "\n\nFix the failing test\nin src/", runs: [run([step("tool_call", "ls()")])] });
  assert.equal(promptName(noUser), "Fix the failing test");
  // a plain prompt: the first non-blank line of its prompt, shortened; no subtitle
  const long = "Janet's ducks lay 16 eggs per day. ".repeat(6);
  const plain = P({ id: "3fa2b9c1-lx8k2p", prompt: `\n${long}\nsecond line` });
  assert.ok(promptName(plain).endsWith("…") && promptName(plain).length <= 80, promptName(plain));
  assert.ok(promptName(plain).startsWith("Janet's ducks lay 16 eggs per day."));
  assert.equal(promptSubtitle(plain), null);
  assert.equal(promptSubtitle(P({ id: "ducks", prompt: "Janet's ducks" })), null);
  // nothing to name it by: the id
  assert.equal(promptName(P({ id: "prompt-2" })), "prompt-2");
  // names from text sort with the others
  const ps = [P({ id: "task-2" }), hashed, P({ id: "Apple" })];
  assert.deepEqual(sortPrompts(ps, { key: "name", dir: "asc" }), [2, 1, 0]);
});

test("the filter matches the id, the name, an agent prompt's first user turn and the model", () => {
  const steps = [step("user", "I need to cancel my upcoming flights, the reservation is XEHM4B and more words past the subtitle")];
  const p = P({ id: "task-34", model: "gpt-4o", agent: agent(1), runs: [run(steps)] });
  for (const q of ["task-34", "xehm4b", "cancel my", "gpt-4o", "", "past the subtitle"]) assert.equal(matchesFilter(p, q), true, q);
  assert.equal(matchesFilter(p, "refund"), false);
  const hashed = P({ id: "0af7651916cd43dd8448", prompt: "How many eggs?" });
  assert.equal(matchesFilter(hashed, "eggs"), true);
  assert.equal(matchesFilter(hashed, "0af765"), true);
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("τ-bench (25 tasks × 4 GPT-4o runs): named task-N with their first user message, pass^4 and the fork action", { skip: skipWithout(TAU) }, () => {
  const { prompts: records } = importFiles([{ path: TAU!, bytes: readFileSync(TAU!) }]);
  const ps = analyzeRecords(records).prompts;
  assert.deepEqual(listColumns(ps), { agent: true, n: false, k: 4, accuracy: false, fork: true });
  for (const p of ps) {
    assert.equal(promptName(p), p.id);
    const sub = promptSubtitle(p);
    assert.ok(sub && sub.length > 10, `${p.id}: ${sub}`);
    const user = p.runs[0]!.steps.find((s) => s.kind === "user")!.text.replace(/\s+/g, " ").trim();
    assert.ok(user.startsWith(sub.replace(/…$/, "")), `${p.id}: ${sub}`);
  }
  assert.equal(promptSubtitle(ps.find((p) => p.id === "task-0")!), "Hi! I'm looking to book a flight from New York to Seattle on May 20th.");
  // pass^4 lowest first: the prompts that passed all four last, each group in file order
  const byPass = sortPrompts(ps, { key: "passk", dir: "asc" });
  const vals = byPass.map((i) => ps[i]!.passHatK![3]!);
  assert.deepEqual(vals, [...vals].sort((a, b) => a - b));
  for (let j = 1; j < byPass.length; j++) if (vals[j] === vals[j - 1]) assert.ok(byPass[j]! > byPass[j - 1]!, "ties in file order");
  // by name: task-0, task-2, …, task-48 (naturally: task-10 after task-8)
  assert.deepEqual(sortPrompts(ps, { key: "name", dir: "asc" }), ps.map((_, i) => i));
  const byFork = sortPrompts(ps, { key: "fork", dir: "asc" }).map((i) => forkPosition(ps[i]!));
  assert.deepEqual(byFork, [...byFork].sort((a, b) => (a ?? Infinity) - (b ?? Infinity)));
});
