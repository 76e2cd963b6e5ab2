/**
 * "A replay that lacks a credential it needs stops before sending anything" (SPEC §5).
 * With --api auto the endpoints are known only by reading: when some endpoint lacks a
 * credential, read the inputs once first and see whether any record that would be sent
 * belongs to it. Runs with every credential (the usual case) never pay for this.
 */
import type { Endpoint } from '../apis/api.js';
import { readRecords } from '../input/read.js';
import type { InputSource } from '../input/sources.js';
import type { Origin } from '../records.js';
import { RecordJudge, type JudgeOptions } from '../validate/judge.js';

/** Endpoints among `wanted` that some valid record belongs to, with the first such record's origin. */
export async function findEndpointsInInputs(
  inputs: readonly InputSource[],
  read: { readonly delimiter?: string },
  judge: JudgeOptions,
  wanted: ReadonlySet<Endpoint>,
): Promise<Map<Endpoint, Origin>> {
  const found = new Map<Endpoint, Origin>();
  const judgeOnly = new RecordJudge(judge, undefined);
  for await (const batch of readRecords(inputs, { delimiter: read.delimiter })) {
    for (const raw of batch) {
      const verdict = judgeOnly.judge(raw);
      const endpoint = verdict.endpoint;
      if (verdict.record && endpoint && wanted.has(endpoint) && !found.has(endpoint)) {
        found.set(endpoint, raw.origin);
        if (found.size === wanted.size) return found;
      }
    }
  }
  return found;
}
