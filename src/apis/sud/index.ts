/** The SUD game report API (SPEC §1.2): one endpoint, `sud.report_game_info`. */
import type { ApiModule, Endpoint } from '../api.js';
import { SUD_DEFAULT_PATH, SUD_ENDPOINT_ID, createSudBuilder } from './builder.js';
import { sudFromCapture } from './capture.js';
import { withSudCredentials } from './credentials.js';
import { sudFromCsv } from './csv.js';
import { sudDuplicateKey, sudShardKey, sudTimeOf, sudUniquify } from './keys.js';
import { SUD_RETRY_POLICY, interpretSudResponse } from './response.js';
import { SUD_RULES } from './rules.js';
import { ENVELOPE_FIELDS } from './schema.js';
import { validateSudRecord } from './validate.js';

export { truncateUtf8 } from './truncate.js';
export { withSudCredentials } from './credentials.js';

export const sudReportGameInfo: Endpoint = {
  id: SUD_ENDPOINT_ID,
  api: 'sud',
  defaultPath: SUD_DEFAULT_PATH,
  rules: SUD_RULES,
  detectBy: ['report_type', 'report_msg'],
  fields: ENVELOPE_FIELDS,
  fromCsv: sudFromCsv,
  withCredentials: withSudCredentials,
  validate: (value) => validateSudRecord(value),
  duplicateKey: sudDuplicateKey,
  uniquify: sudUniquify,
  shardKey: sudShardKey,
  timeOf: sudTimeOf,
  fromCapture: sudFromCapture,
  createBuilder: createSudBuilder,
  /**
   * sud-hmac adds SUD's callback signature headers, which needs sud.appId and
   * sud.appSecret. When those are not configured the engine signs SUD with 'none':
   * the body's uid/ss_token authenticate the request (SPEC §1.2).
   */
  defaultSigner: 'sud-hmac',
  interpret: interpretSudResponse,
  retryPolicy: SUD_RETRY_POLICY,
  // The receiver de-duplicates on (report_type, game_round_id), so a second copy of a
  // report whose answer was lost does no harm (README, "Uncertain deliveries").
  uncertainPolicy: 'resend',
};

export const sudApi: ApiModule = { name: 'sud', endpoints: [sudReportGameInfo] };
