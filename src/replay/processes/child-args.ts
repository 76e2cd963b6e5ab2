/**
 * `replay --processes N` (docs/scaling-out.md "One machine"): the command line of shard K of N.
 * Each child is the same `replay` command with `--shard K/N`, its own share of the load and
 * its own files; the parent merges what they report. Rewritten from the user's own words
 * (the raw arguments), so every other option reaches the children exactly as typed.
 *
 * - `--processes` is the parent's; `--report`, `--json` and `--threshold` too: the parent
 *   writes and judges the merged report (a p99 of shards is not the p99 of the run).
 * - `--concurrency C` and `--rate R` (`--ramp A:B:D`) are totals, split among the children,
 *   like autocannon's `--workers` splits its connections.
 * - `--checkpoint FILE` and `--failed FILE` become one file per shard (`shardPath`).
 */
import path from 'node:path';

/** Options the parent keeps to itself (with how many values each takes: `Infinity` = an array). */
const PARENT_ONLY: ReadonlyMap<string, number> = new Map([
  ['processes', 1],
  ['report', 1],
  ['json', 0],
  ['threshold', Infinity],
]);
/** Options whose value is rewritten per shard. */
const PER_SHARD = new Set(['checkpoint', 'failed', 'concurrency', 'rate', 'ramp']);

export interface ShardPlan {
  readonly index: number;
  readonly count: number;
  /** Total requests in flight over all shards (the user's --concurrency or its default). */
  readonly concurrency: number;
}

/** `run.ckpt` → `run.shard-0-of-2.ckpt`: a shard's own file beside the one the user named. */
export function shardPath(file: string, index: number, count: number): string {
  const ext = path.extname(file);
  const base = ext === '' || ext === file ? file : file.slice(0, -ext.length);
  return `${base}.shard-${index}-of-${count}${ext}`;
}

/** Shard `index`'s share of `total` (whole numbers, the remainder to the first shards, at least 1 each). */
export function shareOf(total: number, index: number, count: number): number {
  return Math.max(1, Math.floor(total / count) + (index < total % count ? 1 : 0));
}

function rewriteValue(name: string, value: string, plan: ShardPlan): string {
  const { index, count } = plan;
  switch (name) {
    case 'checkpoint':
    case 'failed':
      return shardPath(value, index, count);
    case 'rate':
      return String(Number(value) / count);
    case 'ramp': {
      // FROM:TO:DURATION: each shard ramps over the same time to its share of the rates.
      const [from, to, ...rest] = value.split(':');
      return [String(Number(from) / count), String(Number(to) / count), ...rest].join(':');
    }
    default:
      return value;
  }
}

/**
 * The arguments of shard `plan.index`, from the parent's raw arguments (`replay …`, as
 * given to `main`). Options are recognised in their `--name value` and `--name=value`
 * forms; after `--` nothing is rewritten.
 */
export function childArgs(argv: readonly string[], plan: ShardPlan): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      out.push(arg);
      continue;
    }
    const name = m[1]!;
    const inline = m[2];
    const parentOnly = PARENT_ONLY.get(name);
    if (parentOnly !== undefined) {
      if (inline !== undefined || parentOnly === 0) continue;
      if (parentOnly === 1) i++;
      // An array option takes values up to the next option, as yargs reads it.
      else while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (name === 'concurrency') {
      if (inline === undefined) i++;
      continue; // added below, split
    }
    if (PER_SHARD.has(name)) {
      if (inline !== undefined) out.push(`--${name}=${rewriteValue(name, inline, plan)}`);
      else if (i + 1 < argv.length) {
        out.push(arg, rewriteValue(name, argv[i + 1]!, plan));
        i++;
      } else out.push(arg);
      continue;
    }
    out.push(arg);
  }
  const at = out.indexOf('--');
  const extra = ['--shard', `${plan.index}/${plan.count}`, '--concurrency', String(shareOf(plan.concurrency, plan.index, plan.count)), '--quiet'];
  if (at === -1) out.push(...extra);
  else out.splice(at, 0, ...extra);
  return out;
}
