// What the hotmess subcommands share: the version, the two kinds of error, the streams, and the
// argument parser: Node's util.parseArgs reads the words, one option table per subcommand says
// what they may be, and the same table writes that subcommand's --help.
import { parseArgs } from "node:util";
import pkg from "../../package.json";
import type { Redactor } from "../core/redact";

export const VERSION: string = pkg.version;

/** A mistake in the command line: the message is followed by a pointer to the --help of `command` (set by the dispatch), else the overview. */
export class UsageError extends Error {
  command?: string;
  /** The exit status (default 1); `hotmess check` uses 2, since its 1 means a threshold was crossed. */
  exit?: number;
}

export interface OptionSpec {
  /** The flag as users type it: "--json", "-n". */
  flag: string;
  /** A one-letter alias ("-h" for --help). */
  short?: string;
  /** The value's name in the help ("OUT"); absent for a switch, which takes no value. */
  value?: string;
  /** One line for the help. */
  description: string;
  /** What applies when the flag is absent, as the help shows it. */
  default?: string | number;
  /** The heading the help lists it under (default "Options"). */
  group?: string;
  /** A number flag: parseCommand refuses a value that is not one in this range, and the help shows the range. */
  number?: NumberRule;
}

/** What a number flag takes: an integer or any number, at least `min`, at most `max`. */
export interface NumberRule {
  int?: boolean;
  min?: number;
  max?: number;
}

export interface CommandSpec {
  /** The subcommand ("analyze"); empty for the top level. */
  name: string;
  /** What follows `hotmess NAME` on each usage line. */
  usage: string[];
  /** One line for the overview. */
  summary: string;
  /** What the command does, for its help. */
  about: string;
  /** How many positional arguments it takes at most, and what to say to one too many. */
  positionals: { max: number; extra: string };
  /** Its flags; --help is added to every command's (parseCommand, renderHelp). */
  options: OptionSpec[];
}

export interface Parsed {
  positional: string[];
  /** Each flag given, by its spec's `flag` ("--json", "-n"): its value, or true for a switch. */
  flags: Map<string, string | true>;
  /** --help (or -h) was given: show the help and do nothing else. */
  help: boolean;
}

/** Every subcommand takes --help: parseCommand and renderHelp add it to each table. */
const HELP_OPTION: OptionSpec = { flag: "--help", short: "-h", description: "show this help" };

const key = (o: OptionSpec) => o.flag.replace(/^-+/, "");

/**
 * Reads a subcommand's arguments against its option table: util.parseArgs splits them
 * (`--flag value`, `--flag=value`, `-n 8`, `-n8`, `--` ends the flags, a lone `-` is a value);
 * this refuses, with a message naming it, any flag the table does not have, a value missing or
 * given to a switch, and positional arguments beyond the table's count. A repeated flag keeps
 * its last value.
 */
export function parseCommand(argv: string[], spec: CommandSpec): Parsed {
  const byRawName = new Map<string, OptionSpec>();
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of [...spec.options, HELP_OPTION]) {
    byRawName.set(o.flag, o);
    if (o.short) byRawName.set(o.short, o);
    const short = o.short ?? (/^-[^-]$/.test(o.flag) ? o.flag : undefined);
    options[key(o)] = { type: o.value ? "string" : "boolean", ...(short ? { short: short.slice(1) } : {}) };
  }
  // strict: false so that every problem gets this command's own message, not util's
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === "option" && byRawName.get(t.rawName) === HELP_OPTION)) return { positional: [], flags: new Map(), help: true };

  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (const t of tokens) {
    if (t.kind === "positional") {
      if (positional.length >= spec.positionals.max) throw new UsageError(`unexpected argument "${t.value}": ${spec.positionals.extra}`);
      positional.push(t.value);
      continue;
    }
    if (t.kind !== "option") continue; // the `--` that ends the flags
    // the table's own spelling only: `--n` is not `-n`
    const o = byRawName.get(t.rawName);
    if (!o) throw new UsageError(`unknown option ${t.rawName}`);
    if (!o.value) {
      if (t.value !== undefined) throw new UsageError(`${o.flag} takes no value`);
      flags.set(o.flag, true);
      continue;
    }
    let value = t.value;
    // `-n=8` reads as `-n 8`, as it always has
    if (value !== undefined && t.inlineValue && t.rawName.length === 2 && value.startsWith("=")) value = value.slice(1);
    if (value === undefined || value === "") throw new UsageError(`${o.flag} needs a value`);
    // `--json --html x`: the flag's value is missing, not "--html" (a negative number is a value)
    if (!t.inlineValue && (value.startsWith("--") || byRawName.has(value))) throw new UsageError(`${o.flag} needs a value, not the option ${value}`);
    if (o.number) checkNumber(o.flag, value, o.number);
    flags.set(o.flag, value);
  }
  return { positional, flags, help: false };
}

