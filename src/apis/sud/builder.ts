/**
 * SUD requests: one per record, a JSON body serialized exactly once (docs/API.md § sud.report_game_info). That text
 * is what the signer hashes and what goes on the wire, so mg_id's int64 digits, unknown
 * fields and key order are whatever the record had. The configured `uid`/`ss_token` are in
 * the record already (credentials.ts, applied before it was judged).
 */
import { stringifyExact } from '../../json/exact.js';
import type { ValidRecord } from '../../records.js';
import type { BuildOptions, PendingRequest, RequestBuilder, UrlOption } from '../api.js';
import { sudDuplicateKey } from './keys.js';

export const SUD_ENDPOINT_ID = 'sud.report_game_info' as const;
export const SUD_DEFAULT_PATH = '/sud/report_game_info';
/** The URL is deployment-specific (docs/API.md): --sud-url, or "sudUrl" in the config. */
export const SUD_URL_OPTION: UrlOption = { option: 'sudUrl', flag: '--sud-url', configKey: 'sudUrl' };

/** Nothing is held back: every record is its own request, emitted as it is added. */
export function createSudBuilder(_options: BuildOptions): RequestBuilder {
  return {
    held: 0,
    add(record: ValidRecord): PendingRequest[] {
      const duplicateKey = sudDuplicateKey(record.value);
      const request: PendingRequest = {
        endpoint: SUD_ENDPOINT_ID,
        records: [record],
        path: SUD_DEFAULT_PATH,
        urlOption: SUD_URL_OPTION.option,
        body: stringifyExact(record.value),
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
