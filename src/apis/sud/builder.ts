/**
 * SUD requests: one per record, a JSON body serialized exactly once (docs/API.md § sud.report_game_info). That text
 * is what the signer hashes and what goes on the wire, so mg_id's int64 digits, unknown
 * fields and key order are whatever the record had. The configured `uid`/`ss_token` are in
 * the record already (credentials.ts, applied before it was judged).
 */
import { parseExact, stringifyExact } from '../../json/exact.js';
import type { ValidRecord } from '../../records.js';
import type { BuildOptions, PendingRequest, RequestBuilder, UrlOption } from '../api.js';
import { sudDuplicateKey } from './keys.js';

export const SUD_ENDPOINT_ID = 'sud.report_game_info' as const;
export const SUD_DEFAULT_PATH = '/sud/report_game_info';
/** The URL is deployment-specific (docs/API.md): --sud-url, or "sudUrl" in the config. */
export const SUD_URL_OPTION: UrlOption = {
  option: 'sudUrl',
  flag: '--sud-url',
  configKey: 'sudUrl',
  describe: "full URL of SUD's report endpoint (deployment-specific)",
  label: 'SUD',
  upstreamDescribe: 'with --upstream: forward SUD requests to this URL instead',
};

/**
 * --keep-auth: the `Sud-*` headers a captured request came with (`_headers`, set by the
 * capture reader), sent again unchanged, so the signer leaves the request as captured.
 */
function capturedAuth(record: ValidRecord): Record<string, string> | undefined {
  const headers = record.meta._headers;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name] = value;
  return out;
}

/**
 * The body to send: the value, serialized once. With --keep-auth, a captured request's own
 * body text (`_body`) when it holds exactly that value, so its captured signature, made over
 * those bytes however they were spaced, still holds; a value validation changed (a truncated
 * extra, a filled-in credential) is sent as it is now.
 */
function bodyOf(record: ValidRecord, keepAuth: boolean): string {
  const text = stringifyExact(record.value);
  const captured = record.meta._body;
  if (!keepAuth || typeof captured !== 'string' || captured === text) return text;
  try {
    return stringifyExact(parseExact(captured)) === text ? captured : text;
  } catch {
    return text;
  }
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
        urlOption: SUD_URL_OPTION.option,
        body: bodyOf(record, options.keepAuth),
        headers: { 'content-type': 'application/json', ...(options.keepAuth && capturedAuth(record)) },
        ...(duplicateKey === undefined ? {} : { duplicateKey }),
      };
      return [request];
    },
    alone(): string {
      return '';
    },
    due(): PendingRequest[] {
      return [];
    },
    flush(): PendingRequest[] {
      return [];
    },
  };
}