/** The range as the help and the messages say it: "between 1 and 64", "≥ 0". */
function rangeWords(r: NumberRule): string {
  if (r.min !== undefined && r.max !== undefined) return ` between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return ` ≥ ${r.min}`;
  return r.max !== undefined ? ` ≤ ${r.max}` : "";
}

function checkNumber(flag: string, v: string, r: NumberRule): void {
  const x = Number(v);
  const ok = v.trim() !== "" && Number.isFinite(x) && (!r.int || Number.isInteger(x)) && (r.min === undefined || x >= r.min) && (r.max === undefined || x <= r.max);
  if (!ok) throw new UsageError(`${flag} must be ${r.int ? "an integer" : "a number"}${rangeWords(r)}, not "${v}"`);
}

/** A number flag's value (parseCommand has checked it against its table's range); undefined when the flag is absent. */
export function num(flags: Parsed["flags"], flag: string): number | undefined {
  const v = flags.get(flag);
  return typeof v === "string" ? Number(v) : undefined;
}

const HELP_WIDTH = 100;

/** Words wrapped to `width`, each line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n" + " ".repeat(indent));
}

function optionLabel(o: OptionSpec): string {
  return `${o.short ? `${o.short}, ` : ""}${o.flag}${o.value ? ` ${o.value}` : ""}`;
}

/** The --help of a subcommand, from its table: usage, what it does, each flag with its value, default and description. */
export function renderHelp(spec: CommandSpec): string {
  const prefix = `hotmess${spec.name ? ` ${spec.name}` : ""}`;
  const out = spec.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}${prefix}${u ? ` ${u}` : ""}`);
  out.push("", wrap(spec.about, HELP_WIDTH, 0));
  const options = [...spec.options, HELP_OPTION];
  const labelWidth = Math.min(28, Math.max(...options.map((o) => optionLabel(o).length)));
  const groups = [...new Set(options.map((o) => o.group ?? "Options"))];
  for (const group of groups) {
    out.push("", `${group}:`);
    for (const o of options.filter((x) => (x.group ?? "Options") === group)) {
      const label = optionLabel(o);
      const range = o.number?.min !== undefined && o.number.max !== undefined ? `, ${o.number.min} to ${o.number.max}` : "";
      const text = `${o.description}${range}${o.default !== undefined ? ` (default: ${o.default})` : ""}`;
      const pad = label.length > labelWidth ? `\n${" ".repeat(labelWidth + 4)}` : " ".repeat(labelWidth - label.length + 2);
      out.push(`  ${label}${pad}${wrap(text, HELP_WIDTH - labelWidth - 4, labelWidth + 4)}`);
    }
  }
  return out.join("\n") + "\n";
}

export class FatalError extends Error {
  /** The exit status (default 1); `hotmess check` uses 2, since its 1 means a threshold was crossed. */
  exit?: number;
}

/** Where a command writes: only text, so every line can be redacted on its way out. */
export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Out;
  stderr: Out;
  env: NodeJS.ProcessEnv;
  /** The redaction of the environment's keys, made once by main (redactingIo); without it (a test's Io), redactorOf makes it from env. */
  redact?: Redactor;
  /** Asks the user yes or no (a test's answer); without it, a terminal's standard input is asked, and elsewhere --yes is needed. */
  confirm?: (question: string) => Promise<boolean>;
}
