/**
 * One form-encoded request per record (the download service takes no batches and no
 * signature). Parameters go in the API document's order, as text, then any other fields the
 * record carried; encodeRequest percent-encodes them as UTF-8.
 */
import type { BuildOptions, PendingRequest, RequestBuilder } from '../api.js';
import { stringifyExact } from '../../json/exact.js';
import type { JsonObject, ValidRecord } from '../../records.js';
import type { DownloadSchema } from './schema.js';

function paramText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return stringifyExact(v);
  return String(v);
}

/** The form parameters for a validated value (see validate.ts for its shape). */
function downloadParams(schema: DownloadSchema, value: JsonObject, openidField: BuildOptions['downloadOpenidField']): Record<string, string> {
  const params: Record<string, string> = {};
  for (const spec of schema.specs) {
    const v = value[spec.name];
    if (v === undefined || v === null) continue;
    // Only downloadEvent's `oepnid` has an alias; --download-openid-field renames it on the wire.
    params[spec.alias !== undefined ? openidField : spec.name] = paramText(v);
  }
  for (const key in value) {
    if (schema.known.has(key)) continue;
    const v = value[key];
    if (v !== undefined && v !== null && v !== '') params[key] = paramText(v);
  }
  return params;
}

export class DownloadRequestBuilder implements RequestBuilder {
  readonly held = 0;
  readonly #schema: DownloadSchema;
  readonly #path: string;
  readonly #openidField: BuildOptions['downloadOpenidField'];

  constructor(schema: DownloadSchema, path: string, options: BuildOptions) {
    this.#schema = schema;
    this.#path = path;
    this.#openidField = options.downloadOpenidField;
  }

  add(record: ValidRecord): PendingRequest[] {
    return [
      {
        endpoint: this.#schema.endpoint,
        records: [record],
        path: this.#path,
        params: downloadParams(this.#schema, record.value, this.#openidField),
        paramsIn: 'form',
        headers: {},
      },
    ];
  }

  alone(): string {
    return '';
  }

  due(): PendingRequest[] {
    return [];
  }

  flush(): PendingRequest[] {
    return [];
  }
}
