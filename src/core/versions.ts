// Two versions of a prompt side by side (issue "the everyday loop": the view of a comparison
// shows the two sets with the differing steps). Each version is read by its typical run — the
// run that keeps to its reference class's path most (else its largest class's: decidingSteps'
// representative), the path a reader of that version would call "what it does" — and the two
// runs' steps are aligned as any two runs are (align.ts, on content: the same computation or
// call in other words is the same step), so each row holds the step each version takes there and
// says whether they differ. Pure.
import { align } from "./align";
import { decidingSteps } from "./deciding";
import { FeatureSpace, type StepFeatures } from "./features";
import type { PromptAnalysis, Step } from "./types";

export interface SideBySideRow {
  /** The step each version's typical run takes here (null: it has none). */
  a: string | null;
  b: string | null;
  /** Both take a step here and they are equivalent (the same group of the alignment). */
  same: boolean;
}

export interface SideBySide {
  /** The runs shown (their indices) and the classes they are in (their labels' keys). */
  runA: number;
  runB: number;
  rows: SideBySideRow[];
  /** Rows that differ. */
  differing: number;
}

/** The typical run of a version: its reference class's representative, else its largest class's, else its first run. */
export function typicalRun(p: PromptAnalysis): number {
  const ds = decidingSteps(p, 16);
  const ref = ds.find((d) => p.answers[d.cls]?.reference);
  if (ref) return ref.representative;
  if (ds[0]) return ds[0].representative;
  return p.runs[0]?.index ?? 0;
}

function featuresOf(space: FeatureSpace, steps: readonly Step[]): StepFeatures[] {
  return steps.map((st) => (st.kind && st.kind !== "tool_call" ? space.stepFeatures(st.kind, st.text) : space.features(st.text)));
}

/** The typical runs of two versions, step by step (see the top of this file); null when one has no run. */
export function sideBySide(a: PromptAnalysis, b: PromptAnalysis): SideBySide | null {
  const ra = a.runs.find((r) => r.index === typicalRun(a));
  const rb = b.runs.find((r) => r.index === typicalRun(b));
  if (!ra || !rb) return null;
  const space = new FeatureSpace();
  const { columns } = align([featuresOf(space, ra.steps), featuresOf(space, rb.steps)]);
  const rows: SideBySideRow[] = columns.map((col) => {
    const ca = col.cells[0]!;
    const cb = col.cells[1]!;
    const sa = ca.step === null ? null : (ra.steps[ca.step]?.text ?? null);
    const sb = cb.step === null ? null : (rb.steps[cb.step]?.text ?? null);
    return { a: sa, b: sb, same: ca.group !== null && ca.group === cb.group };
  });
  return { runA: ra.index, runB: rb.index, rows, differing: rows.filter((r) => !r.same).length };
}
