/**
 * Command-line mistakes in plain words. The argument parser (yargs) finds them — a flag
 * without its value, an unknown flag, a value outside its choices, a missing input — and
 * says so in its own terms ("Not enough arguments following: target"); this turns each
 * into a usage error a person acts on ("--target needs a URL"), with a did-you-mean for
 * names that are close to a real one. It also catches what the parser lets through: a
 * number flag given text (`--rate abc`) and a switch given a value (`--strict=maybe`).
 */
import { UsageError } from '../errors.js';
import { urlOptions } from '../apis/registry.js';

/** What the parser knows of the options of the command being run (yargs' getOptions()). */
export interface KnownOptions {
  readonly key: Readonly<Record<string, unknown>>;
  readonly choices?: Readonly<Record<string, readonly unknown[]>>;
  readonly number?: readonly string[];
  readonly boolean?: readonly string[];
  readonly array?: readonly string[];
}

export interface ParseContext {
  readonly options: KnownOptions;
  /** The command line as typed (after the program name). */
  readonly args: readonly string[];
  /** The command names, for "unknown command" suggestions. */
  readonly commands: readonly string[];
}

/** What a flag's value is, for "--X needs …"; flags not named here are described by their type. */
const VALUE_NOUNS: Readonly<Record<string, string>> = {
  target: 'a URL (for example http://127.0.0.1:8000)',
  config: 'a file name',
  report: 'a file name',
  failed: 'a file name',
  checkpoint: 'a file name',
  record: 'a file name',
  env: 'an environment name from the config file',
  signer: 'a signer: md5-sorted, sud-hmac, none, or a module path',
  shard: 'K/N (for example 0/4) or auto/N',
  ramp: 'FROM:TO:DURATION (for example 10:500:1m)',
  duration: 'a duration (500ms, 10s, 2m, 1h)',
  timeout: 'a duration (500ms, 10s, 2m, 1h)',
  grace: 'a duration (500ms, 10s, 2m, 1h)',
  'retry-delay': 'a duration (500ms, 10s, 2m, 1h)',
  'batch-linger': 'a duration (500ms, 10s, 2m, 1h)',
  threshold: 'an expression such as p99<200 or failed<1%',
  delimiter: 'one character (\\t for a tab)',
  latency: 'MS or MIN-MAX (for example 50 or 10-100)',
  host: 'an address to bind (for example 127.0.0.1)',
  count: 'a whole number',
  seed: 'a whole number',
};

/** What each command's positional arguments are, for "replay needs …". */
const POSITIONAL_NOUNS: Readonly<Record<string, string>> = {
  validate: 'at least one input: a file, a folder, or - for stdin',
  replay: 'at least one input: a file, a folder, or - for stdin',
  merge: 'at least one report file (written by --report)',
};

/** A flag's key as yargs camel-cases it (`batch-size` → `batchSize`), `--` already dropped. */
export function flagKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The command being run: the first argument that names one. */
export function commandOf(args: readonly string[], commands: readonly string[]): string | undefined {
  return args.find((a) => commands.includes(a));
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, when it is close enough to be what was meant. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Option names as typed: kebab-case, no one-letter aliases, no camelCase twins. */
function optionNames(options: KnownOptions): string[] {
  return Object.keys(options.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
}

function valueNoun(name: string, options: KnownOptions): string {
  const choices = options.choices?.[name];
  if (choices && choices.length > 0) return `one of ${choices.join(', ')}`;
  if (VALUE_NOUNS[name]) return VALUE_NOUNS[name];
  // An endpoint's own URL (`--sud-url`), as its API declares it.
  if (urlOptions().some((own) => own.flag === `--${name}`)) return 'a URL';
  if (options.number?.includes(name)) return 'a number';
  return 'a value';
}

/** The text typed after `--name` (`--name value` or `--name=value`), if any. */
export function typedValue(args: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `--${name}` && i + 1 < args.length) found = args[i + 1];
    else if (arg.startsWith(`--${name}=`)) found = arg.slice(name.length + 3);
  }
  return found;
}

function help(command: string | undefined): string {
  return `see report-replay ${command ? `${command} ` : ''}--help`;
}

/** How the option was typed (`--name`, `--no-name`, `-n`), or undefined when it was not typed as one. */
function typedOption(name: string, args: readonly string[]): string | undefined {
  for (const form of [`--${name}`, `--no-${name}`, `-${name}`]) if (args.some((a) => a === form || a.startsWith(`${form}=`))) return form;
  return undefined;
}

