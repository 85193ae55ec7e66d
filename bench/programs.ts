// Seeded code-generation trace sets for the benchmark: many small programming tasks (999 by
// default), each rerun 30 times, each rerun a short Python function the way a code model writes
// them (HumanEval-style samples: 5 to 20 lines). Reruns of a task vary the way real samples do:
//   - another implementation (a loop, a comprehension, a built-in), with its own names;
//   - a docstring or not, a comment now and then, type hints or not;
//   - a bug now and then (an off-by-one, a wrong comparison, a missing edge case), which fails
//     the task's tests in its own way.
// Each sample logs the test outcome as its answer ("passed", or how it failed) and `correct`,
// as a harness that runs the tests would. Output: trace-set JSON Lines (shared/design/FORMATS.md).
import { mulberry32 } from "../src/core";

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** The names a sample chose (each rerun picks its own). */
interface Names {
  fn: string;
  xs: string;
  acc: string;
  item: string;
  hints: boolean;
}

/** One way to write the task: its body lines, and how a bug in it fails the tests (if it can have one). */
interface Variant {
  body: (k: number, n: Names, buggy: boolean) => string[];
  bug?: string;
}

interface Task {
  name: string;
  prompt: (k: number) => string;
  args: string;
  returns: string;
  variants: Variant[];
}

