// Shared by the importer tests: the test inputs under test/data/import/<format>/ as InputFiles,
// and a τ-bench results file (its JSON array of {task_id, trial, reward, traj}) that no other
// importer may claim.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { InputFile } from "../../src/import/types";

const root = join(__dirname, "..", "data", "import");

/** Every data file of one format's folder (scripts that make them left out). */
export function formatFiles(format: string): InputFile[] {
  const dir = join(root, format);
  return readdirSync(dir)
    .filter((n) => !n.endsWith(".mjs") && !n.endsWith(".md"))
    .sort()
    .map((n) => file(join(dir, n)));
}

export function file(path: string): InputFile {
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

export function textFile(path: string, text: string): InputFile {
  return { path, bytes: new TextEncoder().encode(text) };
}

export const tauBenchFile = textFile(
  "results/tool-calling-gpt-4o.json",
  JSON.stringify(
    [
      {
        task_id: 0,
        trial: 0,
        reward: 1.0,
        info: {},
        traj: [
          { role: "system", content: "# Airline Agent Policy" },
          { role: "user", content: "Hi, I want to change my flight." },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_user_details", arguments: '{"user_id": "mia_li_3668"}' } }] },
          { role: "tool", tool_call_id: "call_1", name: "get_user_details", content: "{}" },
        ],
      },
    ],
    null,
    2,
  ),
);

/** The other formats' test inputs, plus τ-bench's: none may be claimed by `format`'s importer. */
export function othersFiles(format: string): InputFile[] {
  const formats = ["inspect", "claude-code", "otel", "promptfoo"].filter((f) => f !== format);
  return [...formats.flatMap(formatFiles), tauBenchFile];
}
