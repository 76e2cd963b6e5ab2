/**
 * SUD requests: one per record, a JSON body serialized exactly once (SPEC §1.2). That text
 * is what the signer hashes and what goes on the wire, so mg_id's int64 digits, unknown
 * fields and key order are whatever the record had.
 */
import { stringifyExact } from '../../json/exact.js';
import type { JsonObject, ValidRecord } from '../../records.js';
import type { BuildOptions, PendingRequest, RequestBuilder } from '../api.js';
import { sudDuplicateKey } from './keys.js';

export const SUD_ENDPOINT_ID = 'sud.report_game_info' as const;
export const SUD_DEFAULT_PATH = '/sud/report_game_info';

/**
 * The body's fields: `uid`/`ss_token` replaced by the configured credentials when given
 * (SPEC §1.2), in place so the key order stays the record's. With `keepAuth` the logged
 * values are sent as they were, to reproduce captured traffic.
 */
export function sudRequestBody(value: JsonObject, options: Pick<BuildOptions, 'credentials' | 'keepAuth'>): string {
  const { sudUid, sudSsToken } = options.credentials;
  if (options.keepAuth || (sudUid === undefined && sudSsToken === undefined)) return stringifyExact(value);
  const body: JsonObject = { ...value };
  if (sudUid !== undefined) body.uid = sudUid;
  if (sudSsToken !== undefined) body.ss_token = sudSsToken;
  return stringifyExact(body);
}

/** Nothing is held back: every record is its own request, emitted as it is added. */
export function createSudBuilder(options: BuildOptions): RequestBuilder {
  return {
    held: 0,
    add(record: ValidRecord): PendingRequest[] {
      const duplicateKey = sudDuplicateKey(record.value);
      const request: PendingRequest = {
        endpoint: SUD_ENDPOINT_ID,
        records: [record],
        path: SUD_DEFAULT_PATH,
        body: sudRequestBody(record.value, options),
        headers: { 'content-type': 'application/json' },
        ...(duplicateKey === undefined ? {} : { duplicateKey }),
      };
      return [request];
    },
    due(): PendingRequest[] {
      return [];
    },
    flush(): PendingRequest[] {
      return [];
    },
  };
}
