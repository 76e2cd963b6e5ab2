/** The SUD game report API (docs/API.md § sud.report_game_info): one endpoint, `sud.report_game_info`. */
import type { ApiModule, Endpoint } from '../api.js';
import { SUD_DEFAULT_PATH, SUD_ENDPOINT_ID, SUD_URL_OPTION, createSudBuilder } from './builder.js';
import { createSudAnswerer } from './answer.js';
import { sudFromCapture } from './capture.js';
import { SUD_CREDENTIALS, SUD_SECRET_FIELDS, SUD_VERIFICATION, withSudCredentials } from './credentials.js';
import { typeSudTextFields } from './csv.js';
import { generateSudRecords, SUD_COLUMNS } from './generate.js';
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
  urlOption: SUD_URL_OPTION,
  rules: SUD_RULES,
  detectBy: ['report_type', 'report_msg'],
  fields: ENVELOPE_FIELDS,
  typeTextFields: typeSudTextFields,
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
   * sud.appSecret. When neither is configured the request goes unsigned: the body's
   * uid/ss_token authenticate it (docs/API.md).
   */
  signing: { signer: 'sud-hmac', secret: 'sudAppSecret', appId: 'sudAppId', optional: true, carriedIn: { header: 'Sud-Signature' } },
  interpret: interpretSudResponse,
  createAnswerer: (context) => createSudAnswerer(sudReportGameInfo, context),
  retryPolicy: SUD_RETRY_POLICY,
  // The receiver de-duplicates on (report_type, game_round_id), so a second copy of a
  // report whose answer was lost does no harm (README, "Uncertain deliveries").
  uncertainPolicy: 'resend',
};

export const sudApi: ApiModule = {
  name: 'sud',
  endpoints: [sudReportGameInfo],
  credentials: SUD_CREDENTIALS,
  secretFields: SUD_SECRET_FIELDS,
  verification: SUD_VERIFICATION,
  generator: { records: generateSudRecords, columns: SUD_COLUMNS },
};
