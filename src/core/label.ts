// The display form of an answer class: what the view, the hover, the Markdown export and every
// other face call a class. A class's key is right for comparing ("19.75") but reads oddly
// ("19.75dollars", lower-cased, without spaces); the first raw answer is how the run wrote it but
// carries the sentence it ended ("19.75." from "Therefore, the final answer is 19.75.") or its
// markdown ("**18**"). The label is the raw answer, trimmed of trailing sentence punctuation and
// of markdown around it, when every example of the class trims to the same; for a number, the key
// when the trimmed raw form is more than the number as written ("$1,200" stays, "\boxed{18}" is
// "18"); else the key.
import type { AnswerClass } from "./types";

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A raw answer without the markdown around it (**, __, `, *) and trailing sentence punctuation. */
export function cleanAnswer(raw: string): string {
  let s = raw.normalize("NFKC").replace(/\s+/g, " ").trim();
  for (let before = ""; before !== s; ) {
    before = s;
    s = s.replace(/[.!?;:,…]+$/u, "").trim();
    const m = /^(\*\*|__|`|\*|_)(.+)\1$/su.exec(s);
    if (m) s = m[2]!.trim();
  }
  return s;
}

/** The label of an answer class: "(no answer)" for null, else its clean raw form or its key. */
export function classLabel(a: Pick<AnswerClass, "key"> & Partial<Pick<AnswerClass, "examples">>): string {
  if (a.key === null) return "(no answer)";
  const clean = (a.examples ?? []).map(cleanAnswer);
  // the raw form only when every run of the class wrote it the same way (a call's arguments keep
  // their case: JG7FMM, not the key's jg7fmm)
  if (clean.length === 0 || clean[0] === "" || !clean.every((e) => e === clean[0])) return a.key;
  const label = clean[0]!;
  if (PLAIN_NUMBER.test(a.key)) {
    // a number: as written when that is the number with its $ and thousands separators, else the key
    const bare = label.replace(/^([+-]?)\$\s*/, "$1").replace(/(?<=\d),(?=\d{3})/g, "");
    return PLAIN_NUMBER.test(bare) ? label : a.key;
  }
  return label;
}
