// `hotmess demo` (npm run demo): analyses the example trace set that ships with the project,
// a handful of word problems each rerun several times, and prints the table.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Io } from "./main";

export async function demo(io: Io): Promise<number> {
  const { analyzeFile } = await import("./main");
  const { renderTable, ANSI_STYLE, NO_STYLE } = await import("./table");
  const file = [join(__dirname, "..", "examples", "word-problems.jsonl"), join(__dirname, "..", "..", "examples", "word-problems.jsonl")].find(existsSync);
  if (!file) {
    io.stderr.write("hotmess: the example trace set (examples/word-problems.jsonl) is missing from this installation\n");
    return 1;
  }
  io.stdout.write(`Analysing ${file}\n\n`);
  const analysis = await analyzeFile(file, { referenceFree: false, seed: 1, resamples: 1000 }, io);
  const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
  io.stdout.write(renderTable(analysis, color ? ANSI_STYLE : NO_STYLE).join("\n") + "\n");
  io.stdout.write(`\nAnalyse your own reruns: npx hotmess analyze FILE.jsonl [--json OUT.json]\n`);
  return 0;
}
