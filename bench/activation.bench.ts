// Activation benchmark: what VS Code does to activate the extension, outside VS Code. The
// activation bundle is built as `npm run package` builds it (esbuild, minified, the SDKs and the
// language client left to dist/heavy.js), then each of RUNS fresh Node processes
//   1. require()s it ("load code": read, compile and run the module; VS Code's first column), and
//   2. calls activate() with a stand-in `vscode` module and context (every API call is a no-op
//      that returns another stand-in), timing it until it returns.
// Target: load + activate under 100 ms (p95). VS Code's own figures in a real code-server (the
// Developer: Startup Performance table) are printed by test/e2e/providers.e2e.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";

const RUNS = 30;
const TARGET_MS = 100;
const ROOT = resolve(__dirname, "..");

// Every top-level name of the VS Code API, from its type declarations: esbuild's ESM interop
// copies the module's own keys, so the stand-in must have them.
function vscodeApiNames(): string[] {
  const dts = readFileSync(join(ROOT, "node_modules", "@types", "vscode", "index.d.ts"), "utf8");
  const names = new Set<string>();
  for (const m of dts.matchAll(/^\t(?:export )?(?:namespace|class|enum|const|function|let) ([A-Za-z_]\w*)/gm)) names.add(m[1]!);
  return [...names];
}

const PROBE = String.raw`
const Module = require("module");
const names = JSON.parse(process.argv[3]);
const props = new WeakMap(); // a stand-in's own properties (a function's name and length are read-only)
const handler = {
  get(t, p) {
    if (p === "then") return undefined; // not a promise
    if (p === Symbol.toPrimitive) return () => 0;
    if (p === Symbol.iterator) return function* () {};
    const own = props.get(t);
    if (!own.has(p)) own.set(p, stub());
    return own.get(p);
  },
  set(t, p, v) { props.get(t).set(p, v); return true; },
  apply() { return stub(); },
  construct() { return stub(); },
};
function stub() { const f = function () {}; props.set(f, new Map()); return new Proxy(f, handler); }
const vscode = {};
for (const n of names) vscode[n] = stub();
const load = Module._load;
Module._load = function (request) { return request === "vscode" ? vscode : load.apply(this, arguments); };
const ctxTarget = function () {};
props.set(ctxTarget, new Map([["subscriptions", []]]));
const context = new Proxy(ctxTarget, handler);
const t0 = process.hrtime.bigint();
const ext = require(process.argv[2]);
const t1 = process.hrtime.bigint();
ext.activate(context);
const t2 = process.hrtime.bigint();
console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, activate: Number(t2 - t1) / 1e6, disposables: context.subscriptions.length }));
`;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "hm-bench-activation-"));
  try {
    const bundle = join(dir, "extension.js");
    buildSync({ entryPoints: [join(ROOT, "src", "extension", "extension.ts")], outfile: bundle, bundle: true, platform: "node", format: "cjs", target: "node20", external: ["vscode", "./heavy"], minify: true, logLevel: "error" });
    const probe = join(dir, "probe.cjs");
    writeFileSync(probe, PROBE);
    const names = JSON.stringify(vscodeApiNames());
    const rows: { load: number; activate: number; disposables: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [probe, bundle, names], { encoding: "utf8" });
      if (r.status !== 0) {
        console.error(`activation failed in the probe:\n${r.stderr}`);
        process.exit(1);
      }
      rows.push(JSON.parse(r.stdout.trim().split("\n").pop()!));
    }
    const load = rows.map((r) => r.load);
    const act = rows.map((r) => r.activate);
    const total = rows.map((r) => r.load + r.activate);
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`\nActivation (the minified activation bundle, ${(statSync(bundle).size / 1024).toFixed(0)} KB; ${RUNS} fresh Node processes; ${rows[0]!.disposables} disposables registered)\n`);
    const lines = [
      ["", "median", "p95", "max"],
      ["load code (require)", f(quantile(load, 0.5)), f(quantile(load, 0.95)), f(Math.max(...load))],
      ["activate()", f(quantile(act, 0.5)), f(quantile(act, 0.95)), f(Math.max(...act))],
      ["total", f(quantile(total, 0.5)), f(quantile(total, 0.95)), f(Math.max(...total))],
    ];
    const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
    for (const [i, l] of lines.entries()) {
      console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
      if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    }
    const p95 = quantile(total, 0.95);
    console.log(p95 < TARGET_MS ? `\nactivation target met: p95 ${f(p95)} < ${TARGET_MS} ms` : `\nactivation target MISSED: p95 ${f(p95)} ≥ ${TARGET_MS} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
