// `hotmess compare A B`: two run files or trace sets (or two folders of them), each analysed as
// `hotmess analyze` does (main.ts analyzeFile), then compared by src/core/compare.ts: per prompt
// A, B and B − A of accuracy and of the headline incoherence with 95% intervals, pooled, and the
// prompts that matched nothing. The table on stdout; --json the hotmess.comparison/1 document,
// --md a short Markdown summary, both written atomically. Exit 0 whatever the differences
// (gating is `hotmess check`); 2 when input lines were skipped or a run is unfinished.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RESAMPLES, type Analysis, type Interval } from "../core";
import { compareAnalyses, type Comparison, type Delta } from "../core/compare";
import { writeFileAtomic } from "../report/write";
import { FatalError, num, UsageError, type Io, type Parsed } from "./common";
import { planOutputs, redactorOf } from "./io";
import { analyzeWithState } from "./main";
import { fmt, layout, NO_STYLE, safe, styleFor, type Style } from "./table";

/** The files of one side: the file itself, or every .jsonl directly in a folder (sorted). */
export function sideFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === "ENOENT" ? `${path}: no such file` : `cannot read ${path}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
  if (files.length === 0) throw new FatalError(`${path}: no .jsonl file in the folder`);
  return files;
}

/** One side's analysis: its files analysed one by one (as `hotmess analyze` does), their prompts in order. */
export async function analyzeSide(path: string, label: string, seed: number | undefined, resamples: number, io: Io): Promise<{ analysis: Analysis; problems: number }> {
  const files = sideFiles(path);
  let problems = 0;
  const parts: Analysis[] = [];
  for (const file of files) {
    const { analysis: a, unfinished } = await analyzeWithState(file, { referenceFree: false, ...(seed !== undefined ? { seed } : {}), resamples }, io);
    if (a.skipped.length > 0) {
      problems++;
      io.stderr.write(`hotmess: ${label}: ${file}: ${a.skipped.length} line${a.skipped.length === 1 ? "" : "s"} skipped (hotmess analyze ${file} lists them)\n`);
    }
    if (unfinished) {
      problems++;
      io.stderr.write(`hotmess: ${label}: ${unfinished}\n`);
    }
    parts.push(a);
  }
  // compare pools the matched prompts itself: one side is its files' prompts, in order
  const merged: Analysis = { ...parts[0]!, prompts: parts.flatMap((x) => x.prompts), skipped: parts.flatMap((x) => x.skipped) };
  return { analysis: redactorOf(io).shared(merged), problems };
}

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(100 * x)}%`);
const signed = (x: number | null, digits: number) => (x === null ? "—" : `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x).toFixed(digits)}`);
const ci = (c: Interval | null, digits: number) => (c ? ` [${c.map((x) => signed(x, digits)).join(", ")}]` : "");
const excludes = (c: Interval | null) => c !== null && (c[0] > 0 || c[1] < 0);

/** "+0.40 [+0.08, +0.66]", the interval dropped when there is none; marked when it excludes 0. */
function deltaCell(x: number | null, c: Interval | null, digits: number, st: Style): string {
  const text = `${signed(x, digits)}${ci(c, digits)}`;
  if (!excludes(c)) return x === null && !c ? st.dim("—") : text;
  return (c![0] > 0 ? st.green : st.red)(text);
}

const mark = (d: Delta, st: Style) => (d.significant ? st.bold("*") : "");

function truncate(s: string, width: number): string {
  const t = safe(s);
  return t.length <= width ? t : t.slice(0, width - 1) + "…";
}

/** The table: per prompt A, B, B − A [CI] and the significance mark; the pooled row; then unmatched prompts and notes. */
export function renderComparison(c: Comparison, st: Style = NO_STYLE): string[] {
  const header = ["prompt", "n A/B", "acc A", "acc B", "Δ accuracy [95% CI]", "inc A", "inc B", "Δ incoherence [95% CI]", "sig"];
  const rows = c.prompts.map((p) => [
    truncate(p.bId ? `${p.id} ~ ${p.bId}` : p.id, 28),
    `${p.a.n}/${p.b.n}`,
    p.a.target === "none" ? "—" : pct((p.a.answers.find((x) => x.reference)?.count ?? 0) / p.a.n),
    p.b.target === "none" ? "—" : pct((p.b.answers.find((x) => x.reference)?.count ?? 0) / p.b.n),
    deltaCell(p.delta.accuracy, p.delta.accuracyCi95, 2, st),
    fmt(p.a.brier?.estimate ?? null),
    fmt(p.b.brier?.estimate ?? null),
    deltaCell(p.delta.estimate, p.delta.estimateCi95, 3, st),
    mark(p.delta, st),
  ]);
  const pd = c.pooled.delta;
  rows.push([
    st.bold(`pooled (${c.pooled.prompts} prompt${c.pooled.prompts === 1 ? "" : "s"})`),
    "",
    pct(c.pooled.a.accuracy),
    pct(c.pooled.b.accuracy),
    deltaCell(pd.accuracy, pd.accuracyCi95, 2, st),
    fmt(c.pooled.a.estimate),
    fmt(c.pooled.b.estimate),
    deltaCell(pd.estimate, pd.estimateCi95, 3, st),
    mark(pd, st),
  ]);
  const out = layout(header, rows, new Set([1, 2, 3, 5, 6]), st);
  const flagged = c.prompts.filter((p) => p.delta.significant).length;
  out.push(
    "",
    `B − A; * significant: a 95% interval excludes 0 (${flagged} of ${c.prompts.length} prompt${c.prompts.length === 1 ? "" : "s"}${pd.significant ? ", and pooled" : ""}). ` +
      "accuracy: the reference class's share; incoherence: the headline estimate.",
  );
  for (const p of c.prompts) {
    if (p.matchedBy === "prompt") out.push(st.dim(`${safe(p.id)} (A) and ${safe(p.bId ?? p.id)} (B): matched by prompt text`));
    for (const n of p.notes) out.push(st.dim(`${safe(p.id)}: ${n}`));
  }
  if (c.unmatched.length > 0) {
    out.push("", st.yellow(`unmatched (${c.unmatched.length}): no prompt with the same id or prompt text on the other side, left out of the comparison:`));
    for (const u of c.unmatched) out.push(`  only in ${u.side.toUpperCase()}: ${truncate(u.id, 40)}${u.prompt !== undefined ? st.dim(` "${truncate(u.prompt, 50)}"`) : ""}`);
  }
  return out;
}

