// What `hotmess check` hands to CI (issue 17, "Gate"): JUnit XML (one testsuite, one testcase per
// prompt, a <failure> with the figures and the fork, <skipped> for a prompt that cannot be
// checked), GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`) and the
// Markdown job summary. Pure: strings from verdicts (src/core/gate.ts). Model text (the deciding
// steps, answer classes) and prompt ids are untrusted: every output escapes them for its syntax.
import type { GateBy, PromptVerdict, Thresholds } from "../core/gate";

/** One checked prompt, with where it came from. */
export interface GateCase {
  verdict: PromptVerdict;
  /** The file it was read from (a run file or a trace set), as given. */
  file: string;
  /** Where an annotation points: the prompt file a run recorded in its header, else the run file; its 1-based line. */
  at: { file: string; line: number };
}

export interface GateReport {
  cases: GateCase[];
  by: GateBy;
  thresholds: Thresholds;
}

/** "max incoherence 0.5, min accuracy 0.8, min pass^3 0.5" */
export function thresholdWords(t: Thresholds): string {
  const out: string[] = [];
  if (t.maxIncoherence !== undefined) out.push(`max incoherence ${t.maxIncoherence}`);
  if (t.minAccuracy !== undefined) out.push(`min accuracy ${t.minAccuracy}`);
  for (const { k, min } of t.minPassHatK ?? []) out.push(`min pass^${k} ${min}`);
  return out.length ? out.join(", ") : "no thresholds (against the baseline only)";
}

export const BY_WORDS: Record<GateBy, string> = {
  interval: "by the 95% interval: a prompt fails when its whole interval is on the wrong side",
  strict: "strictly: a prompt fails unless its whole 95% interval is on the good side",
  point: "by the point estimate",
};

/** The failure in one line: the failed checks' words. */
export function failureMessage(v: PromptVerdict): string {
  const failed = v.checks.filter((c) => c.status === "fail").map((c) => c.text);
  if (failed.length === 0 && v.unchecked.length > 0) return `cannot be checked (${v.unchecked.join("; ")}) and --fail-unchecked is set`;
  return failed.join("; ");
}

