// 100 seeded word problems (src/sampling/naturallang.ts) of 4 to 12 reruns, for the prompt list
// at 100 prompts (the Chromium test and the e2e): every 17th without its reference (so without
// an accuracy or an incoherence), every 23rd rerun the same way each time (so without a fork).
import type { PromptRecord } from "../../src/core/types";
import { naturalLanguageSet } from "../../src/sampling/naturallang";

export function hundredPrompts(): PromptRecord[] {
  return naturalLanguageSet({ prompts: 100, runs: 12, seed: 11 }).map(({ record }, i) => {
    const n = 4 + ((i * 5) % 9);
    const samples = i % 23 === 7 ? Array.from({ length: n }, () => record.samples[0]!) : record.samples.slice(0, n);
    const r: PromptRecord = { ...record, id: `word-${String(i + 1).padStart(3, "0")}`, samples };
    if (i % 17 === 5) delete r.reference;
    return r;
  });
}