function isTypedOption(name: string, args: readonly string[]): boolean {
  return typedOption(name, args) !== undefined;
}

function unknownArgument(name: string, context: ParseContext, command: string | undefined): string {
  const typed = typedOption(name, context.args);
  if (typed) {
    const guess = closest(name, optionNames(context.options));
    return `unknown option ${typed}${guess ? ` (did you mean ${typed.startsWith('--no-') ? '--no-' : '--'}${guess}?)` : ''}`;
  }
  if (command === undefined) {
    const guess = closest(name, context.commands);
    return `unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ` (commands: ${context.commands.join(', ')})`}`;
  }
  return `${command} does not take the argument "${name}"`;
}

/** The parser's message as a usage error in plain words. */
export function describeParseFailure(message: string, context: ParseContext): UsageError {
  const command = commandOf(context.args, context.commands);
  const hint = help(command);
  let m: RegExpExecArray | null;
  if ((m = /^Not enough arguments following: (.+)$/.exec(message))) {
    return new UsageError(`--${m[1]} needs ${valueNoun(m[1]!, context.options)}`, hint);
  }
  if ((m = /^Unknown arguments?: (.+)$/.exec(message))) {
    // yargs names an unknown --kebab-flag twice, the second time as kebabFlag.
    const all = m[1]!.split(', ');
    const names = all.filter((n) => !/[A-Z]/.test(n) || !all.includes(n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    // Without a command, the first word that is not an option was meant as one; the rest follow from it.
    const typos = command === undefined ? names.filter((n, i) => i === names.findIndex((x) => !isTypedOption(x, context.args)) || isTypedOption(n, context.args)) : names;
    return new UsageError(typos.map((name) => unknownArgument(name, context, command)).join('; '), hint);
  }
  if (/^Not enough non-option arguments/.test(message) && command && POSITIONAL_NOUNS[command]) {
    return new UsageError(`${command} needs ${POSITIONAL_NOUNS[command]}`, hint);
  }
  if ((m = /^Missing required arguments?: (.+)$/.exec(message))) {
    return new UsageError(m[1]!.split(', ').map((name) => `--${name} is required`).join('; '), hint);
  }
  if (message.startsWith('Invalid values:')) {
    const problems = [...message.matchAll(/Argument: (\S+), Given: (.*), Choices: (.*)/g)].map(([, name, given]) => {
      const choices = (context.options.choices?.[name!] ?? []).map(String);
      const typed = given!.replace(/^"(.*)"$/, '$1');
      const guess = closest(typed, choices);
      return `--${name} must be one of ${choices.join(', ')}, not "${typed}"${guess ? ` (did you mean ${guess}?)` : ''}`;
    });
    if (problems.length > 0) return new UsageError(problems.join('; '), hint);
  }
  return new UsageError(message.replace(/\s*\n\s*/g, '; '), hint);
}

/**
 * A flag of one value given twice (`--target a … --target b`, as when a shell alias adds a
 * flag the command line repeats) takes the last, as command-line tools do.
 */
export function lastOneWins(argv: Record<string, unknown>, options: KnownOptions): void {
  const arrays = new Set(options.array ?? []);
  for (const key of Object.keys(argv)) {
    const value = argv[key];
    // yargs keeps each flag under its kebab-case name and a camelCase twin.
    const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (Array.isArray(value) && key !== '_' && !arrays.has(name) && name in options.key) argv[key] = value[value.length - 1];
  }
}

/**
 * What the parser lets through: a number flag whose text is not a number (it becomes NaN)
 * and a switch written with a value other than true or false (`--strict=maybe` is false).
 */
export function checkTypedValues(argv: Readonly<Record<string, unknown>>, context: ParseContext): void {
  for (const name of context.options.number ?? []) {
    const value = argv[name];
    const given = typedValue(context.args, name);
    if (given !== undefined && (value === null || (typeof value === 'number' && Number.isNaN(value)))) {
      throw new UsageError(`--${name} needs ${valueNoun(name, context.options)}, not "${given}"`, help(commandOf(context.args, context.commands)));
    }
  }
  for (const name of context.options.boolean ?? []) {
    for (const typed of [name, `no-${name}`]) {
      const given = context.args.find((a) => a.startsWith(`--${typed}=`))?.slice(typed.length + 3);
      if (given !== undefined && given !== 'true' && given !== 'false') {
        throw new UsageError(`--${typed} is a switch and takes no value, not "${given}"`, `write --${name} or --no-${name}`);
      }
    }
  }
}
