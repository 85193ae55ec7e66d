// Step segmentation (METRICS.md §9): a trace is cut into steps, each a line, a numbered or
// bulleted item (with its indented continuation lines), or a paragraph written on one line.
// Blank lines and pure decoration (rules, fences without a language, lone punctuation) are
// dropped. Every step keeps its character offsets: trace.slice(start, end) === text.
//
// One refinement: a single line longer than LONG_LINE characters (a model that writes a whole
// paragraph of reasoning on one line) is cut at sentence ends, so that a step stays one unit of
// reasoning and can be aligned with the same reasoning written as several lines by another run.
import type { Step } from "./types";

const LONG_LINE = 320;
/** Sentences shorter than this are kept with the next one (e.g. "So." "Wait."). */
const SHORT_SENTENCE = 40;
const LIST_MARKER = /^(?:\d{1,3}[.)]|\(\d{1,3}\)|[-*+•·‣◦]|step\s+\d{1,3}\s*[:.)-]|[a-z][.)])\s+/i;
const HAS_CONTENT = /[\p{L}\p{N}]/u;
/** A code fence line: a step of nothing. */
const FENCE = /^```\s*$/;
const SENTENCE_END = /[.!?](?=\s+[\p{Lu}\p{N}(“"'])/gu;

interface Line {
  start: number;
  end: number; // trimmed span
  indent: number;
}

/** Whether the UTF-16 code unit c is white space as the regular expression \s reads it. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function lines(text: string): (Line | null)[] {
  const out: (Line | null)[] = [];
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    let s = pos;
    let e = nl;
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    out.push(s === e ? null : { start: s, end: e, indent: s - pos });
    if (nl >= text.length) break;
    pos = nl + 1;
  }
  return out;
}

function splitSentences(text: string, start: number, end: number, out: Step[]): void {
  const body = text.slice(start, end);
  let from = 0;
  SENTENCE_END.lastIndex = 0;
  let m: RegExpExecArray | null;
  const cuts: number[] = [];
  while ((m = SENTENCE_END.exec(body))) cuts.push(m.index + 1);
  cuts.push(body.length);
  for (const cut of cuts) {
    if (cut - from < SHORT_SENTENCE && cut !== body.length) continue;
    let s = from;
    while (s < cut && isSpace(body.charCodeAt(s))) s++;
    if (s < cut && HAS_CONTENT.test(body.slice(s, cut))) out.push({ text: body.slice(s, cut), start: start + s, end: start + cut });
    from = cut;
  }
}

/** Cuts a trace into steps with character offsets. */
export function segment(text: string): Step[] {
  const steps: Step[] = [];
  const all = lines(text);
  let item: { start: number; end: number; indent: number; list: boolean } | null = null;
  const flush = () => {
    if (!item) return;
    if (item.end - item.start > LONG_LINE) splitSentences(text, item.start, item.end, steps);
    else steps.push({ text: text.slice(item.start, item.end), start: item.start, end: item.end });
    item = null;
  };
  for (const line of all) {
    if (line === null) {
      flush();
      continue;
    }
    const body = text.slice(line.start, line.end);
    if (!HAS_CONTENT.test(body) || FENCE.test(body)) {
      flush();
      continue;
    }
    const isItem = LIST_MARKER.test(body);
    if (item !== null && item.list && !isItem && line.indent > item.indent) {
      item.end = line.end; // an indented continuation of a list item
      continue;
    }
    flush();
    item = { start: line.start, end: line.end, indent: line.indent, list: isItem };
  }
  flush();
  return steps;
}
