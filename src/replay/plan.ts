/**
 * What a replay's options mean before anything runs: the timing (pacer, original pace or
 * unlimited), the checkpoint's fingerprint, and the one process setting a replay wants.
 * (Combinations of flags that cannot work are refused by commands/replay-options.ts.)
 */
import { setFlagsFromString } from 'node:v8';
import { urlOptions } from '../apis/registry.js';
import { urlWithoutCredentials } from '../redact.js';
import type { ReplayOptions } from './options.js';
import { OriginalPace } from './schedule/original-pace.js';
import { ConstantPacer, LinearPacer } from './schedule/pacer.js';
import type { Timing } from './schedule/requests.js';

const UNPACED_HEAP_GROWING_PERCENT = 50;

/**
 * A replay's live heap is small (tens of MB: what is in flight and in open stat batches)
 * but churns at a high rate, and V8 lets the heap grow to up to 4× what survived the last
 * full collection before collecting again. For a run flat out, capping that growth at
 * 1.5× keeps peak RSS 50–60 MB lower on 300,000-record replays at no measurable cost in
 * speed (bench/rss.ts). A paced run keeps V8's default: more full collections mean more
 * pauses of a few ms, which show as lateness (got at 2000/s: p99 5.8 → 7 ms). The flag is
 * read at each collection, so setting it now takes effect (0 restores the default).
 */
export function tuneHeap(timing: Timing): void {
  setFlagsFromString(`--heap-growing-percent=${timing.kind === 'unlimited' ? UNPACED_HEAP_GROWING_PERCENT : 0}`);
}

/**
 * The options that decide which records a run settles: a resume must use the same. The
 * target, and each URL of an endpoint's own (`Endpoint.urlOption`, named by its flag:
 * SUD's `sud-url=`), are kept without their user name and password: the checkpoint file,
 * and the message that shows its fingerprint, never hold a secret.
 */
export function checkpointFingerprint(options: ReplayOptions): string {
  const { judge, shard, target } = options;
  const url = (text: string | undefined): string => (text === undefined ? 'none' : urlWithoutCredentials(text));
  return [
    `api=${judge.api}`,
    `strict=${judge.strict}`,
    `allow-unknown-aid=${judge.allowUnknownAid}`,
    `shard=${shard ? `${shard.index}/${shard.count}` : 'none'}`,
    `target=${url(target.baseUrl)}`,
    ...urlOptions().map((own) => `${own.flag.slice(2)}=${url(target[own.option])}`),
  ].join(' ');
}

export function timingOf(options: ReplayOptions): Timing {
  const { durationMs } = options;
  if (options.pace === 'original') return { kind: 'original', pace: new OriginalPace(options.speed), durationMs };
  if (options.ramp) return { kind: 'pacer', pacer: new LinearPacer(options.ramp.from, options.ramp.to, options.ramp.durationMs), durationMs };
  if (options.rate !== undefined) return { kind: 'pacer', pacer: new ConstantPacer(options.rate), durationMs };
  return { kind: 'unlimited' };
}
