// What a trajectory's text step (an assistant reply, a user turn, reasoning) says, without its
// wording (METRICS.md §11, docs/metrics.md "Text steps of trajectories"): the entities it names
// and the acts it performs. Two replies that ask to confirm the cancellation of reservation
// ZFA04Y in other words have one content; "I've cancelled ZFA04Y" and "I cannot cancel ZFA04Y"
// do not. Deterministic, rule-based, built from what τ-bench airline runs say.

export interface TextContent {
  /**
   * What the step does, sorted: `ask` (asks the user for information), `confirm?` (asks the
   * user's go-ahead), `done` (reports an action as carried out), `refuse` (declines or says it
   * cannot be done), `human` (a human agent, a transfer, a supervisor), `yes` / `no` (a reply
   * that agrees or declines), `stop` (ends the conversation).
   */
  acts: string[];
  /**
   * What the step names, sorted and distinct: ids and codes (`id:ZFA04Y`, `id:HAT170`,
   * `id:JFK`, `id:mia_li_3668`), emails, dates (`d:05-20`), amounts and other numbers
   * (`n:957`), cabin classes (`cabin:economy`), operations (`op:cancel`, `op:change`, …) and
   * names and places said mid-sentence (`w:chicago`).
   */
  entities: string[];
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTH_RE = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
/** "May 20", "May 20th, 2024"; "20 May", "20th of May 2024". */
const MONTH_DAY = new RegExp(`\\b${MONTH_RE}\\.? (\\d{1,2})(?:st|nd|rd|th)?\\b(?:,? \\d{4})?`, "gi");
const DAY_MONTH = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_RE}\\b(?:,? \\d{4})?`, "gi");
const pad = (x: number): string => String(x).padStart(2, "0");
function monthNo(m: string): number {
  return MONTHS.findIndex((full) => full.startsWith(m.toLowerCase().slice(0, 3))) + 1;
}

/**
 * Acts, each a pattern over the lower-cased text: every act that matches counts. An assistant's
 * step (a reply, reasoning) asks, asks for the go-ahead, reports done, refuses or brings in a
 * human; a user turn agrees, declines, asks for a human or ends the conversation ("I need some
 * help", "a flight I have booked" are no acts of the user's).
 */
const ASSISTANT_ACTS: [string, RegExp][] = [
  ["ask", /\b(?:could|can|would) you (?:please )?(?:provide|share|give|tell|specify|let me know (?:the|your|which|what|if you have))|\bplease (?:provide|share|specify|let me know (?:the|your|which|what))|\bi(?:'ll| will)? need (?:your|the|to know|some|a few|following)|\bmay i (?:have|know)|\bwhat is your\b|\bwhich (?:reservation|flight|option|one)\b[^.?]*\?/],
  ["confirm?", /\bplease confirm\b|\b(?:would|do) you (?:like|want|wish) (?:me )?to (?:proceed|go ahead|confirm)|\bshall i (?:proceed|go ahead)|\bconfirm (?:if|that|whether)\b|\bdo you confirm\b|\b(?:shall|should) i proceed\b/],
  ["done", /\b(?:has|have) been (?:successfully )?(?:cancel+ed|booked|updated|modified|changed|upgraded|downgraded|added|processed|issued|made|completed)\b|\bsuccessfully\b|\bi(?:'ve| have) (?:successfully )?(?:cancel+ed|booked|updated|modified|changed|upgraded|downgraded|added|processed|issued)\b/],
  ["refuse", /\bunable to\b|\bcannot\b|\bcan(?:'|’)t\b|\bcan not\b|\bnot (?:able|eligible|allowed|possible|permitted)\b|\bdoes(?: not|n't) (?:allow|permit|cover)\b|\bno exceptions?\b|\bnon-?refundable\b|\bnot (?:be )?(?:modified|changed|cancel+ed|refunded)\b/],
  ["human", /\bhuman agent\b|\btransfer(?:ring)? you\b|\bsupervisor\b|\bescalat/],
];
const USER_ACTS: [string, RegExp][] = [
  // a go-ahead, not a "yes" that answers a question ("Yes, my user ID is …")
  ["yes", /\b(?:please|you (?:can|may)|let's|i(?:'d| would) like to|i want to) (?:go ahead|proceed)\b|^(?:yes|yeah|ok|okay|sure|great|alright)\b[^?]*\b(?:go ahead|proceed|confirm)|\bi confirm\b|^yes,? please\b|^yes[.!]*$/],
  ["no", /^no\b|\bdon't (?:proceed|go ahead)|\bdo not (?:proceed|go ahead)/],
  ["human", /\bhuman agent\b|\bsupervisor\b|\bmanager\b|\bsomeone else\b|\bescalat/],
  ["stop", /###stop###|###transfer_to_human###/],
];

/** Operations the step is about, each a name and its words (every inflection a stem covers). */
const OPS: [string, RegExp][] = [
  ["cancel", /\bcancel/],
  ["change", /\b(?:chang|modif|updat|reschedul|switch)/],
  ["book", /\bbook(?:ed)?\b|\bnew booking\b/],
  ["refund", /\brefund|\bcompensat|\bcertificate|\bvoucher/],
  ["bags", /\bbag(?:s|gage)?\b|\bluggage/],
  ["insurance", /\binsurance\b/],
  ["upgrade", /\bupgrad|\bdowngrad/],
  ["passenger", /\bpassenger/],
  ["payment", /\bpayment|\bgift card|\bcredit card|\bpaypal\b/],
];

/** Capitalised words that start sentences, list labels or titles rather than name anything. */
const NOT_NAMES = new Set(
  ("i i'm i'll i've i'd id ok okay hi hello hey thanks thank please yes no sure here however unfortunately " +
    "flight flights reservation reservations option options passenger passengers cabin class economy business basic " +
    "departure arrival origin destination date dates price total trip type user est pst am pm " +
    "number method payment card gift travel insurance certificate bag bags baggage baggages checked seat seats " +
    "cancellation reason round way one-way round-trip stop stops direct nonstop membership status amount details " +
    "monday tuesday wednesday thursday friday saturday sunday").split(" "),
);
/** All-capital codes that are units or abbreviations, not ids. */
const NOT_CODES = new Set(["EST", "PST", "CST", "MST", "EDT", "PDT", "UTC", "GMT", "USD", "DOB", "ID", "AM", "PM", "OK", "FAQ"]);

const NUMBER_WORDS: Record<string, string> = { two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8", nine: "9", ten: "10" };

/** The content of a trajectory's text step (see TextContent). */
export function textContent(text: string, user = false): TextContent {
  const entities = new Set<string>();
  // list markers ("1. ", "2) ") number the lines, not anything the step names
  let s = text.replace(/\*\*|__|`/g, " ").replace(/^\s*(?:[-*•]\s*)?\d{1,2}[.)]\s/gm, " ");
  s = s.replace(/###[A-Z_]+###/g, " ");
  // emails and user ids first (they hold digits and words), then dates, then codes
  s = s.replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, (m) => (entities.add("id:" + m.toLowerCase()), " "));
  s = s.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (m) => (entities.add("id:" + m), " "));
  s = s.replace(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, (_, _y, m, d) => (entities.add(`d:${pad(+m)}-${pad(+d)}`), " "));
  s = s.replace(MONTH_DAY, (_, m: string, d: string) => (entities.add(`d:${pad(monthNo(m))}-${pad(+d)}`), " "));
  s = s.replace(DAY_MONTH, (_, d: string, m: string) => (entities.add(`d:${pad(monthNo(m))}-${pad(+d)}`), " "));
  // clock times are details of a flight the step names anyway: dropped, not counted
  s = s.replace(/\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?/gi, " ");
  s = s.replace(/\b[A-Z0-9]{3,8}\b/g, (m) => {
    if (/^\d+$/.test(m) || NOT_CODES.has(m)) return m;
    entities.add("id:" + m);
    return " ";
  });
  s = s.replace(/\$?\b\d[\d,]*(?:\.\d+)?(?!\d)/g, (m) => {
    const v = Number(m.replace(/[$,]/g, ""));
    if (Number.isFinite(v)) entities.add("n:" + v);
    return " ";
  });
  const lower = s.toLowerCase();
  for (const w of lower.match(/\b(?:two|three|four|five|six|seven|eight|nine|ten)\b/g) ?? []) entities.add("n:" + NUMBER_WORDS[w]!);
  if (/\bbasic economy\b/.test(lower)) entities.add("cabin:basic_economy");
  if (/\beconomy\b/.test(lower.replace(/\bbasic economy\b/g, " "))) entities.add("cabin:economy");
  if (/\bbusiness(?: class| cabin)?\b/.test(lower) && !/\bbusiness days?\b/.test(lower)) entities.add("cabin:business");
  for (const [op, re] of OPS) if (re.test(lower)) entities.add("op:" + op);
  // names and places: runs of capitalised words that follow a lower-case word, a digit or a comma
  // (mid-sentence), not at the start of a sentence, a line or a list label
  for (const m of s.matchAll(/(?<=[a-z0-9,] )[A-Z][a-z']+(?: [A-Z][a-z']+)*(?![a-zA-Z']| [A-Z]|\s*:)/g))
    for (const raw of m[0].toLowerCase().split(" ")) {
      const w = raw.replace(/'s?$/, "");
      if (w.length > 1 && !NOT_NAMES.has(w)) entities.add("w:" + w);
    }
  const acts: string[] = [];
  const full = text.toLowerCase().trim();
  for (const [act, re] of user ? USER_ACTS : ASSISTANT_ACTS) if (re.test(full)) acts.push(act);
  return { acts: acts.sort(), entities: [...entities].sort() };
}

/** A content's key: "acts|entities", or null when the step names nothing and does none of the acts (words only). */
export function textContentKey(c: TextContent): string | null {
  if (c.acts.length === 0 && c.entities.length === 0) return null;
  return `${c.acts.join(",")}|${c.entities.join(" ")}`;
}