/** Every line of a verdict's detail: each check, the fork, why the runs disagree. */
export function verdictDetail(v: PromptVerdict): string[] {
  const out = v.checks.map((c) => `${c.status === "fail" ? "✗" : c.status === "unchecked" ? "–" : c.inconclusive ? "?" : "✓"} ${c.text}`);
  if (v.status === "fail") {
    out.push(v.fork ? `the runs part at ${v.fork}` : "no fork: the analysis found no column where the runs' paths part");
    if (v.deciding.length > 0) out.push("why the runs disagree:", ...v.deciding.map((d) => `  ${d}`));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

/**
 * Text that XML 1.0 can hold: characters it forbids even escaped (control characters other than
 * tab, line feed and carriage return; lone surrogates; U+FFFE, U+FFFF) are written as `\uXXXX`,
 * so a reader sees what the model sent.
 */
export function xmlSafe(s: string): string {
  return s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/** Character data: & < > escaped (so `]]>` cannot close anything). */
export function xmlText(s: string): string {
  return xmlSafe(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An attribute value in double quotes: also " and ', and tab / line breaks kept as references (a parser would fold them to spaces). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

const attrs = (o: Record<string, string | number>) =>
  Object.entries(o)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join("");

/** The JUnit XML document: one testsuite "hotmess check", one testcase per prompt (name: its id; classname: its file). */
export function junitXml(r: GateReport): string {
  const failures = r.cases.filter((c) => c.verdict.status === "fail").length;
  const skipped = r.cases.filter((c) => c.verdict.status === "unchecked").length;
  const counts = { tests: r.cases.length, failures, errors: 0, skipped };
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: "hotmess check", ...counts })}>`, `  <testsuite${attrs({ name: "hotmess check", ...counts })}>`];
  lines.push("    <properties>", `      <property${attrs({ name: "by", value: r.by })}/>`, `      <property${attrs({ name: "thresholds", value: thresholdWords(r.thresholds) })}/>`, "    </properties>");
  for (const { verdict: v, file, at } of r.cases) {
    const head = `    <testcase${attrs({ name: v.id, classname: file, file: at.file, line: at.line })}`;
    const detail = xmlText([`n = ${v.n}`, ...verdictDetail(v)].join("\n"));
    if (v.status === "fail") {
      lines.push(`${head}>`, `      <failure${attrs({ message: `${failureMessage(v)}${v.fork ? `; the runs part at ${v.fork}` : ""}`, type: "threshold" })}>${detail}</failure>`, "    </testcase>");
    } else if (v.status === "unchecked") {
      lines.push(`${head}>`, `      <skipped${attrs({ message: `not checked: ${v.unchecked.join("; ")}` })}/>`, `      <system-out>${detail}</system-out>`, "    </testcase>");
    } else lines.push(`${head}>`, `      <system-out>${detail}</system-out>`, "    </testcase>");
  }
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

/** A workflow command's message (@actions/core escapeData): % \r \n. */
export function ghData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value (@actions/core escapeProperty): also : and ,. */
export function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::error file=F,line=L,title=T::message` for each failed prompt; `::warning …` for each that could not be checked. */
export function githubAnnotations(r: GateReport): string[] {
  const out: string[] = [];
  for (const { verdict: v, at } of r.cases) {
    if (v.status === "pass") continue;
    const kind = v.status === "fail" ? "error" : "warning";
    const title = v.status === "fail" ? `hotmess check: ${v.id} failed` : `hotmess check: ${v.id} not checked`;
    const message = v.status === "fail" ? [failureMessage(v), ...(v.fork ? [`the runs part at ${v.fork}`] : []), ...v.deciding].join("\n") : `not checked: ${v.unchecked.join("; ")}`;
    out.push(`::${kind} file=${ghProperty(at.file)},line=${at.line},title=${ghProperty(title)}::${ghData(message)}`);
  }
  return out;
}

/** A Markdown table cell: one line, | escaped, no HTML (GitHub renders some). */
export function mdCell(s: string): string {
  return s
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "\\`")
    .replace(/\*/g, "\\*")
    .replace(/_/g, "\\_")
    .replace(/\[/g, "\\[");
}

/** The job summary ($GITHUB_STEP_SUMMARY): the counts, then a row per prompt that failed or was not checked, then the passes. */
export function stepSummary(r: GateReport): string {
  const fail = r.cases.filter((c) => c.verdict.status === "fail");
  const skip = r.cases.filter((c) => c.verdict.status === "unchecked");
  const pass = r.cases.filter((c) => c.verdict.status === "pass");
  const lines = [
    `### hotmess check: ${fail.length ? `❌ ${fail.length} failed` : "✅ passed"}`,
    "",
    `${r.cases.length} prompt${r.cases.length === 1 ? "" : "s"}: ${fail.length} failed, ${pass.length} passed, ${skip.length} not checked. Thresholds: ${mdCell(thresholdWords(r.thresholds))}, ${BY_WORDS[r.by]}.`,
    "",
    "| | prompt | file | n | figures | fork |",
    "|---|---|---|---:|---|---|",
  ];
  const row = (c: GateCase, mark: string) => {
    const v = c.verdict;
    const figures = v.status === "unchecked" ? `not checked: ${v.unchecked.join("; ")}` : v.checks.map((x) => x.text).join("; ");
    lines.push(`| ${mark} | ${mdCell(v.id)} | ${mdCell(c.file)} | ${v.n} | ${mdCell(figures)} | ${mdCell(v.fork ?? "—")} |`);
  };
  for (const c of fail) row(c, "❌");
  for (const c of skip) row(c, "⚠️");
  for (const c of pass) row(c, c.verdict.checks.some((x) => x.inconclusive) ? "❔" : "✅");
  const why = fail.filter((c) => c.verdict.deciding.length > 0);
  if (why.length > 0) {
    lines.push("", "**Why the runs disagree** (failed prompts):", "");
    for (const c of why) {
      lines.push(`- ${mdCell(c.verdict.id)}:`);
      for (const d of c.verdict.deciding) lines.push(`  - ${mdCell(d)}`);
    }
  }
  return lines.join("\n") + "\n";
}
