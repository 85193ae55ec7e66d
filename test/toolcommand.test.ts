// The tool command of a rollout (src/sampling/toolcommand.ts), run for real: a tiny node script
// as the program. The call arrives as JSON on standard input; its output is the result; a
// non-zero exit is an error result with the end of standard error; a program that runs past the
// timeout is killed; output past the cap is cut and says so; the words are split without a shell,
// so `;`, `$(…)` and quotes reach the program as text and nothing else runs.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToolCommand, splitCommand, toolEnvironment, ToolCommandError } from "../src/sampling/toolcommand";

let dir: string;
let script: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hotmess-toolcmd-"));
  script = join(dir, "tool.js");
  writeFileSync(
    script,
    `let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const mode = process.argv[2];
  if (mode === "fail") { process.stdout.write("partial"); process.stderr.write("x".repeat(5000) + " reservation not found"); process.exit(3); }
  if (mode === "sleep") { setTimeout(() => process.stdout.write("too late"), 60000); return; }
  if (mode === "big") { process.stdout.write("y".repeat(100000)); return; }
  if (mode === "env") { process.stdout.write(JSON.stringify({ a: process.env.ANTHROPIC_API_KEY ?? null, o: process.env.OPENAI_API_KEY ?? null, other: process.env.HOTMESS_TEST_OTHER ?? null, holds: process.env.HOLDS_KEY ?? null })); return; }
  process.stdout.write(JSON.stringify({ call: JSON.parse(input), argv: process.argv.slice(2) }));
});
`,
  );
});

const CALL = { id: "toolu_01", name: "get_flight_status", arguments: { flight_number: "HAT156", date: "2024-05-20" } };

test("the call goes in as JSON on standard input; standard output is the result", async () => {
  const r = await runToolCommand([process.execPath, script, "echo"], CALL);
  assert.equal(r.isError, false);
  assert.equal(r.exitCode, 0);
  assert.deepEqual(JSON.parse(r.text), { call: { name: "get_flight_status", arguments: { flight_number: "HAT156", date: "2024-05-20" }, id: "toolu_01" }, argv: ["echo"] });
});

test("no shell: ';rm -rf', $(…), quotes and a trailing `; touch` reach the program as words, and nothing else runs", async () => {
  const marker = join(dir, "pwned");
  const marker2 = join(dir, "pwned2");
  const line = `"${process.execPath}" "${script}" ';rm -rf ${dir}' x; touch ${marker} $(touch ${marker2}) "a \\"quoted\\" word"`;
  const argv = splitCommand(line);
  assert.deepEqual(argv, [process.execPath, script, `;rm -rf ${dir}`, "x;", "touch", marker, `$(touch`, `${marker2})`, 'a "quoted" word']);
  const r = await runToolCommand(argv, CALL);
  assert.equal(r.isError, false, r.text);
  assert.deepEqual((JSON.parse(r.text) as { argv: string[] }).argv, argv.slice(2));
  assert.equal(existsSync(marker), false, "no shell ran `touch`");
  assert.equal(existsSync(marker2), false, "no shell ran $(touch …)");
  assert.equal(existsSync(script), true, "nothing was removed");
});

test("splitCommand: white space, single and double quotes, backslashes outside quotes kept, errors", () => {
  assert.deepEqual(splitCommand("  tool   --db 'my file.json'  "), ["tool", "--db", "my file.json"]);
  assert.deepEqual(splitCommand(String.raw`C:\tools\tool.exe "C:\data dir\x"`), [String.raw`C:\tools\tool.exe`, String.raw`C:\data dir\x`]);
  assert.deepEqual(splitCommand(`a ''`), ["a", ""]);
  assert.deepEqual(splitCommand(`pre'fix'"ed"`), ["prefixed"]);
  assert.throws(() => splitCommand(`tool 'open`), /unclosed single quote/);
  assert.throws(() => splitCommand(`tool "open`), /unclosed double quote/);
  assert.throws(() => splitCommand("   "), /empty/);
});

test("a non-zero exit is an error result with the end of standard error", async () => {
  const r = await runToolCommand([process.execPath, script, "fail"], CALL);
  assert.equal(r.isError, true);
  assert.equal(r.exitCode, 3);
  assert.match(r.text, /^the tool command exited with status 3\nits standard error ends: x+ reservation not found\nits output: partial$/);
  assert.ok(r.text.length < 2200, `only the tail of standard error: ${r.text.length} characters`);
});

test("past the timeout the program is killed and the result says so", async () => {
  const t0 = Date.now();
  const r = await runToolCommand([process.execPath, script, "sleep"], CALL, { timeoutMs: 300 });
  const took = Date.now() - t0;
  assert.equal(r.isError, true);
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, null);
  assert.equal(r.text, "the tool command did not finish within 300 ms and was killed");
  assert.ok(took < 5000, `killed at once (${took} ms)`);
});

test("output past the cap is cut, and the cut is noted", async () => {
  const r = await runToolCommand([process.execPath, script, "big"], CALL, { maxBytes: 1000 });
  assert.equal(r.isError, false);
  assert.equal(r.cut, true);
  assert.equal(r.text, "y".repeat(1000) + "\n[hotmess: the tool command's output was cut at 1000 bytes]");
  const whole = await runToolCommand([process.execPath, script, "big"], CALL);
  assert.equal(whole.text.length, 65536 + "\n[hotmess: the tool command's output was cut at 65536 bytes]".length, "64 kB by default");
});

test("a program that cannot be started is a ToolCommandError, not a result", async () => {
  await assert.rejects(runToolCommand([join(dir, "no-such-tool")], CALL), (e: unknown) => e instanceof ToolCommandError && /no such program/.test((e as Error).message));
});

test("the model API keys stay out of the tool's environment", async () => {
  const env = toolEnvironment({ PATH: process.env.PATH, ANTHROPIC_API_KEY: "sk-ant-secret", OPENAI_API_KEY: "sk-secret", HOTMESS_TEST_OTHER: "kept", HOLDS_KEY: "x sk-provider-key y" }, ["sk-provider-key"]);
  const r = await runToolCommand([process.execPath, script, "env"], CALL, { env });
  assert.deepEqual(JSON.parse(r.text), { a: null, o: null, other: "kept", holds: null });
});
