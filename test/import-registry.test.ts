// The importers together: `hotmess import` without --format finds each format's own files (the
// order of IMPORTERS decides when two could claim a file), and every format is listed by name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { detectFormat, IMPORTERS, importFiles, knownFormats } from "../src/import";
import { file, formatFiles, tauBenchFile } from "./support/import-files";

const DATA = join(__dirname, "data");

test("each format's test files are detected as that format, file by file and as a folder", () => {
  for (const format of ["inspect", "claude-code", "otel", "promptfoo"]) {
    const files = formatFiles(format);
    for (const f of files) assert.equal(detectFormat([f])?.name, format, `${f.path}`);
    const r = importFiles(files);
    assert.equal(r.format, format);
    assert.ok(r.prompts.length > 0 && r.prompts.every((p) => p.samples.length > 0), `${format}: prompts with runs`);
  }
  assert.equal(detectFormat([tauBenchFile])?.name, "tau-bench");
  assert.equal(detectFormat([file(join(DATA, "chat-openai.jsonl"))])?.name, "chat");
  assert.equal(detectFormat([file(join(DATA, "chat-anthropic.jsonl"))])?.name, "chat");
});

test("the known formats are all six, by name", () => {
  assert.deepEqual(IMPORTERS.map((i) => i.name).sort(), ["chat", "claude-code", "inspect", "otel", "promptfoo", "tau-bench"]);
  for (const i of IMPORTERS) assert.ok(knownFormats().includes(i.name));
});
