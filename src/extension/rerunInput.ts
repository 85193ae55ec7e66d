// What Rerun Selection asks before a selection is rerun (issue "the everyday loop"): how many
// reruns and, optionally, the right answer, in one input — "8", "8 18", "10 Paris", "n=5
// reference=42". Without a reference the view has no incoherence, so it is asked for here, where
// a selection has no front matter to hold one. Pure: the extension shows the input.

/** The most reruns one input may ask for (the hotmess.n setting's own bound). */
export const MAX_RERUNS = 1000;

export type RerunInput = { n: number; reference?: string } | { error: string };

/**
 * Reads the input: a whole number of reruns first (1 to 1000), then anything else as the
 * reference answer ("ref", "reference", ":" or "=" before it are dropped). An empty input is the
 * proposed n.
 */
export function parseRerunInput(text: string, proposed: number): RerunInput {
  const t = text.trim();
  if (t === "") return { n: proposed };
  const m = /^(?:n\s*[:=]?\s*)?(\d+)(?:\s*[,;·]?\s+(.*))?$/is.exec(t) ?? /^(?:n\s*[:=]?\s*)?(\d+)()$/i.exec(t);
  if (!m) return { error: `start with the number of reruns: "8", or "8 18" to give the right answer too` };
  const n = Number(m[1]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RERUNS) return { error: `the number of reruns is a whole number from 1 to ${MAX_RERUNS}` };
  const rest = (m[2] ?? "").trim().replace(/^(?:ref(?:erence)?|answer)\s*[:=]?\s*/i, "").trim();
  return rest === "" ? { n } : { n, reference: rest };
}