const TASKS: Task[] = [
  {
    name: "sum_multiples",
    prompt: (k) => `Return the sum of the numbers in the list that are multiples of ${k}.`,
    args: "list[int]",
    returns: "int",
    variants: [
      {
        body: (k, n, bug) => [`${n.acc} = 0`, `for ${n.item} in ${n.xs}:`, `    if ${n.item} % ${k} ${bug ? "!=" : "=="} 0:`, `        ${n.acc} += ${n.item}`, `return ${n.acc}`],
        bug: "AssertionError: assert 12 == 18",
      },
      { body: (k, n) => [`return sum(${n.item} for ${n.item} in ${n.xs} if ${n.item} % ${k} == 0)`] },
      {
        body: (k, n, bug) => [`${n.acc} = 0`, `for i in range(${bug ? 1 : 0}, len(${n.xs})):`, `    if ${n.xs}[i] % ${k} == 0:`, `        ${n.acc} = ${n.acc} + ${n.xs}[i]`, `return ${n.acc}`],
        bug: "AssertionError: assert 6 == 18",
      },
    ],
  },
  {
    name: "count_above",
    prompt: (k) => `Count how many numbers in the list are greater than ${k}.`,
    args: "list[int]",
    returns: "int",
    variants: [
      {
        body: (k, n, bug) => [`${n.acc} = 0`, `for ${n.item} in ${n.xs}:`, `    if ${n.item} ${bug ? ">=" : ">"} ${k}:`, `        ${n.acc} += 1`, `return ${n.acc}`],
        bug: "AssertionError: assert 4 == 3",
      },
      { body: (k, n) => [`return len([${n.item} for ${n.item} in ${n.xs} if ${n.item} > ${k}])`] },
      { body: (k, n) => [`return sum(1 for ${n.item} in ${n.xs} if ${n.item} > ${k})`] },
    ],
  },
  {
    name: "window_max",
    prompt: (k) => `Return the largest sum of ${k} consecutive numbers in the list, or None if the list is shorter than ${k}.`,
    args: "list[int]",
    returns: "int | None",
    variants: [
      {
        body: (k, n, bug) => [
          `if len(${n.xs}) < ${k}:`,
          `    return None`,
          `${n.acc} = sum(${n.xs}[:${k}])`,
          `best = ${n.acc}`,
          `for i in range(${k}, len(${n.xs})${bug ? " - 1" : ""}):`,
          `    ${n.acc} += ${n.xs}[i] - ${n.xs}[i - ${k}]`,
          `    best = max(best, ${n.acc})`,
          `return best`,
        ],
        bug: "AssertionError: assert 21 == 24",
      },
      {
        body: (k, n, bug) => [
          ...(bug ? [] : [`if len(${n.xs}) < ${k}:`, `    return None`]),
          `return max(sum(${n.xs}[i:i + ${k}]) for i in range(len(${n.xs}) - ${k} + 1))`,
        ],
        bug: "ValueError: max() arg is an empty sequence",
      },
    ],
  },
  {
    name: "rotate_left",
    prompt: (k) => `Rotate the list left by ${k} places and return the new list.`,
    args: "list[int]",
    returns: "list[int]",
    variants: [
      { body: (k, n, bug) => [...(bug ? [] : [`if not ${n.xs}:`, `    return []`]), `s = ${k} % len(${n.xs})`, `return ${n.xs}[s:] + ${n.xs}[:s]`], bug: "ZeroDivisionError: integer modulo by zero" },
      {
        body: (k, n) => [`${n.acc} = list(${n.xs})`, `for _ in range(${k}):`, `    if ${n.acc}:`, `        ${n.acc}.append(${n.acc}.pop(0))`, `return ${n.acc}`],
      },
      { body: (k, n, bug) => [`from collections import deque`, `d = deque(${n.xs})`, `d.rotate(${bug ? "" : "-"}${k})`, `return list(d)`], bug: "AssertionError: assert [4, 5, 1, 2, 3] == [3, 4, 5, 1, 2]" },
    ],
  },
  {
    name: "clamp_all",
    prompt: (k) => `Clamp every number of the list into the range 0 to ${k} inclusive.`,
    args: "list[int]",
    returns: "list[int]",
    variants: [
      { body: (k, n) => [`return [min(max(${n.item}, 0), ${k}) for ${n.item} in ${n.xs}]`] },
      {
        body: (k, n, bug) => [
          `${n.acc} = []`,
          `for ${n.item} in ${n.xs}:`,
          `    if ${n.item} < 0:`,
          `        ${n.acc}.append(0)`,
          `    elif ${n.item} ${bug ? ">=" : ">"} ${k}:`,
          `        ${n.acc}.append(${k})`,
          `    else:`,
          `        ${n.acc}.append(${n.item})`,
          `return ${n.acc}`,
        ],
      },
    ],
  },
  {
    name: "nth_fib_mod",
    prompt: (k) => `Return the n-th Fibonacci number modulo ${k}.`,
    args: "int",
    returns: "int",
    variants: [
      {
        body: (k, n, bug) => [`a, b = 0, 1`, `for _ in range(${n.xs}${bug ? " - 1" : ""}):`, `    a, b = b, (a + b) % ${k}`, `return a`],
        bug: "AssertionError: assert 3 == 5",
      },
      {
        body: (k, n, bug) => [`if ${n.xs} ${bug ? "<=" : "<"} 2:`, `    return ${n.xs} % ${k}${bug ? "" : " if " + n.xs + " < 2 else 1"}`, `${n.acc} = [0, 1]`, `while len(${n.acc}) <= ${n.xs}:`, `    ${n.acc}.append((${n.acc}[-1] + ${n.acc}[-2]) % ${k})`, `return ${n.acc}[${n.xs}]`],
        bug: "AssertionError: assert 2 == 1",
      },
    ],
  },
  {
    name: "digits_over",
    prompt: (k) => `Return how many digits of the number are larger than ${k % 10}.`,
    args: "int",
    returns: "int",
    variants: [
      { body: (k, n) => [`return sum(1 for d in str(abs(${n.xs})) if int(d) > ${k % 10})`] },
      {
        body: (k, n, bug) => [`${n.xs} = ${bug ? n.xs : `abs(${n.xs})`}`, `${n.acc} = 0`, `while ${n.xs} > 0:`, `    if ${n.xs} % 10 > ${k % 10}:`, `        ${n.acc} += 1`, `    ${n.xs} //= 10`, `return ${n.acc}`],
        bug: "AssertionError: assert 0 == 2",
      },
    ],
  },
  {
    name: "chunk",
    prompt: (k) => `Split the list into chunks of ${k} items; the last chunk may be shorter.`,
    args: "list[int]",
    returns: "list[list[int]]",
    variants: [
      { body: (k, n, bug) => [`return [${n.xs}[i:i + ${k}] for i in range(0, len(${n.xs})${bug ? ` - ${k}` : ""}, ${k})]`], bug: "AssertionError: assert [[1, 2]] == [[1, 2], [3]]" },
      {
        body: (k, n) => [`${n.acc} = []`, `for i, ${n.item} in enumerate(${n.xs}):`, `    if i % ${k} == 0:`, `        ${n.acc}.append([])`, `    ${n.acc}[-1].append(${n.item})`, `return ${n.acc}`],
      },
    ],
  },
];