/** The Markdown summary: one table, the pooled line, the unmatched prompts. */
export function comparisonMarkdown(c: Comparison, a: string, b: string): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
  const d = (x: number | null, c2: Interval | null, digits: number) => `${signed(x, digits)}${ci(c2, digits)}`;
  const lines = [
    `## hotmess compare: \`${cell(b)}\` − \`${cell(a)}\``,
    "",
    "| prompt | n A/B | accuracy A → B | Δ accuracy [95% CI] | incoherence A → B | Δ incoherence [95% CI] | significant |",
    "|---|---:|---|---|---|---|:-:|",
  ];
  for (const p of c.prompts) {
    const accA = p.a.target === "none" ? "—" : pct((p.a.answers.find((x) => x.reference)?.count ?? 0) / p.a.n);
    const accB = p.b.target === "none" ? "—" : pct((p.b.answers.find((x) => x.reference)?.count ?? 0) / p.b.n);
    lines.push(
      `| ${cell(p.bId ? `${p.id} ~ ${p.bId}` : p.id)} | ${p.a.n}/${p.b.n} | ${accA} → ${accB} | ${d(p.delta.accuracy, p.delta.accuracyCi95, 2)} | ${fmt(p.a.brier?.estimate ?? null)} → ${fmt(p.b.brier?.estimate ?? null)} | ${d(p.delta.estimate, p.delta.estimateCi95, 3)} | ${p.delta.significant ? "**yes**" : ""} |`,
    );
  }
  const pd = c.pooled.delta;
  lines.push(
    `| **pooled** (${c.pooled.prompts}) | | ${pct(c.pooled.a.accuracy)} → ${pct(c.pooled.b.accuracy)} | ${d(pd.accuracy, pd.accuracyCi95, 2)} | ${fmt(c.pooled.a.estimate)} → ${fmt(c.pooled.b.estimate)} | ${d(pd.estimate, pd.estimateCi95, 3)} | ${pd.significant ? "**yes**" : ""} |`,
    "",
    "B − A with 95% intervals; significant when an interval excludes 0.",
  );
  if (c.unmatched.length > 0) {
    lines.push("", `Unmatched (left out): ${c.unmatched.map((u) => `\`${cell(u.id)}\` (only in ${u.side.toUpperCase()})`).join(", ")}.`);
  }
  return lines.join("\n") + "\n";
}

function write(file: string, text: string, what: string, io: Io): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new FatalError(`cannot write ${file}: ${(e as Error).message}`);
  }
  io.stderr.write(`hotmess: wrote ${file} (${what})\n`);
}

export async function compareCommand(p: Parsed, io: Io): Promise<number> {
  if (p.positional.length !== 2) throw new UsageError("compare needs two inputs: hotmess compare A B");
  const [a, b] = p.positional as [string, string];
  const json = p.flags.get("--json") as string | undefined;
  const md = p.flags.get("--md") as string | undefined;
  if (md === "-") throw new UsageError("--md needs a file (use --json - for standard output)");
  planOutputs(
    [
      { flag: "--json", path: json, stdout: true },
      { flag: "--md", path: md },
    ],
    {
      inputs: [
        { path: a, what: "input A" },
        { path: b, what: "input B" },
      ],
    },
  );
  const seed = num(p.flags, "--seed") ?? 1;
  const draws = num(p.flags, "--draws") ?? 1000;
  const sideA = await analyzeSide(a, "A", undefined, DEFAULT_RESAMPLES, io);
  const sideB = await analyzeSide(b, "B", undefined, DEFAULT_RESAMPLES, io);
  const c = compareAnalyses(sideA.analysis, sideB.analysis, { seed, draws });
  if (json === "-") io.stdout.write(JSON.stringify(c) + "\n");
  else for (const line of renderComparison(c, styleFor(io))) io.stdout.write(line + "\n");
  if (json !== undefined && json !== "-") write(json, JSON.stringify(c) + "\n", `${c.prompts.length} prompts, hotmess.comparison/1`, io);
  if (md !== undefined) write(md, comparisonMarkdown(c, a, b), "Markdown summary", io);
  if (c.unmatched.length > 0) {
    const names = c.unmatched.slice(0, 5).map((u) => `${safe(u.id)} (${u.side.toUpperCase()})`);
    io.stderr.write(`hotmess: ${c.unmatched.length} prompt${c.unmatched.length === 1 ? "" : "s"} unmatched, left out: ${names.join(", ")}${c.unmatched.length > 5 ? ", …" : ""}\n`);
  }
  if (c.prompts.length === 0) io.stderr.write("hotmess: no prompt of A matched one of B (by id or prompt text): nothing compared\n");
  return sideA.problems + sideB.problems > 0 ? 2 : 0;
}
