// The optimizer-emulation benchmark's prompts: a problem (src/core/optimizer.ts) stated in full
// in plain text, asking for every iterate on its own line and the final one as the answer; and
// the reading of such a prompt back into its problem (what the simulated reasoner does).
import { DIFFICULTIES, formatVector, generateProblem, symmetricEigenvalues, trajectory, type OptimizerSpec } from "../core";

const fmt = (x: number) => String(x);
const vec = (x: number[]) => `[${x.map(fmt).join(", ")}]`;

/** The prompt for a problem. Plain ASCII, everything stated, a fixed output format. */
export function renderPrompt(spec: OptimizerSpec): string {
  const rule =
    spec.rule === "gd"
      ? `take K = ${spec.K} steps of gradient descent with learning rate eta = ${spec.eta}:\n  g_k = A (x_{k-1} - b)\n  x_k = x_{k-1} - eta * g_k`
      : `take K = ${spec.K} steps of fixed-norm steepest descent with step length s = ${spec.stepNorm}:\n  g_k = A (x_{k-1} - b)\n  x_k = x_{k-1} - s * g_k / ||g_k||   (||.|| is the Euclidean norm)`;
  const comps = Array.from({ length: spec.d }, (_, i) => `v${i + 1}`).join(", ");
  return [
    "Emulate an optimizer, step by step.",
    "",
    `Minimise f(x) = 1/2 (x - b)^T A (x - b) over x in R^${spec.d}, where`,
    `A = [${spec.A.map(vec).join(", ")}]`,
    `b = ${vec(spec.b)}`,
    "",
    `Start from x_0 = ${vec(spec.x0)} and ${rule}`,
    "",
    `Work in full precision. Write every iterate on its own line, rounded to ${spec.decimals} decimals, in the form`,
    `x_k = [${comps}]`,
    `for k = 1, ..., ${spec.K}. End with the final iterate x_${spec.K} on a line of its own:`,
    `Answer: [${comps}]`,
  ].join("\n");
}

/** The reference answer: the true final iterate as the prompt asks for it. */
export function referenceAnswer(spec: OptimizerSpec): string {
  return formatVector(trajectory(spec)[spec.K]!, spec.decimals);
}

function parseVector(s: string | undefined): number[] | null {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : null;
  } catch {
    return null;
  }
}

/**
 * Reads a benchmark prompt back into its problem, or null when the text is not one (the
 * simulated reasoner answers nothing else).
 */
export function parsePrompt(prompt: string): OptimizerSpec | null {
  const A = (() => {
    const m = /^A = (\[\[.*\]\])\s*$/m.exec(prompt);
    if (!m) return null;
    try {
      const v = JSON.parse(m[1]!) as unknown;
      return Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number")) ? (v as number[][]) : null;
    } catch {
      return null;
    }
  })();
  const b = parseVector(/^b = (\[[^\]]*\])\s*$/m.exec(prompt)?.[1]);
  const x0 = parseVector(/x_0 = (\[[^\]]*\])/.exec(prompt)?.[1]);
  const gd = /take K = (\d+) steps of gradient descent with learning rate eta = ([\d.eE+-]+):/.exec(prompt);
  const sd = /take K = (\d+) steps of fixed-norm steepest descent with step length s = ([\d.eE+-]+):/.exec(prompt);
  const decimals = Number(/rounded to (\d+) decimals/.exec(prompt)?.[1] ?? NaN);
  const d = b?.length ?? 0;
  if (!A || !b || !x0 || (!gd && !sd) || !Number.isInteger(decimals) || d === 0 || x0.length !== d || A.length !== d || A.some((r) => r.length !== d)) return null;
  const eig = symmetricEigenvalues(A);
  const conditionNumber = eig[0]! > 0 ? eig[d - 1]! / eig[0]! : Infinity;
  const spec: OptimizerSpec = { kind: "optimizer", d, kappa: Math.round(conditionNumber), conditionNumber, A, b, x0, rule: gd ? "gd" : "steepest", K: Number((gd ?? sd)![1]), decimals, seed: 0 };
  if (gd) spec.eta = Number(gd[2]);
  else spec.stepNorm = Number(sd![2]);
  if (!Number.isFinite(spec.eta ?? spec.stepNorm!) || !(spec.K >= 1 && spec.K <= 1000) || !Number.isFinite(conditionNumber)) return null;
  return spec;
}

export interface BenchmarkPrompt {
  id: string;
  difficulty: string;
  spec: OptimizerSpec;
  prompt: string;
  reference: string;
}

/** The benchmark's prompts at the named difficulties, seeded: the same seed gives the same prompts. */
export function benchmarkPrompts(difficulties: string[], seed: number): BenchmarkPrompt[] {
  return difficulties.map((name) => {
    const preset = DIFFICULTIES[name];
    if (!preset) throw new Error(`unknown difficulty "${name}": choose ${Object.keys(DIFFICULTIES).join(", ")}`);
    const spec = generateProblem({ ...preset, seed });
    return { id: `optimizer-${name}`, difficulty: name, spec, prompt: renderPrompt(spec), reference: referenceAnswer(spec) };
  });
}