const LIST_NAMES = ["nums", "numbers", "xs", "values", "arr", "lst", "data"];
const ACC_NAMES = ["total", "result", "acc", "count", "out", "res"];
const ITEM_NAMES = ["x", "n", "v", "num", "item", "value"];
const COMMENTS = ["# edge case first", "# walk the list once", "# O(n) time", "# keep a running total", "# handle the empty input"];

/** A Python program as a model writes it for a task: signature, maybe a docstring and comments, the body. */
function program(r: Rand, task: Task, k: number, v: Variant, buggy: boolean): string {
  const names: Names = {
    fn: task.name,
    xs: task.args === "int" ? pick(r, ["n", "num", "x"]) : pick(r, LIST_NAMES),
    acc: pick(r, ACC_NAMES),
    item: pick(r, ITEM_NAMES),
    hints: r() < 0.6,
  };
  const sig = names.hints ? `def ${names.fn}(${names.xs}: ${task.args}) -> ${task.returns}:` : `def ${names.fn}(${names.xs}):`;
  const lines = [sig];
  if (r() < 0.5) lines.push(`    """${task.prompt(k)}"""`);
  for (const line of v.body(k, names, buggy)) {
    if (r() < 0.06) lines.push(`    ${pick(r, COMMENTS)}`);
    lines.push(`    ${line}`);
  }
  const text = lines.join("\n");
  // some samples come in a fence, with a sentence before it
  return r() < 0.3 ? `Here is the implementation:\n\n\`\`\`python\n${text}\n\`\`\`` : text;
}

export interface ProgramSetOptions {
  /** Tasks (prompts); 999 by default. */
  tasks?: number;
  /** Samples per task; 30 by default. */
  samples?: number;
  seed?: number;
}

/** Generates the trace set: one JSON line per task, each with its samples. */
export function generateProgramSet(options: ProgramSetOptions = {}): string {
  const r = mulberry32(options.seed ?? 20240612);
  const tasks = options.tasks ?? 999;
  const samples = options.samples ?? 30;
  const lines: string[] = [];
  for (let t = 0; t < tasks; t++) {
    const task = TASKS[t % TASKS.length]!;
    const k = int(r, 2, 9) + 10 * Math.floor(t / TASKS.length); // a parameter of its own per task
    // how hard the task is for this model: the chance a sample has a bug
    const difficulty = pick(r, [0.02, 0.1, 0.25, 0.5]);
    const out: { text: string; answer: string; correct: boolean }[] = [];
    for (let s = 0; s < samples; s++) {
      const v = pick(r, task.variants);
      const buggy = v.bug !== undefined && r() < difficulty * task.variants.length;
      out.push({ text: program(r, task, k, v, buggy), answer: buggy ? v.bug! : "passed", correct: !buggy });
    }
    lines.push(JSON.stringify({ id: `code-${String(t).padStart(3, "0")}-${task.name}`, prompt: `${task.prompt(k)}\nWrite a Python function \`${task.name}\`.`, samples: out }));
  }
  return lines.join("\n") + "\n";
}
