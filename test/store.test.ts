// The run store (src/sampling/store.ts): making the run folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDirs } from "../src/sampling/store";

test("makeDirs makes the missing levels, and again is a no-op", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "hotmess-store-")), "a", "b", "c");
  makeDirs(dir);
  assert.ok(statSync(dir).isDirectory());
  makeDirs(dir);
});

test("a run folder under /proc fails at once with its error (Node's recursive mkdir loops for ever there)", { skip: !existsSync("/proc/self") && "no /proc here", timeout: 30_000 }, () => {
  // in a child process: a synchronous endless loop would hang this one past any test timeout
  const script = join(mkdtempSync(join(tmpdir(), "hotmess-store-")), "proc.ts");
  const header = { id: "p", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "t", version: "0" }, provider: "simulated", model: "m", prompt: "2 + 2?", promptHash: "0", parameters: { n: 1, maxTokens: 10, thinking: { type: "none" }, concurrency: 1, idleTimeoutMs: 1000 } };
  writeFileSync(
    script,
    [
      `import { RunWriter } from ${JSON.stringify(join(__dirname, "..", "src", "sampling", "store"))};`,
      `try { RunWriter.create("/proc/hotmess-no-such-${process.pid}/runs", ${JSON.stringify(header)} as never); console.log("made"); }`,
      `catch (e) { console.log((e as NodeJS.ErrnoException).code); }`,
    ].join("\n"),
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.signal, null, "it did not finish within 10 s");
  assert.equal(r.stdout.trim(), "ENOENT", r.stderr);
});
