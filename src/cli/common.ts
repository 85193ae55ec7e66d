// What the hotmess subcommands share: the version, the two kinds of error, the streams, and a
// small strict argument parser.
import pkg from "../../package.json";

export const VERSION: string = pkg.version;

export class UsageError extends Error {}

export interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** A small strict parser: known flags only, values after a space or `=`. */
export function parseArgs(argv: string[], valued: Set<string>, boolean: Set<string>): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-" || !arg.startsWith("-")) {
      positional.push(arg);
      continue;
    }
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (boolean.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else if (valued.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option ${name}`);
  }
  return { positional, flags };
}

export function intFlag(p: Parsed, name: string, fallback: number, min: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (typeof v !== "string" || !Number.isInteger(x) || x < min) throw new UsageError(`${name} must be an integer ≥ ${min}, not "${String(v)}"`);
  return x;
}

export class FatalError extends Error {}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

