// The command line's argument handling: every subcommand answers --help from its option table,
// refuses unknown flags and stray arguments, and keeps the forms users type (-n 8, --flag=value,
// --flag value, - for standard output).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { COMMANDS as SPECS } from "../src/cli/commands";
import { parseCommand, renderHelp } from "../src/cli/common";
import { Capture } from "./support/capture";


async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

// demo and bench write under the working directory: keep that in a scratch folder
const dir = mkdtempSync(join(tmpdir(), "hotmess-args-"));
process.chdir(dir);
const traces = join(dir, "t.jsonl");
writeFileSync(
  traces,
  JSON.stringify({ id: "p1", prompt: "How many?", reference: 18, samples: [18, 18, 20, 21].map((a) => ({ text: `Step.\nAnswer: ${a}`, answer: a })) }) + "\n",
);

/** The flags each subcommand had before the option tables: its help must name every one. */
const FLAGS: Record<string, string[]> = {
  analyze: ["--json", "--html", "--reference-free", "--seed", "--resamples"],
  run: [
    "--prompt",
    "--prompt-file",
    "--system",
    "-n",
    "--provider",
    "--model",
    "--base-url",
    "--reference",
    "--concurrency",
    "--thinking",
    "--thinking-budget",
    "--max-tokens",
    "--temperature",
    "--until-ci",
    "--timeout",
    "--retries",
    "--prices",
    "--out",
    "--json",
    "--html",
    "--resume",
    "--sim-slip",
  ],
  bench: ["-n", "--provider", "--model", "--base-url", "--difficulty", "--seed", "--concurrency", "--max-tokens", "--out", "--html", "--json", "--timeout", "--retries", "--sim-slip", "--sim-slip-kind", "--sim-slip-size", "--sim-noise", "--sim-sigma", "--sim-distraction", "--sim-growth", "--sim-spread", "--sim-speed", "--sim-seed"],
  export: ["--format", "--out", "--seed"],
  import: ["--format", "--out"],
  compare: ["--json", "--md", "--seed", "--draws"],
  demo: [],
};
const COMMANDS = Object.keys(FLAGS);

test("every subcommand answers --help and -h on stdout, exit 0, with its usage line and every flag", async () => {
  for (const cmd of COMMANDS) {
    for (const h of ["--help", "-h"]) {
      const r = await hotmess([cmd, h]);
      assert.equal(r.code, 0, `${cmd} ${h}: ${r.err}`);
      assert.equal(r.err, "", `${cmd} ${h}: nothing on stderr`);
      assert.match(r.out, new RegExp(`^Usage: hotmess ${cmd}\\b`, "m"), `${cmd} ${h}: a usage line`);
      assert.match(r.out, /-h, --help\s+show this help/);
      for (const flag of FLAGS[cmd]!) assert.match(r.out, new RegExp(`^\\s+${flag}\\b`, "m"), `${cmd} ${h} names ${flag}`);
    }
  }
});

