// The option table of every subcommand: what it accepts, and (through renderHelp) its --help, so
// the help and the parsing can never disagree. The defaults the commands use live here too, for
// the same reason. Nothing heavy is imported: `hotmess --help` loads no SDK.
import { DEFAULT_RESAMPLES, DEFAULT_SEED } from "../core";
import { parseAnswerSpec, type AnswerSpec } from "../core/answerspec";
import { DEFAULT_MODELS } from "../sampling/defaults";
import { DEFAULT_KNOBS } from "../sampling/simulated";
import { UsageError, VERSION, type CommandSpec, type OptionSpec } from "./common";

export const PROVIDERS = ["simulated", "anthropic", "openai"] as const;

/** How samples are sent, for run and bench alike. */
const SAMPLING_DEFAULTS = { concurrency: 4, timeoutS: 120, retries: 5, maxRetryWaitS: 60 };
export const RUN_DEFAULTS = { ...SAMPLING_DEFAULTS, maxTokens: 8192, thinkingBudget: 4096, out: ".hotmess/runs" };
export const BENCH_DEFAULTS = { ...SAMPLING_DEFAULTS, difficulty: "easy,medium,hard", seed: 1, maxTokens: 16000, out: ".hotmess/bench" };

const JSON_OUT = (what: string, group?: string): OptionSpec => ({
  flag: "--json",
  value: "OUT",
  description: `${what} the hotmess.analysis/1 document to OUT; - for standard output, instead of the table`,
  ...(group ? { group } : {}),
});
const HTML_OUT = (group?: string): OptionSpec => ({ flag: "--html", value: "OUT", description: "also write the comparison view, one self-contained HTML file", ...(group ? { group } : {}) });

const MODEL_DEFAULTS = `${DEFAULT_MODELS.anthropic} for anthropic, ${DEFAULT_MODELS.openai} for openai, ${DEFAULT_MODELS.simulated} for simulated`;
const PROVIDER: OptionSpec = {
  flag: "--provider",
  value: "NAME",
  description: `${PROVIDERS.join(", ")}; default: anthropic when ANTHROPIC_API_KEY is set, else openai when OPENAI_API_KEY is set, else simulated`,
  group: "Model",
};
const MODEL: OptionSpec = { flag: "--model", value: "M", description: "the model id", default: MODEL_DEFAULTS, group: "Model" };
const BASE_URL: OptionSpec = { flag: "--base-url", value: "URL", description: "another endpoint: a proxy, or an OpenAI-compatible server (Ollama: http://localhost:11434/v1, no key needed)", group: "Model" };

const SAMPLING: OptionSpec[] = [
  { flag: "--concurrency", value: "C", description: "samples in flight at once", default: SAMPLING_DEFAULTS.concurrency, group: "Sampling", number: { int: true, min: 1, max: 64 } },
  { flag: "--timeout", value: "S", description: "abandon and retry a sample that sends nothing for S seconds", default: SAMPLING_DEFAULTS.timeoutS, group: "Sampling", number: { int: true, min: 1, max: 3600 } },
  { flag: "--retries", value: "K", description: "retries per sample on 429/529/5xx/dropped streams", default: SAMPLING_DEFAULTS.retries, group: "Sampling", number: { int: true, min: 0, max: 20 } },
  {
    flag: "--max-retry-wait",
    value: "S",
    description: "the longest wait a server may ask for (retry-after) that is honoured, in seconds; a server asking for more fails the sample, and the run ends with what it has (--resume finishes it)",
    default: SAMPLING_DEFAULTS.maxRetryWaitS,
    group: "Sampling",
    number: { int: true, min: 0 },
  },
];

