// Word-level diff of a step against its column's consensus step: the longest common subsequence
// over tokens (words, numbers, single punctuation marks; whitespace is kept for display but not
// compared), case-insensitive. Bounded: the common head and tail are trimmed first, and the
// quadratic table over what is left has at most MAX_CELLS cells; past that the middle is marked
// changed as a whole. Pure: no DOM, so the tests can import it.

export interface Segment {
  text: string;
  /** The text is not in the consensus step (at this place). */
  changed: boolean;
}

export interface WordDiff {
  segments: Segment[];
  /** Tokens (words, numbers, punctuation) of the text that are also in the consensus, in order. */
  common: number;
  /** Tokens of the text. */
  tokens: number;
  /** The table would have been too large: the middle was marked changed without a diff. */
  capped: boolean;
}

/** Largest LCS table (text tokens × consensus tokens) computed for one cell. */
export const MAX_CELLS = 60_000;

// A word (letters with inner apostrophes), a number (digits with inner . or ,), a run of
// whitespace, or any other single character.
const TOKEN = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*|\p{N}+(?:[.,]\p{N}+)*|\s+|[^\s\p{L}\p{M}\p{N}]/gu;
const SPACE = /^\s/;

interface Tok {
  text: string;
  key: string;
  space: boolean;
}

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    const space = SPACE.test(t);
    out.push({ text: t, key: space ? "" : t.toLowerCase(), space });
  }
  return out;
}

/**
 * Marks the words and numbers of `text` that are not in `base` (the column's consensus step).
 * The segments cover `text` exactly, in order: joined, they give it back.
 */
export function diffWords(text: string, base: string, maxCells = MAX_CELLS): WordDiff {
  const all = tokenize(text);
  const a = all.filter((t) => !t.space).map((t) => t.key);
  const b = tokenize(base)
    .filter((t) => !t.space)
    .map((t) => t.key);
  const n = a.length;
  const m = b.length;
  const changed = new Uint8Array(n);
  // The common head and tail: most steps that differ from the consensus differ in a few places.
  let head = 0;
  while (head < n && head < m && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] === b[m - 1 - tail]) tail++;
  const an = n - head - tail;
  const bm = m - head - tail;
  let common = head + tail;
  let capped = false;
  if (an > 0 && bm === 0) changed.fill(1, head, head + an);
  else if (an > 0 && (an + 1) * (bm + 1) > maxCells) {
    changed.fill(1, head, head + an);
    capped = true;
  } else if (an > 0) {
    // suffix LCS lengths: L[i][j] = LCS(a[head+i…], b[head+j…]), row-major (bm + 1) wide
    const w = bm + 1;
    const L = new Uint16Array((an + 1) * w);
    for (let i = an - 1; i >= 0; i--) {
      const ai = a[head + i];
      for (let j = bm - 1; j >= 0; j--) {
        L[i * w + j] = ai === b[head + j] ? L[(i + 1) * w + j + 1]! + 1 : Math.max(L[(i + 1) * w + j]!, L[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < an) {
      if (j < bm && a[head + i] === b[head + j]) {
        common++;
        i++;
        j++;
      } else if (j >= bm || L[(i + 1) * w + j]! >= L[i * w + j + 1]!) {
        changed[head + i] = 1;
        i++;
      } else j++;
    }
  }
  // Back to the text, whitespace included: a space is changed when the words on both sides are.
  const segments: Segment[] = [];
  const push = (t: string, c: boolean) => {
    const last = segments[segments.length - 1];
    if (last && last.changed === c) last.text += t;
    else segments.push({ text: t, changed: c });
  };
  let k = 0;
  for (let t = 0; t < all.length; t++) {
    const tok = all[t]!;
    if (!tok.space) {
      push(tok.text, changed[k++] === 1);
      continue;
    }
    const before = k > 0 && changed[k - 1] === 1;
    const after = k < n && changed[k] === 1;
    push(tok.text, before && after);
  }
  return { segments, common, tokens: n, capped };
}

/**
 * Whether a diff is worth showing word by word: the step shares enough with the consensus (a
 * third of its tokens, and at least two) that the changed words stand out. A step with almost
 * nothing in common is simply another step: highlighting every word of it says nothing more.
 */
export function worthShowing(d: WordDiff): boolean {
  return d.segments.some((s) => s.changed) && d.common >= 2 && d.common * 3 >= d.tokens;
}
