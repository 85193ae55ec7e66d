// "Set as reference": the edit that writes a class's answer as a prompt's `reference:`, read back
// by the prompt file's own parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePromptFile, referenceEdit, type Range } from "../src/core/promptfile";

function apply(text: string, e: { range: Range; newText: string }): string {
  const lines = text.split("\n");
  const offset = (p: Range["start"]) => lines.slice(0, p.line).reduce((s, l) => s + l.length + 1, 0) + p.character;
  return text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
}
const set = (text: string, index: number, value: string): string => {
  const e = referenceEdit(text, index, value);
  if ("error" in e) throw new Error(e.error);
  return apply(text, e);
};
const refOf = (text: string, index: number) => parsePromptFile(text, () => "")[index]!.settings.reference;

test("replaces an existing reference line, keeps the rest", () => {
  const text = "---\nn: 8\nreference: 17\nmodel: x\n---\nJanet's ducks lay 16 eggs.\n";
  const out = set(text, 0, "18");
  assert.equal(out, "---\nn: 8\nreference: 18\nmodel: x\n---\nJanet's ducks lay 16 eggs.\n");
  assert.equal(refOf(out, 0), 18);
});

test("adds the line before the closing --- of a front matter without one", () => {
  const out = set("---\nn: 8\n---\nHow many?\n", 0, "spam");
  assert.equal(out, '---\nn: 8\nreference: "spam"\n---\nHow many?\n');
  assert.equal(refOf(out, 0), "spam");
});

test("gives a prompt without front matter one; the second prompt of a file", () => {
  const text = "First prompt?\n===\nSecond prompt?\n";
  const out = set(text, 1, 'say "hi"');
  assert.equal(out, "First prompt?\n===\n---\nreference: 'say \"hi\"'\n---\nSecond prompt?\n");
  assert.equal(refOf(out, 1), 'say "hi"');
  assert.equal(refOf(out, 0), undefined);
  assert.equal(parsePromptFile(out, () => "")[1]!.user.trim(), "Second prompt?");
});

test("refuses what cannot be a one-line reference, and a prompt that is not there", () => {
  assert.match((referenceEdit("Q?\n", 0, "two\nlines") as { error: string }).error, /one-line reference/);
  assert.match((referenceEdit("Q?\n", 3, "18") as { error: string }).error, /no prompt #4 \(it has 1\)/);
});