const SIM = "Simulated reasoner (--provider simulated)";
/** The simulated reasoner's knobs as flags (read by simKnobs in run.ts). */
const SIM_OPTIONS: OptionSpec[] = [
  { flag: "--sim-slip", value: "P", description: "chance that a run makes the systematic slip (bias)", default: DEFAULT_KNOBS.slip.probability, group: SIM, number: { min: 0, max: 1 } },
  { flag: "--sim-slip-kind", value: "KIND", description: "rate (misreads the rate) or drop-b (drops b from the gradient)", default: DEFAULT_KNOBS.slip.kind, group: SIM },
  { flag: "--sim-slip-size", value: "S", description: "how far the misread rate is off, ×(1+S)", default: DEFAULT_KNOBS.slip.size, group: SIM, number: { min: -0.9, max: 10 } },
  { flag: "--sim-noise", value: "P", description: "chance of an arithmetic error at a step (variance)", default: DEFAULT_KNOBS.noise.probability, group: SIM, number: { min: 0, max: 1 } },
  { flag: "--sim-sigma", value: "S", description: "size of an arithmetic error", default: DEFAULT_KNOBS.noise.sigma, group: SIM, number: { min: 0 } },
  { flag: "--sim-distraction", value: "P", description: "chance of a digression at the first step", default: DEFAULT_KNOBS.distraction.base, group: SIM, number: { min: 0, max: 1 } },
  { flag: "--sim-growth", value: "G", description: "how that chance grows each step", default: DEFAULT_KNOBS.distraction.growth, group: SIM, number: { min: 0.5, max: 3 } },
  { flag: "--sim-spread", value: "P", description: "tool use (a conversation with tools): chance a rerun takes another next action than the most plausible one", default: DEFAULT_KNOBS.spread, group: SIM, number: { min: 0, max: 1 } },
  { flag: "--sim-speed", value: "T", description: "tokens a second as it streams (0: at once)", default: DEFAULT_KNOBS.tokensPerSecond, group: SIM, number: { min: 0 } },
  { flag: "--sim-seed", value: "N", description: "the seed each rerun draws from", default: DEFAULT_KNOBS.seed, group: SIM, number: { int: true, min: 0 } },
];

/** How answers are extracted and compared (src/core/answerspec.ts), for run and analyze alike. */
const ANSWER_OPTIONS = (group?: string): OptionSpec[] => [
  {
    flag: "--answer",
    value: "SPEC",
    description: "how the answer is extracted from a reply: regex:/PATTERN/FLAGS[:GROUP], json:$.path, last-line or code-block[:LANG]",
    default: "the last \\boxed{}, Answer: line or number",
    ...(group ? { group } : {}),
  },
  {
    flag: "--compare",
    value: "SPEC",
    description: "how answers are compared into classes: exact, numeric:TOL (absolute) or numeric:TOL% (relative), json (key order ignored) or set[:SEP]",
    default: "exact",
    ...(group ? { group } : {}),
  },
];

