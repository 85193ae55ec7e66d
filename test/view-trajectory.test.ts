// The view's pure helpers for agent trajectories (webview/trajectory.ts): a tool call's text taken
// apart again, its arguments pretty-printed line by line (as JSON.stringify writes them) with the
// lines that differ from the consensus call's marked, a result's one-line summary, a run's outcome
// for its header, and the card's line estimate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { actionText } from "../src/core/trajectory";
import {
  cardLines,
  charsLabel,
  checksLabel,
  checksTitle,
  jsonLines,
  jsonPaths,
  lineText,
  markLines,
  missingPaths,
  parseCall,
  parseJson,
  pathLabel,
  resultBody,
  resultSummary,
  rewardLabel,
  runOutcome,
} from "../webview/trajectory";

test("parseCall takes actionText apart again: the name, the canonical arguments parsed", () => {
  const args = { reservation_id: "NO6JO3", flights: [{ date: "2024-05-20", flight_number: "HAT023" }] };
  const text = actionText({ name: "update_reservation_flights", arguments: args });
  const c = parseCall(text, "update_reservation_flights");
  assert.equal(c.name, "update_reservation_flights");
  assert.equal(c.json, true);
  assert.deepEqual(c.value, args);
  // without the step's name: what comes before the first "("
  assert.deepEqual(parseCall(text), c);
  // no arguments: {}
  assert.deepEqual(parseCall(actionText({ name: "list_all_airports" }), "list_all_airports"), { name: "list_all_airports", args: "{}", value: {}, json: true });
});

test("parseCall: arguments that are not JSON are the raw string; text not of the form is all arguments", () => {
  const raw = parseCall(actionText({ name: "bash", arguments: "ls -la (twice" }), "bash");
  assert.deepEqual(raw, { name: "bash", args: "ls -la (twice", json: false });
  // parentheses inside a raw string: the name is the step's, the rest up to the last ")"
  assert.deepEqual(parseCall("f(g(1))", "f"), { name: "f", args: "g(1)", json: false });
  // a name that does not match, or no parentheses: the whole text is shown as the arguments
  assert.deepEqual(parseCall("something else", "f"), { name: "f", args: "something else", json: false });
  assert.deepEqual(parseCall("noparens"), { name: "", args: "noparens", json: false });
});

test("parseJson: only text that is JSON", () => {
  assert.deepEqual(parseJson(' {"a": 1} '), { ok: true, value: { a: 1 } });
  assert.deepEqual(parseJson("12"), { ok: true, value: 12 });
  assert.deepEqual(parseJson(""), { ok: false });
  assert.deepEqual(parseJson("Error: not found"), { ok: false });
  assert.deepEqual(parseJson("{not json"), { ok: false });
});

test("jsonLines: the lines JSON.stringify(v, null, 2) writes, each with its path", () => {
  const values: unknown[] = [
    { a: 1, b: [1, 2, { c: null }], d: {}, e: [], f: "x\ny", "odd key": true },
    [],
    {},
    "s",
    3.5,
    null,
    [[[]]],
    { nested: { deep: { deeper: [1] } } },
  ];
  for (const v of values) assert.deepEqual(jsonLines(v).map(lineText), JSON.stringify(v, null, 2).split("\n"), JSON.stringify(v));
  const lines = jsonLines({ a: { b: 1 } });
  assert.deepEqual(
    lines.map((l) => [l.kind, l.depth, pathLabel(l.path)]),
    [
      ["open", 0, "(the arguments)"],
      ["open", 1, "a"],
      ["leaf", 2, "a.b"],
      ["close", 1, "a"],
      ["close", 0, "(the arguments)"],
    ],
  );
  assert.equal(pathLabel(JSON.stringify(["flights", 0, "date"])), "flights[0].date");
  assert.equal(pathLabel(JSON.stringify(["odd key", 1])), '["odd key"][1]');
});

