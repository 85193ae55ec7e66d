// Semantic answer classes (issue "why do the reruns disagree"): open-ended answers — a paragraph,
// a classification with its reasons — clustered by meaning with a pairwise-equivalence judge
// (an LLM, or the offline simulated judge), one representative per class. Pure: the judge is
// passed in, and every verdict goes through a cache the caller keeps (the run file), so a view
// opened again asks nothing.
//
// The rule (greedy, deterministic, at most distinct × classes verdicts):
// - the answers are first reduced to their distinct texts after METRICS.md §2's normalisation
//   of strings (two texts that normalise alike are the same answer; no verdict is asked);
// - the distinct texts are taken most frequent first (ties: first seen);
// - each is compared with the representative of each class made so far, largest class first;
//   the first "same" joins it; no "same" makes it a new class, with itself as representative.
// So a class's representative is its most frequent text, and a text never moves once placed.
// A manual choice (`overrides`: a text's class forced to another text's, or to a class of its
// own) wins over the judge, and no verdict is asked for it.

/** The verdict cache: `sameKey(a, b)` → whether the judge said a and b mean the same. */
export type VerdictCache = Map<string, boolean>;

/** The cache key of a pair (order-free: the judge is asked one way, its verdict holds both ways). */
export function sameKey(a: string, b: string): string {
  return a < b ? JSON.stringify([a, b]) : JSON.stringify([b, a]);
}

/** A string answer as METRICS.md §2 keys it, for the first reduction: NFKC, trimmed, lower-case, whitespace removed, one trailing "." dropped. */
export function textKey(s: string): string {
  return s.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, "").replace(/\.$/, "");
}

export interface SemanticClasses {
  /** Per input answer (same order): its class's representative text, null for no answer. */
  classOf: (string | null)[];
  /** The classes, largest first: representative and the distinct texts in it. */
  classes: { representative: string; members: string[]; count: number }[];
  /** Verdicts asked of the judge this time (not from the cache). */
  asked: number;
  /** Verdicts read from the cache. */
  cached: number;
}

/**
 * Clusters `answers` by meaning from the verdicts in `cache` alone: the classes when every
 * verdict the rule needs is there, else the first pair it needs (`need`). Synchronous, so an
 * analysis can apply a run file's recorded verdicts; `semanticClasses` asks the judge for what
 * is missing. `overrides` maps a distinct text (as given) to the text whose class it must join,
 * or to itself for a class of its own. `fallback` answers a pair the cache lacks (manual choices
 * made before any judge ran: the comparison's own classes); with it there is never a `need`.
 */
export function clusterFromCache(
  answers: readonly (string | null)[],
  cache: VerdictCache,
  overrides: ReadonlyMap<string, string> = new Map(),
  fallback?: (a: string, b: string) => boolean,
): { result: Omit<SemanticClasses, "asked" | "cached"> } | { need: [string, string] } {
  // distinct texts by §2 key, each with its first spelling and its count
  const byKey = new Map<string, { text: string; count: number; first: number }>();
  answers.forEach((a, i) => {
    if (a === null || textKey(a) === "") return;
    const k = textKey(a);
    const e = byKey.get(k);
    if (e) e.count++;
    else byKey.set(k, { text: a.trim(), count: 1, first: i });
  });
  const distinct = [...byKey.values()].sort((x, y) => y.count - x.count || x.first - y.first);
  const classes: { representative: string; members: string[]; count: number }[] = [];
  const placed = new Map<string, number>(); // text → class index
  // the texts with a manual choice go last, once the texts they join are placed
  const forced = (text: string): string | undefined => overrides.get(text);
  const order = [...distinct.filter((d) => forced(d.text) === undefined), ...distinct.filter((d) => forced(d.text) !== undefined)];
  for (const d of order) {
    const target = forced(d.text);
    let at = -1;
    if (target !== undefined && target !== d.text) {
      const k = byKey.get(textKey(target));
      at = k ? (placed.get(k.text) ?? -1) : -1;
    } else if (target === undefined) {
      const byCount = classes.map((_c, i) => i).sort((x, y) => classes[y]!.count - classes[x]!.count || x - y);
      for (const i of byCount) {
        let v = cache.get(sameKey(d.text, classes[i]!.representative));
        if (v === undefined && fallback) v = fallback(d.text, classes[i]!.representative);
        if (v === undefined) return { need: [d.text, classes[i]!.representative] };
        if (v) {
          at = i;
          break;
        }
      }
    }
    if (at < 0) {
      classes.push({ representative: d.text, members: [d.text], count: d.count });
      at = classes.length - 1;
    } else {
      classes[at]!.members.push(d.text);
      classes[at]!.count += d.count;
    }
    placed.set(d.text, at);
  }
  const repOf = (a: string | null): string | null => {
    if (a === null || textKey(a) === "") return null;
    return classes[placed.get(byKey.get(textKey(a))!.text)!]!.representative;
  };
  return { result: { classOf: answers.map(repOf), classes: [...classes].sort((x, y) => y.count - x.count) } };
}

/**
 * Clusters `answers` by meaning, asking `same(a, b)` (the judge) for each verdict the rule needs
 * that `cache` lacks, and adding it there.
 */
export async function semanticClasses(
  answers: readonly (string | null)[],
  same: (a: string, b: string) => Promise<boolean>,
  cache: VerdictCache = new Map(),
  overrides: ReadonlyMap<string, string> = new Map(),
): Promise<SemanticClasses> {
  const before = new Set(cache.keys());
  let asked = 0;
  for (;;) {
    const step = clusterFromCache(answers, cache, overrides);
    if ("result" in step) {
      // the verdicts the rule used that were there before: walk it again, counting cache reads
      return { ...step.result, asked, cached: usedVerdicts(answers, cache, overrides).filter((k) => before.has(k)).length };
    }
    const [a, b] = step.need;
    cache.set(sameKey(a, b), await same(a, b));
    asked++;
  }
}

/** The cache keys of the verdicts the rule reads for `answers` (all present). */
function usedVerdicts(answers: readonly (string | null)[], cache: VerdictCache, overrides: ReadonlyMap<string, string>): string[] {
  const used: string[] = [];
  const spy: VerdictCache = new Map();
  for (;;) {
    const step = clusterFromCache(answers, spy, overrides);
    if ("result" in step) return used;
    const k = sameKey(step.need[0], step.need[1]);
    used.push(k);
    spy.set(k, cache.get(k)!);
  }
}

/**
 * The most verdicts clustering can ask (every distinct text against every class before it, all
 * different: k(k−1)/2 for k distinct texts), for the cost shown before a judge runs; pairs in the
 * cache are not counted.
 */
export function maxVerdicts(answers: readonly (string | null)[], cache: VerdictCache = new Map()): number {
  const seen = new Map<string, string>();
  for (const a of answers) if (a !== null && textKey(a) !== "" && !seen.has(textKey(a))) seen.set(textKey(a), a.trim());
  const texts = [...seen.values()];
  let n = 0;
  for (let i = 0; i < texts.length; i++) for (let j = 0; j < i; j++) if (!cache.has(sameKey(texts[i]!, texts[j]!))) n++;
  return n;
}