/** The answer spec of --answer / --compare, or undefined without either; a bad one is a usage error naming the flag. */
export function answerSpecFlags(flags: ReadonlyMap<string, unknown>): AnswerSpec | undefined {
  const answer = flags.get("--answer");
  const compare = flags.get("--compare");
  if (answer === undefined && compare === undefined) return undefined;
  try {
    return parseAnswerSpec({ ...(typeof answer === "string" ? { answer } : {}), ...(typeof compare === "string" ? { compare } : {}) });
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
}

export const ANALYZE: CommandSpec = {
  name: "analyze",
  usage: ["FILE.jsonl [--json OUT|-] [--html OUT] [--reference-free] [--answer SPEC] [--compare SPEC] [--seed N] [--resamples N]"],
  summary: "the figures of a trace set or a run file, as a table",
  about:
    "Reads a trace set (JSON Lines, one prompt per line) or a run file, and prints, per prompt, the answer classes, bias², variance, error, " +
    "incoherence with its 95% interval and the fork column, then the pooled figures and the length split.",
  positionals: { max: 1, extra: "analyze takes one file" },
  options: [
    JSON_OUT("write"),
    HTML_OUT(),
    { flag: "--reference-free", description: "ignore references and correctness flags: disagreement and entropy only" },
    ...ANSWER_OPTIONS(),
    { flag: "--seed", value: "N", description: "seed of the intervals; the same seed prints the same intervals", default: `a run file's recorded seed, else ${DEFAULT_SEED}`, number: { int: true, min: 0 } },
    { flag: "--resamples", value: "N", description: "bootstrap resamples; 0 for no intervals", default: DEFAULT_RESAMPLES, number: { int: true, min: 0 } },
  ],
};

export const RUN: CommandSpec = {
  name: "run",
  usage: ["(--prompt TEXT | --prompt-file FILE) -n N [options]", "--prompts FILE -n N [--batch [--yes] [--no-wait]] [options]", "--resume RUNFILE [-n N] [--resubmit] [--cancel]"],
  summary: "rerun a prompt N times against a model, record every sample, show the table",
  about:
    "Reruns a prompt N times (keys from ANTHROPIC_API_KEY / OPENAI_API_KEY), records every sample in a run file under --out as it finishes, " +
    "shows live progress, then the same table as analyze. Everything is checked before the first request. Ctrl-C cancels and keeps what " +
    "finished; --resume continues.",
  positionals: { max: 0, extra: "the prompt goes in --prompt, --prompt-file or --conversation" },
  options: [
    { flag: "--prompt", value: "TEXT", description: "the prompt to rerun", group: "Prompt" },
    { flag: "--prompt-file", value: "FILE", description: "read the prompt from FILE", group: "Prompt" },
    { flag: "--conversation", value: "FILE", description: "sample an agent's next turn: a JSON prefix {system?, messages, tools} in OpenAI or Anthropic format, or a trace set of trajectories with --task, --run and --before-action", group: "Prompt" },
    { flag: "--task", value: "ID", description: "with --conversation TRACESET: the prompt (task) whose run to continue", group: "Prompt" },
    { flag: "--run", value: "R", description: "with --conversation TRACESET: which run of it (its number, as the view and the table show it)", group: "Prompt", number: { int: true, min: 0 } },
    { flag: "--before-action", value: "K", description: "with --conversation TRACESET: rerun from just before the run's K-th tool call (from 1, as the fork action is counted)", group: "Prompt", number: { int: true, min: 1 } },
    { flag: "--system", value: "TEXT", description: "a system prompt", group: "Prompt" },
    { flag: "--prompts", value: "FILE", description: 'a sweep: every prompt of FILE N times, in one sweep file — JSON Lines of {"id", "prompt", "reference"?, "system"?}, a trace set, a .prompt.md file, or a folder of them', group: "Sweep" },
    { flag: "--batch", description: "send the sweep through the provider's batch API (half the price, results within 24 h): its batch ids are recorded first, --resume collects", group: "Sweep" },
    { flag: "--yes", description: "submit a batch (or resubmit) without asking to confirm its cost", group: "Sweep" },
    { flag: "--no-wait", description: "with --batch: submit and exit; hotmess run --resume SWEEPFILE polls and collects later", group: "Sweep" },
    { flag: "--resubmit", description: "with --resume SWEEPFILE: send the requests that errored, expired or were canceled again, as a new batch of just those", group: "Sweep" },
    { flag: "--cancel", description: "with --resume SWEEPFILE: cancel the sweep's batches in progress (what they finished is collected; the rest comes back canceled, for --resubmit)", group: "Sweep" },
    { flag: "--poll", value: "S", description: "seconds between two polls of a batch's status", default: 30, group: "Sweep", number: { min: 0.01, max: 3600 } },
    { flag: "--steps", value: "K", description: "with --conversation: a rollout, each rerun going on for up to K actions (tool calls), tool results from --replay, then --tool-command", group: "Rollout", number: { int: true, min: 1, max: 1000 } },
    { flag: "--replay", value: "FILE", description: "a trace set (or a run file) whose recorded tool results answer the same calls (name + arguments); default with --task: that trace set's runs of the task", group: "Rollout" },
    { flag: "--tool-command", value: "CMD", description: "a program that answers a call with no recorded result: the call as JSON on its standard input, its output the result; run without a shell, its output untrusted text", group: "Rollout" },
    { flag: "--tool-timeout", value: "S", description: "the tool command is killed after S seconds, and the call gets an error result", default: 30, group: "Rollout", number: { min: 0.1, max: 3600 } },
    { flag: "--reference", value: "R", description: "the correct answer: turns disagreement into incoherence (with --conversation: the expected action, a tool's name or name{arguments})", group: "Prompt" },
    { flag: "-n", value: "N", description: "how many reruns (with --resume: a new total)", group: "Prompt", number: { int: true, min: 1, max: 10000 } },
    ...ANSWER_OPTIONS("Prompt"),
    PROVIDER,
    MODEL,
    BASE_URL,
    { flag: "--thinking", value: "MODE", description: "adaptive, budget or off; default: Claude adaptive where the model has it, else a budget; OpenAI-compatible off", group: "Model" },
    { flag: "--thinking-budget", value: "T", description: "thinking budget in tokens; implies --thinking budget", default: RUN_DEFAULTS.thinkingBudget, group: "Model", number: { int: true, min: 1 } },
    { flag: "--max-tokens", value: "T", description: "output limit per sample, thinking included", default: RUN_DEFAULTS.maxTokens, group: "Model", number: { int: true, min: 1 } },
    { flag: "--temperature", value: "T", description: "sampling temperature, checked against the model's rules", default: "the provider's", group: "Model", number: { min: 0, max: 2 } },
    ...SAMPLING,
    { flag: "--until-ci", value: "W", description: "sample in waves until the incoherence interval is narrower than W (needs --reference; N is then the most)", group: "Sampling", number: { min: 0.001, max: 1 } },
    { flag: "--prices", value: "FILE", description: 'a JSON price table {"model": {"input": USD/M, "output": USD/M}} over the built-in one', group: "Sampling" },
    { flag: "--resume", value: "RUNFILE", description: "continue a run that was cancelled or cut short, to its N (or a new -n)", group: "Sampling" },
    { flag: "--out", value: "DIR", description: "where run files go", default: RUN_DEFAULTS.out, group: "Output" },
    JSON_OUT("also write", "Output"),
    HTML_OUT("Output"),
    { flag: "--seed", value: "N", description: "seed of the intervals, recorded in the run file (every view of the run uses it; not with --resume)", default: DEFAULT_SEED, group: "Output", number: { int: true, min: 0 } },
    ...SIM_OPTIONS,
  ],
};

export const BENCH: CommandSpec = {
  name: "bench",
  usage: ["optimizer -n N [options]"],
  summary: "the optimizer-emulation benchmark: incoherence against the number of steps",
  about:
    "Runs the optimizer-emulation benchmark (easy, medium, hard) against a provider (the simulated reasoner by default), keeps each " +
    "difficulty as a run file under --out, prints incoherence per step and writes the comparison view (--html). " +
    "The one benchmark there is is optimizer.",
  positionals: { max: 1, extra: "bench takes one benchmark, optimizer" },
  options: [
    { flag: "-n", value: "N", description: "reruns of each problem (required)", group: "Benchmark", number: { int: true, min: 2, max: 10000 } },
    { flag: "--difficulty", value: "LIST", description: "which problems, comma-separated: easy, medium, hard", default: BENCH_DEFAULTS.difficulty, group: "Benchmark" },
    { flag: "--seed", value: "S", description: "the problems' seed: the same seed gives the same prompts", default: BENCH_DEFAULTS.seed, group: "Benchmark", number: { int: true, min: 0, max: 2 ** 31 } },
    PROVIDER,
    MODEL,
    BASE_URL,
    { flag: "--max-tokens", value: "T", description: "output limit per sample", default: BENCH_DEFAULTS.maxTokens, group: "Model", number: { int: true, min: 256, max: 200000 } },
    ...SAMPLING,
    { flag: "--out", value: "DIR", description: "where run files go", default: BENCH_DEFAULTS.out, group: "Output" },
    { ...HTML_OUT("Output"), description: "where the comparison view goes", default: "DIR/report.html" },
    JSON_OUT("also write", "Output"),
    ...SIM_OPTIONS,
  ],
};

export const EXPORT: CommandSpec = {
  name: "export",
  usage: ["FILE... --format json|csv|md|html [--out OUT|-] [--seed N]"],
  summary: "share a comparison as JSON, CSV, Markdown or one HTML file",
  about:
    "Writes a trace set, or run files (one prompt each, analysed together), as json (the hotmess.analysis/1 document plus the raw traces), " +
    "csv (one row per prompt × run × aligned column), md (a summary for a pull request) or html (the comparison view). Keys are never " +
    "exported (they become [redacted]); a CSV text starting with = + - @ gets a leading '.",
  positionals: { max: Infinity, extra: "" },
  options: [
    { flag: "--format", value: "FORMAT", description: "json, csv, md or html", default: "from --out's extension" },
    { flag: "--out", value: "OUT", description: "where to write; - for standard output", default: "beside the first FILE, with the format's extension" },
    { flag: "--seed", value: "N", description: "seed of the intervals", default: `each run file's recorded seed, else ${DEFAULT_SEED}`, number: { int: true, min: 0 } },
  ],
};

export const IMPORT: CommandSpec = {
  name: "import",
  usage: ["SRC [--format F] --out FILE.jsonl"],
  summary: "convert logs other tools write (τ-bench results, chat conversations) into a trace set",
  about:
    "Reads SRC, a file or a folder (every file in it, recursively), written by another tool, and writes a trace set: one prompt per line, " +
    "each run an agent trajectory (its steps, reward and a text rendering). The format is detected unless --format names it. Prints what it " +
    "found; a record that cannot be read is named and skipped, and the rest is imported.",
  positionals: { max: 1, extra: "import takes one file or folder" },
  options: [
    { flag: "--format", value: "F", description: "tau-bench (τ-bench's results file) or chat (OpenAI or Anthropic messages, one conversation per line)", default: "detected" },
    { flag: "--out", value: "FILE", description: "the trace set to write (JSON Lines); - for standard output" },
  ],
};

export const DEMO: CommandSpec = {
  name: "demo",
  usage: [""],
  summary: "the benchmark on the simulated reasoner, offline and seeded (npm run demo)",
  about: "Runs the optimizer-emulation benchmark on the simulated reasoner (offline, seeded, N = 16 per difficulty), prints the per-step table and writes out/demo/report.html under the current folder.",
  positionals: { max: 0, extra: "demo takes no arguments" },
  options: [],
};

export const CLASSES: CommandSpec = {
  name: "classes",
  usage: ["RUNFILE [--judge MODEL [--provider P] [--base-url URL] --yes] [--merge 'REPLY=>INTO' | --split REPLY]"],
  summary: "class a run's open-ended replies by meaning, with a judge (offline or a model), and merge or split classes by hand",
  about:
    "Asks a judge whether two replies say the same thing, against one representative per class (most frequent replies first; at most k(k−1)/2 " +
    "verdicts for k distinct replies), and appends its verdicts to the run file: every later analysis, view and export of the run classes its " +
    "replies by meaning and says so, and nothing is asked again. The judge is the offline simulated one (same numbers, half the content words " +
    "shared) unless --judge names a model; then the most it can cost is printed first and it runs only with --yes. --merge and --split record " +
    "a manual choice for one reply (its whole text), which wins over any verdict; give one per call.",
  positionals: { max: 1, extra: "classes takes one run file" },
  options: [
    { flag: "--judge", value: "MODEL", description: "the model asked, or simulated (offline)", default: "simulated" },
    { flag: "--provider", value: "P", description: "anthropic or openai (its key from ANTHROPIC_API_KEY / OPENAI_API_KEY)", default: "anthropic for claude-* models, else openai" },
    { flag: "--base-url", value: "URL", description: "the provider's endpoint (a proxy, a local OpenAI-compatible server)" },
    { flag: "--yes", description: "run a paid judge after its estimate" },
    { flag: "--merge", value: "REPLY=>INTO", description: "put the reply REPLY in the class of the reply INTO" },
    { flag: "--split", value: "REPLY", description: "give the reply REPLY a class of its own" },
  ],
};

export const COMPARE: CommandSpec = {
  name: "compare",
  usage: ["A B [--json OUT|-] [--md OUT] [--seed N] [--draws N]"],
  summary: "B − A per prompt and pooled: accuracy and incoherence, with 95% intervals",
  about:
    "Compares two run files or trace sets (or two folders of them: every .jsonl in each): prompts are matched by id, else by prompt text; " +
    "per prompt and pooled, prints A, B and B − A of accuracy and of the headline incoherence with 95% intervals, and marks a difference " +
    "significant when an interval excludes 0. Prompts without a match on the other side are listed. Exits 0 whatever the differences " +
    "(hotmess check gates).",
  positionals: { max: 2, extra: "compare takes two inputs, A and B" },
  options: [
    { flag: "--json", value: "OUT", description: "write the hotmess.comparison/1 document to OUT; - for standard output, instead of the table" },
    { flag: "--md", value: "OUT", description: "also write a short Markdown summary (for a pull request)" },
    { flag: "--seed", value: "N", description: "seed of the difference intervals; the same seed prints the same intervals", default: 1, number: { int: true, min: 0 } },
    { flag: "--draws", value: "N", description: "posterior draws per side for the incoherence intervals; 0 for none", default: 1000, number: { int: true, min: 0 } },
  ],
};

export const CHECK: CommandSpec = {
  name: "check",
  usage: ["FILE... [--max-incoherence X] [--min-accuracy X] [--min-pass-hat-k K:X] [--baseline PATH] [--by interval|strict|point] [--junit OUT] [--fail-unchecked]"],
  summary: "a CI gate: fail when a prompt's incoherence, accuracy or pass^k crosses a threshold",
  about:
    "Reads run files or trace sets (as analyze does) and holds each prompt's figures against the thresholds: the headline incoherence, " +
    "accuracy (the share of reruns that are right) and pass^k, each with its 95% interval. By default a prompt fails only when its whole " +
    "interval is on the wrong side of a threshold (few false alarms at 5–10 reruns; a prompt whose interval straddles it passes, marked " +
    "inconclusive); --by strict fails it unless the whole interval is on the good side, --by point judges the estimate. A prompt without a " +
    "target (no reference, no correctness flags), or with too few reruns for an interval, cannot be checked: it is listed as not checked, and " +
    "fails with --fail-unchecked. Writes JUnit XML (--junit) and, under GitHub Actions (GITHUB_ACTIONS=true), an annotation per failed " +
    "prompt and a job summary ($GITHUB_STEP_SUMMARY). Exit status: 0 when every prompt passes, 1 when a threshold is crossed, 2 on a usage " +
    "or input error (or when input lines were skipped or a run is unfinished, and nothing failed).",
  positionals: { max: Infinity, extra: "" },
  options: [
    { flag: "--max-incoherence", value: "X", description: "the most headline incoherence a prompt may have", group: "Thresholds (at least one, or --baseline)", number: { min: 0, max: 1 } },
    { flag: "--min-accuracy", value: "X", description: "the least share of reruns that are right", group: "Thresholds (at least one, or --baseline)", number: { min: 0, max: 1 } },
    { flag: "--min-pass-hat-k", value: "K:X", description: "the least pass^K, the chance that K fresh reruns are all right (several: 1:0.9,3:0.5)", group: "Thresholds (at least one, or --baseline)" },
    { flag: "--by", value: "HOW", description: "interval (fail when the whole 95% interval is on the wrong side), strict (fail unless all of it is on the good side) or point (the estimate)", default: "interval" },
    { flag: "--fail-unchecked", description: "a prompt that cannot be checked (no target, too few reruns for an interval, n < K) fails instead of being listed as not checked" },
    { flag: "--junit", value: "OUT", description: "write JUnit XML: one testcase per prompt, a failure with the figures and the fork" },
    { flag: "--baseline", value: "PATH", description: "a run file, trace set or folder to compare with (as hotmess compare): a prompt fails when its accuracy fell or its incoherence rose significantly since" },
    { flag: "--seed", value: "N", description: "seed of the intervals", default: `a run file's recorded seed, else ${DEFAULT_SEED}`, number: { int: true, min: 0 } },
  ],
};

export const COMMANDS = { analyze: ANALYZE, run: RUN, bench: BENCH, export: EXPORT, import: IMPORT, classes: CLASSES, compare: COMPARE, check: CHECK, demo: DEMO } satisfies Record<string, CommandSpec>;
export type CommandName = keyof typeof COMMANDS;

/** Whether a word is a subcommand (an own key of COMMANDS: "toString" is not). */
export function isCommand(word: string): word is CommandName {
  return Object.hasOwn(COMMANDS, word);
}

export const TOP: CommandSpec = {
  name: "",
  usage: ["<command> [options]"],
  summary: "",
  about: "",
  positionals: { max: 0, extra: "give the command first: hotmess <command> [options]" },
  options: [{ flag: "--version", short: "-v", description: "print the version" }],
};

/** `hotmess --help`: the commands, each with its usage; each command's --help has its options. */
export function renderOverview(): string {
  const out = [`hotmess ${VERSION}: how reruns of a prompt fall apart`, "", "Usage:"];
  for (const spec of Object.values(COMMANDS)) for (const u of spec.usage) out.push(`  hotmess ${spec.name}${u ? ` ${u}` : ""}`);
  out.push("  hotmess help [COMMAND]", "  hotmess --help | --version", "", "Commands:");
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  for (const spec of Object.values(COMMANDS)) out.push(`  ${spec.name.padEnd(width)}  ${spec.summary}`);
  out.push(
    "",
    "Run hotmess <command> --help (or hotmess help <command>) for a command's options.",
    "",
    "Exit status: 0 on success, 2 when some input lines or samples were skipped or failed, 1 on an",
    "error, 130 when a run was cancelled; hotmess check: 1 when a threshold is crossed, 2 on an error.",
  );
  return out.join("\n") + "\n";
}
