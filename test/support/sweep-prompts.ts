// The prompts file the sweep tests (CLI and editor) run: two good prompts, then three lines a
// sweep leaves out and names (line 3 is not JSON, line 4 repeats an id, line 5 has no prompt).
import { writeFileSync } from "node:fs";

/** Writes it to `file`; `ask` ends each good prompt (the editor's tests ask for "Answer: N"). */
export function writeSweepPrompts(file: string, ask = ""): string {
  writeFileSync(
    file,
    [
      JSON.stringify({ id: "ducks", prompt: `Janet's ducks lay 16 eggs; she eats 3 and bakes with 4. She sells the rest at $2. How much?${ask}`, reference: 18 }),
      JSON.stringify({ id: "cows", prompt: `A farmer has 12 cows and buys 7 more. How many cows?${ask}`, reference: 19 }),
      "{not json",
      JSON.stringify({ id: "ducks", prompt: "a second prompt with the same id" }),
      JSON.stringify({ id: "empty" }),
      "",
    ].join("\n"),
  );
  return file;
}
