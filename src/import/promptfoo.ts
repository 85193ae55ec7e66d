// promptfoo result files, as `promptfoo eval --repeat N -o out.json` writes them. Follows
// promptfoo's own types (promptfoo/promptfoo: src/types/index.ts — the output file {evalId,
// results: EvaluateSummary {version, timestamp, prompts, results, stats}, config, shareableUrl};
// EvaluateResult {promptIdx, testIdx, testCase, promptId, provider {id, label}, prompt {raw,
// label}, vars, response {output}, error, failureReason, success, score, gradingResult
// {pass, score, reason, componentResults [{pass, score, assertion {type, metric}}]},
// namedScores}) and its evaluator, where --repeat runs every (test, vars, prompt, provider)
// N times, each repeat a result with its own testIdx.
//
// Mapping:
// - Results are grouped by (prompt.raw, vars, provider id and label) into prompts: each repeat
//   is a sample. The prompt's id is the test's description (or "test-<k>", k counting tests in
//   order of first appearance), followed by "@<provider label, else id>" when the file has several providers
//   and "#p<k>" when it has several prompt templates (promptId, else the prompt's label; k in
//   order of first appearance — promptIdx is not used, as it numbers provider × prompt columns).
// - text = response.output (JSON for an object), correct = success, reward = score when it lies
//   in [0, 1]; outcomes from gradingResult.componentResults, each named by its assertion's
//   metric, else its type (a repeated name gets #2, #3…), 1 when it passed.
// - A result that failed with an error and has no output (failureReason 2, a provider error)
//   is not a rerun of the model: it is said and skipped. A result that is not an object, or lacks
//   prompt or provider, is named file#results.results[i] and skipped.
import type { PromptRecord, Sample } from "../core/types";
import type { ImportProblem, Importer, InputFile } from "./types";
import { canonicalJson, headOf, isObject, str, summarize, textOf } from "./records";

const LABEL = "promptfoo";

function detectOne(f: InputFile): boolean {
  const head = headOf(f.bytes, 2048);
  return /^\s*\{\s*"evalId"\s*:/.test(head) || /^\s*\{\s*"results"\s*:\s*\{\s*"version"\s*:\s*\d+\s*,\s*"timestamp"\s*:/.test(head);
}

interface Group {
  record: PromptRecord;
  test: string;
  provider: string;
  /** The prompt template (promptId, else its label): several give ids a #p<k>. */
  template: string;
}

function outputText(x: unknown): string | undefined {
  if (x === undefined || x === null) return undefined;
  return typeof x === "string" ? x : JSON.stringify(x);
}

function outcomesOf(grading: unknown): Record<string, number> | undefined {
  if (!isObject(grading) || !Array.isArray(grading.componentResults) || grading.componentResults.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const c of grading.componentResults) {
    if (!isObject(c) || typeof c.pass !== "boolean") continue;
    const a = isObject(c.assertion) ? c.assertion : {};
    const base = str(a.metric) ?? str(a.type) ?? "assertion";
    let name = base;
    for (let k = 2; name in out; k++) name = `${base}#${k}`;
    out[name] = c.pass ? 1 : 0;
  }
  return Object.keys(out).length ? out : undefined;
}

export const promptfooImporter: Importer = {
  name: "promptfoo",
  label: "promptfoo results",
  detect(files) {
    return files.length > 0 && files.some(detectOne);
  },
  read(files) {
    const problems: ImportProblem[] = [];
    const groups: Group[] = [];
    const byKey = new Map<string, Group>();
    const testNames = new Map<string, string>();
    for (const f of files) {
      let doc: unknown;
      try {
        doc = JSON.parse(textOf(f.bytes));
      } catch (e) {
        problems.push({ where: f.path, message: `not JSON (${(e as Error).message}); file skipped` });
        continue;
      }
      const summary = isObject(doc) ? doc.results : undefined;
      const results = isObject(summary) ? summary.results : undefined;
      if (!Array.isArray(results)) {
        problems.push({ where: f.path, message: 'no "results.results" array; file skipped' });
        continue;
      }
      results.forEach((r, i) => {
        const where = `${f.path}#results.results[${i}]`;
        if (!isObject(r) || !isObject(r.prompt) || typeof r.prompt.raw !== "string" || !isObject(r.provider) || typeof r.provider.id !== "string") {
          problems.push({ where, message: "a result without prompt.raw or provider.id; skipped" });
          return;
        }
        const response = isObject(r.response) ? r.response : undefined;
        const text = outputText(response?.output);
        if (text === undefined && (r.failureReason === 2 || typeof r.error === "string")) {
          problems.push({ where, message: `a provider error, not a rerun (${str(r.error) ?? str(response?.error) ?? "no output"}); skipped` });
          return;
        }
        const vars = isObject(r.vars) ? r.vars : {};
        const provider = str(r.provider.label) ?? r.provider.id;
        const key = canonicalJson([r.prompt.raw, vars, r.provider.id, r.provider.label ?? null]);
        let g = byKey.get(key);
        if (!g) {
          const testKey = canonicalJson(vars);
          let test = testNames.get(testKey);
          if (test === undefined) {
            const desc = isObject(r.testCase) ? str(r.testCase.description) : undefined;
            test = desc ?? `test-${testNames.size + 1}`;
            testNames.set(testKey, test);
          }
          const template = str(r.promptId) ?? str(r.prompt.label) ?? "";
          const record: PromptRecord = { id: "", prompt: r.prompt.raw, model: r.provider.id, samples: [] };
          g = { record, test, provider, template };
          byKey.set(key, g);
          groups.push(g);
        }
        const sample: Sample = {};
        if (text !== undefined) sample.text = text;
        if (typeof r.success === "boolean") sample.correct = r.success;
        if (typeof r.score === "number" && r.score >= 0 && r.score <= 1) sample.reward = r.score;
        const outcomes = outcomesOf(r.gradingResult);
        if (outcomes) sample.outcomes = outcomes;
        g.record.samples.push(sample);
      });
    }

    const providers = new Set(groups.map((g) => g.provider));
    const templates = [...new Set(groups.map((g) => g.template))];
    const taken = new Set<string>();
    for (const g of groups) {
      let id = g.test;
      if (providers.size > 1) id += `@${g.provider}`;
      if (templates.length > 1) id += `#p${templates.indexOf(g.template) + 1}`;
      let unique = id;
      for (let k = 2; taken.has(unique); k++) unique = `${id}-${k}`;
      taken.add(unique);
      g.record.id = unique;
    }
    const prompts = groups.map((g) => g.record);
    return { format: "promptfoo", prompts, problems, summary: summarize(prompts, "prompt", LABEL, problems) };
  },
};
