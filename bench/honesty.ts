// Known truths for checking the headline estimate and its interval (src/core/interval.ts):
// answer distributions whose Brier incoherence is known exactly, seeded draws of n reruns from
// them, and the real fixture's puzzles as class labels to subsample. Shared by
// bench/interval.bench.ts (the figures) and test/interval.test.ts (the pinned coverage).
import { readFileSync } from "node:fs";
import { classify } from "../src/core/answers";
import { mulberry32, type Rng } from "../src/core/bootstrap";
import type { Tally } from "../src/core/interval";
import type { Sample } from "../src/core/types";

/**
 * A prompt's true answer distribution: the success rate a, wrong answers with the given
 * probabilities, and the rest of the error (1 − a − Σ wrong) scattered: every such rerun gives
 * an answer no other rerun gives (an open-ended tail).
 */
export interface Scenario {
  name: string;
  a: number;
  wrong: number[];
}

/** The hard cases of the issue, and a few ordinary ones. */
export const SCENARIOS: Scenario[] = [
  { name: "paperclip: never right, always the same wrong answer", a: 0, wrong: [1] },
  { name: "paperclip with 30% right", a: 0.3, wrong: [0.7] },
  { name: "one run in ten differs (90/10 wrong)", a: 0, wrong: [0.9, 0.1] },
  { name: "one run in twenty differs (scattered)", a: 0, wrong: [0.95] },
  { name: "never right, every answer different", a: 0, wrong: [] },
  { name: "never right, five equal wrong answers", a: 0, wrong: [0.2, 0.2, 0.2, 0.2, 0.2] },
  { name: "never right, 50/30/20 wrong", a: 0, wrong: [0.5, 0.3, 0.2] },
  { name: "p_ref 0.02, three wrong + tail", a: 0.02, wrong: [0.3, 0.1, 0.1] },
  { name: "p_ref 0.05, one wrong answer", a: 0.05, wrong: [0.95] },
  { name: "p_ref 0.1, no-answer 0.2 + tail", a: 0.1, wrong: [0.2] },
  { name: "p_ref 0.5, 30/20 wrong", a: 0.5, wrong: [0.3, 0.2] },
  { name: "p_ref 0.5, scattered", a: 0.5, wrong: [] },
  { name: "p_ref 0.8, one wrong answer", a: 0.8, wrong: [0.2] },
  { name: "p_ref 0.9, scattered", a: 0.9, wrong: [] },
  { name: "p_ref 0.95, one wrong answer", a: 0.95, wrong: [0.05] },
  { name: "p_ref 0.99, scattered", a: 0.99, wrong: [] },
];

/** The true Brier incoherence 1 − (w² + Σ π_c²)/(2w) (null when the prompt never errs). */
export function trueIncoherence(s: Scenario): number | null {
  const w = 1 - s.a;
  if (w <= 1e-12) return null;
  const sq = s.wrong.reduce((t, p) => t + p * p, 0);
  return 1 - (w * w + sq) / (2 * w);
}

/** The tally of n seeded reruns of a scenario. */
export function drawTally(s: Scenario, n: number, rng: Rng): Tally {
  let correct = 0;
  let scattered = 0;
  const counts = new Array<number>(s.wrong.length).fill(0);
  for (let i = 0; i < n; i++) {
    let u = rng();
    if (u < s.a) {
      correct++;
      continue;
    }
    u -= s.a;
    let j = 0;
    for (; j < s.wrong.length; j++) {
      if (u < s.wrong[j]!) break;
      u -= s.wrong[j]!;
    }
    if (j < s.wrong.length) counts[j]!++;
    else scattered++;
  }
  return { n, correct, wrong: [...counts.filter((k) => k > 0), ...new Array<number>(scattered).fill(1)] };
}

/** A puzzle of the fixture as class labels: each rerun's answer class, and the reference class. */
export interface LabelledPrompt {
  id: string;
  classOf: number[];
  ref: number;
}

/** The Game-of-24 fixture's puzzles as class labels (the classes the analysis makes). */
export function loadLabelled(file: string): LabelledPrompt[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const r = JSON.parse(l) as { id: string; reference?: string; samples: Sample[] };
      const cls = classify(r.samples, r.reference, false);
      return { id: r.id, classOf: [...cls.classOf], ref: cls.refIndex };
    });
}

/** The tally of some reruns given by their class labels. */
export function tallyOfLabels(labels: readonly number[], ref: number): Tally {
  const counts = new Map<number, number>();
  let correct = 0;
  for (const k of labels) {
    if (k === ref) correct++;
    else counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return { n: labels.length, correct, wrong: [...counts.values()] };
}

/** n of the labels drawn without replacement. */
export function subsample(labels: readonly number[], n: number, rng: Rng): number[] {
  const a = labels.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

export { mulberry32 };