test("hotmess help CMD is CMD --help; help without a command is the overview", async () => {
  for (const cmd of COMMANDS) {
    const a = await hotmess(["help", cmd]);
    const b = await hotmess([cmd, "--help"]);
    assert.equal(a.code, 0);
    assert.equal(a.out, b.out, cmd);
  }
  const o = await hotmess(["help"]);
  assert.equal(o.code, 0);
  for (const cmd of COMMANDS) assert.match(o.out, new RegExp(`^  hotmess ${cmd}\\b`, "m"), `the overview lists ${cmd}`);
  const bad = await hotmess(["help", "frobnicate"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^hotmess: unknown command "frobnicate" \(see hotmess --help\)\n$/);
  for (const word of ["constructor", "__proto__", "toString"]) {
    for (const args of [[word], ["help", word]]) {
      const r = await hotmess(args);
      assert.equal(r.err, `hotmess: unknown command "${word}" (see hotmess --help)\n`, args.join(" "));
    }
  }
});

test("the top level: --help is the overview of the commands, --version the version, an unknown flag is refused", async () => {
  const h = await hotmess(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.out, /^hotmess \d+\.\d+\.\d+: how reruns of a prompt fall apart/);
  for (const cmd of COMMANDS) assert.match(h.out, new RegExp(`^  hotmess ${cmd}\\b`, "m"));
  assert.match(h.out, /hotmess <command> --help/);
  const none = await hotmess([]);
  assert.equal(none.code, 1, "no command: the overview, exit 1");
  assert.equal(none.out, h.out);
  const v = await hotmess(["-v"]);
  assert.match(v.out, /^\d+\.\d+\.\d+\n$/);
  const bad = await hotmess(["--bogus"]);
  assert.equal(bad.code, 1);
  assert.equal(bad.err, "hotmess: unknown option --bogus (see hotmess --help)\n");
});

test("an unknown flag is refused by every subcommand, naming it and the subcommand's help; nothing runs", async () => {
  const base: Record<string, string[]> = {
    analyze: ["analyze", traces],
    run: ["run", "--prompt", "x", "-n", "2"],
    bench: ["bench", "optimizer", "-n", "2"],
    export: ["export", traces, "--format", "md", "--out", "-"],
    import: ["import", traces, "--out", "-"],
    compare: ["compare", traces, traces],
    demo: ["demo"],
  };
  for (const cmd of COMMANDS) {
    for (const bogus of ["--bogus", "--bogus=1", "-x"]) {
      const r = await hotmess([...base[cmd]!, bogus]);
      const name = bogus.replace(/=.*/, "");
      assert.equal(r.code, 1, `${cmd} ${bogus}: ${r.err}`);
      assert.equal(r.err, `hotmess: unknown option ${name} (see hotmess ${cmd} --help)\n`);
      assert.equal(r.out, "", `${cmd} ${bogus}: nothing ran`);
    }
  }
  assert.deepEqual(readdirSync(dir), ["t.jsonl"], "no run, benchmark or demo wrote anything");
});

test("a stray argument is refused by every subcommand that takes none (demo included)", async () => {
  const cases: [string[], string][] = [
    [["demo", "now"], 'hotmess: unexpected argument "now": demo takes no arguments (see hotmess demo --help)\n'],
    [["run", "--prompt", "x", "-n", "2", "extra"], 'hotmess: unexpected argument "extra": the prompt goes in --prompt, --prompt-file or --conversation (see hotmess run --help)\n'],
    [["bench", "optimizer", "-n", "2", "extra"], 'hotmess: unexpected argument "extra": bench takes one benchmark, optimizer (see hotmess bench --help)\n'],
    [["analyze", traces, traces], `hotmess: unexpected argument "${traces}": analyze takes one file (see hotmess analyze --help)\n`],
  ];
  for (const [args, message] of cases) {
    const r = await hotmess(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.err, message);
    assert.equal(r.out, "");
  }
  assert.deepEqual(readdirSync(dir), ["t.jsonl"]);
});

test("a flag without its value, or a switch given one, is refused with the subcommand's help", async () => {
  const cases: [string[], string][] = [
    [["analyze", traces, "--json"], "hotmess: --json needs a value (see hotmess analyze --help)\n"],
    [["analyze", traces, "--json="], "hotmess: --json needs a value (see hotmess analyze --help)\n"],
    [["analyze", traces, "--json", "--html", "x.html"], "hotmess: --json needs a value, not the option --html (see hotmess analyze --help)\n"],
    [["analyze", traces, "--reference-free=yes"], "hotmess: --reference-free takes no value (see hotmess analyze --help)\n"],
    [["run", "--prompt", "x", "-n"], "hotmess: -n needs a value (see hotmess run --help)\n"],
  ];
  for (const [args, message] of cases) {
    const r = await hotmess(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.err, message);
  }
});

test("the forms users type still work: --flag value, --flag=value, -n 8 / -n8 / -n=8, - for standard output", async () => {
  const spaced = await hotmess(["analyze", traces, "--seed", "7", "--json", "-"]);
  const joined = await hotmess(["analyze", traces, "--seed=7", "--json=-"]);
  assert.equal(spaced.code, 0, spaced.err);
  assert.equal(joined.code, 0, joined.err);
  assert.equal(JSON.parse(joined.out).schema, "hotmess.analysis/1");
  assert.deepEqual(JSON.parse(joined.out).prompts, JSON.parse(spaced.out).prompts);
  // -n's value is checked with the same message whichever way it is written
  for (const n of [["-n", "0"], ["-n0"], ["-n=0"]]) {
    const r = await hotmess(["run", "--prompt", "x", ...n, "--provider", "openai", "--base-url", "http://127.0.0.1:9/v1"]);
    assert.equal(r.err, 'hotmess: -n must be an integer between 1 and 10000, not "0" (see hotmess run --help)\n', n.join(" "));
  }
  // numbers keep their messages; a negative value after a space is a value, not a flag
  const seed = await hotmess(["analyze", traces, "--seed", "x"]);
  assert.equal(seed.err, 'hotmess: --seed must be an integer ≥ 0, not "x" (see hotmess analyze --help)\n');
  const neg = await hotmess(["analyze", traces, "--resamples", "-3"]);
  assert.equal(neg.err, 'hotmess: --resamples must be an integer ≥ 0, not "-3" (see hotmess analyze --help)\n');
  const slip = await hotmess(["bench", "optimizer", "-n", "2", "--sim-slip-size", "-5"]);
  assert.equal(slip.err, 'hotmess: --sim-slip-size must be a number between -0.9 and 10, not "-5" (see hotmess bench --help)\n');
});

test("bench runs with the simulated reasoner's knobs as flags (a negative value included)", async () => {
  const out = join(dir, "bench");
  const r = await hotmess(["bench", "optimizer", "-n", "2", "--difficulty", "easy", "--sim-speed", "0", "--sim-slip-size", "-0.5", "--sim-slip-kind=drop-b", "--out", out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /optimizer-easy/);
  assert.ok(readdirSync(out).includes("report.html"));
});

test("each table's flags are the ones its command parses and its help shows, with their value names and defaults", () => {
  for (const spec of Object.values(SPECS)) {
    const help = renderHelp(spec);
    for (const o of spec.options) {
      const label = `${o.short ? `${o.short}, ` : ""}${o.flag}${o.value ? ` ${o.value}` : ""}`;
      const line = help.split("\n").find((l) => l.startsWith(`  ${label} `) || l === `  ${label}`);
      assert.ok(line, `${spec.name} --help shows ${label}`);
      if (o.default !== undefined) assert.ok(help.includes(`(default: ${o.default})`) || help.replace(/\s+/g, " ").includes(`(default: ${o.default})`), `${spec.name} ${o.flag}: its default`);
      if (o.flag === "--help") continue;
      // a value the flag takes (a number flag's range may leave out 7)
      const v = o.number?.max !== undefined && o.number.max < 7 ? String(o.number.max) : o.number?.min !== undefined && o.number.min > 7 ? String(o.number.min) : "7";
      const p = parseCommand(o.value ? [o.flag, v] : [o.flag], spec);
      assert.equal(p.flags.get(o.flag), o.value ? v : true, `${spec.name} parses ${o.flag}`);
      if (o.value) assert.equal(parseCommand([`${o.flag}=${v}`], spec).flags.get(o.flag), v);
    }
  }
});

test("number flags are checked by parseCommand against their table, whose range the help shows: run and bench take the same sampling flags alike", async () => {
  for (const spec of Object.values(SPECS)) {
    const help = renderHelp(spec).replace(/\s+/g, " ");
    for (const o of spec.options) {
      const r = o.number;
      if (!r) continue;
      const range = r.min !== undefined && r.max !== undefined ? ` between ${r.min} and ${r.max}` : r.min !== undefined ? ` ≥ ${r.min}` : "";
      const bad = [...(r.min !== undefined ? [String(r.min - 1)] : []), ...(r.max !== undefined ? [String(r.max + 1)] : []), ...(r.int ? [String((r.min ?? 0) + 0.5)] : []), "x"];
      for (const v of bad) assert.throws(() => parseCommand([`${o.flag}=${v}`], spec), { message: `${o.flag} must be ${r.int ? "an integer" : "a number"}${range}, not "${v}"` }, `${spec.name} ${o.flag} ${v}`);
      if (r.min !== undefined && r.max !== undefined) assert.ok(help.includes(`, ${r.min} to ${r.max}`), `${spec.name} --help shows the range of ${o.flag}`);
    }
  }
  // the rules that had drifted apart: --timeout 1.5 was a run's and not a benchmark's; -n 20000 with --resume
  for (const args of [["run", "--prompt", "x", "-n", "2", "--timeout", "1.5"], ["bench", "optimizer", "-n", "2", "--timeout", "1.5"]]) {
    const r = await hotmess(args);
    assert.equal(r.err, `hotmess: --timeout must be an integer between 1 and 3600, not "1.5" (see hotmess ${args[0]} --help)\n`);
  }
  const resume = await hotmess(["run", "--resume", join(dir, "nope.jsonl"), "-n", "20000"]);
  assert.equal(resume.err, 'hotmess: -n must be an integer between 1 and 10000, not "20000" (see hotmess run --help)\n');
});