test("markLines: a changed value, an added key, the same elsewhere; missingPaths: what the consensus call has and this one lacks", () => {
  const base = { reservation_id: "NO6JO3", cabin: "economy", payment: { id: "gift_card_118", amount: 5 } };
  const call = { reservation_id: "no6-jo3", cabin: "economy", reason: "change of plan", payment: { id: "gift_card_118" } };
  const lines = jsonLines(call);
  const marks = markLines(lines, jsonPaths(base));
  const byText = Object.fromEntries(lines.map((l, i) => [lineText(l).trim(), marks[i]]));
  assert.equal(byText['"reservation_id": "no6-jo3",'], "changed");
  assert.equal(byText['"cabin": "economy",'], "same");
  assert.equal(byText['"reason": "change of plan",'], "added");
  assert.equal(byText['"id": "gift_card_118"'], "same");
  assert.equal(byText["{"], "same");
  assert.deepEqual(missingPaths(lines, jsonPaths(base)), ["payment.amount"]);
  // a whole object missing is listed once, not its inner paths
  assert.deepEqual(missingPaths(jsonLines({}), jsonPaths({ a: { b: 1, c: [2] } })), ["a"]);
  // the same call: nothing marked, nothing missing
  assert.ok(markLines(jsonLines(base), jsonPaths(base)).every((m) => m === "same"));
  assert.deepEqual(missingPaths(jsonLines(base), jsonPaths(base)), []);
  // an object where the consensus has a string: the value changed
  assert.deepEqual(markLines(jsonLines({ a: { b: 1 } }), jsonPaths({ a: "x" })).slice(1, 2), ["changed"]);
});

test("resultSummary: the first 80 characters, white space collapsed, and the length; resultBody: JSON pretty, the rest as is", () => {
  const long = `{"flights": [${Array.from({ length: 20 }, (_, i) => `{"n": "HAT${i}"}`).join(",\n ")}]}`;
  const s = resultSummary(long);
  assert.equal(s.head.length, 80);
  assert.ok(s.head.endsWith("…"));
  assert.ok(!s.head.includes("\n"));
  assert.equal(s.chars, long.length);
  assert.deepEqual(resultSummary("  Error: not found\n"), { head: "Error: not found", chars: 19 });
  assert.equal(charsLabel(2710), "2,710 chars");
  assert.equal(charsLabel(1), "1 char");
  assert.deepEqual(resultBody(' {"a": 1}'), { json: true, value: { a: 1 } });
  assert.deepEqual(resultBody("Error: payment method not found"), { json: false, text: "Error: payment method not found" });
  assert.deepEqual(resultBody("42"), { json: false, text: "42" }, "a bare number is shown as it is");
  assert.deepEqual(resultBody("[1, 2"), { json: false, text: "[1, 2" });
});

test("runOutcome: the reward, the failed checks by name, the tool calls", () => {
  assert.equal(rewardLabel(1), "reward 1");
  assert.equal(rewardLabel(0.5), "reward 0.5");
  assert.equal(rewardLabel(1 / 3), "reward 0.33");
  const o = runOutcome({ reward: 0, toolCalls: 4, outcomes: { db_match: 0, confirmed_first: 1, refund_ok: 0, polite: 1, no_extra_writes: 1 } });
  assert.deepEqual(o, { reward: "reward 0", checks: { failed: ["db_match", "refund_ok"], total: 5 }, calls: 4 });
  assert.equal(checksLabel(o.checks!), "✗ 2 of 5 checks");
  assert.equal(checksTitle(o.checks!), "failed 2 of 5 checks: db_match, refund_ok");
  assert.equal(checksLabel({ failed: [], total: 3 }), "✓ 3 checks");
  assert.equal(checksTitle({ failed: [], total: 3 }), "all 3 checks passed");
  assert.deepEqual(runOutcome({}), { reward: null, checks: null, calls: null });
  assert.deepEqual(runOutcome({ outcomes: {} }).checks, null);
});

test("cardLines: a call's head and its pretty-printed arguments; a folded result one line; text wrapped", () => {
  const call = actionText({ name: "get_user_details", arguments: { user_id: "mia_li_3668" } });
  // head + 3 lines ({, the entry, }) at a wide cell
  assert.equal(cardLines({ kind: "tool_call", text: call, name: "get_user_details" }, 60), 1 + 3 + 0.7);
  // a narrow cell wraps the entry
  assert.ok(cardLines({ kind: "tool_call", text: call, name: "get_user_details" }, 16) > 1 + 3 + 0.7);
  const big = "x".repeat(5000);
  assert.ok(cardLines({ kind: "tool_result", text: big }, 30) < 2, "a folded result is one line, however long");
  assert.equal(cardLines({ kind: "text", text: "a".repeat(90) }, 30), 3);
  assert.ok(cardLines({ kind: "user", text: "a".repeat(90) }, 30) > 3, "a bubble is narrower and padded");
  assert.equal(cardLines({ kind: "reasoning", text: "short" }, 30), 1);
});
