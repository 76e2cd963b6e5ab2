/**
 * A line `serve --record` wrote is a first-class input record (README, "Capture a client,
 * replay it later"). The line holds a request (method, url, headers, body, time) and what
 * became of it; the endpoint's module turns the request back into the record it carries
 * (`Endpoint.fromCapture`). The record keeps the capture's file:line as its origin, and
 * its metadata say when it arrived (`_time`, for `--pace original`), which endpoint it went
 * to (`_api`), what became of it (`_capture`), the headers that carried its auth and the
 * body text they signed (`_headers`, `_body`: used only with `--keep-auth`).
 *
 * A request the server did not accept (refused, a fault injected before it was processed,
 * a duplicate; behind `--upstream`, an upstream answer that is a failure for its API) is
 * still read, as an invalid record whose finding says why: it is never sent again, so a
 * client's retries in the capture are not replayed twice.
 */
import type { CapturedRequest, EndpointId } from '../apis/api.js';
import { allEndpoints, getEndpoint } from '../apis/registry.js';
import { isJsonObject } from '../json/exact.js';
import type { JsonObject, Origin, RawRecord } from '../records.js';

/** Error records keep at most this much of the line, as every reader does. */
const KEPT_TEXT = 1000;

/** The recorder's own fields: a record of any API has none of `method`, `url` and `headers` together. */
export function isCaptureLine(value: JsonObject): boolean {
  return (
    typeof value.method === 'string' &&
    typeof value.url === 'string' &&
    typeof value.time === 'string' &&
    isJsonObject(value.headers) &&
    (typeof value.body === 'string' || typeof value.body_base64 === 'string')
  );
}

/** The endpoint a capture went to: as recorded, else by its path (a line written before endpoints were named). */
function endpointOf(line: JsonObject, path: string): EndpointId | undefined {
  if (typeof line.endpoint === 'string' && getEndpoint(line.endpoint)) return line.endpoint;
  const bare = (p: string): string => (p.endsWith('/') ? p.slice(0, -1) : p);
  return allEndpoints().find((endpoint) => bare(endpoint.defaultPath) === bare(path))?.id;
}

function bodyOf(line: JsonObject): { text: string; utf8: boolean } {
  if (typeof line.body_base64 === 'string') {
    const bytes = Buffer.from(line.body_base64, 'base64');
    return { text: bytes.toString('utf8'), utf8: false };
  }
  return { text: line.body as string, utf8: true };
}

/** Why the server did not take the request, or undefined when it did. */
function refusal(line: JsonObject, endpointId: EndpointId): string | undefined {
  const upstream = line.upstream;
  if (isJsonObject(upstream)) {
    if (typeof upstream.error === 'string') return `the upstream did not answer: ${upstream.error}`;
    const endpoint = getEndpoint(endpointId)!;
    const headers = isJsonObject(upstream.headers) ? (upstream.headers as Record<string, string>) : {};
    const body = typeof upstream.body === 'string' ? upstream.body : '';
    const outcome = endpoint.interpret({ status: Number(upstream.status), headers, body });
    return outcome.ok ? undefined : `the upstream answered ${outcome.cause}${outcome.message ? `: ${outcome.message}` : ''}`;
  }
  if (line.verdict === undefined || line.verdict === 'accepted') return undefined;
  const reason = typeof line.reason === 'string' ? `: ${line.reason}` : '';
  return `the receiver answered ${String(line.status)} (${String(line.verdict)})${reason}`;
}

function invalid(origin: Origin, rule: string, message: string, text: string): RawRecord {
  return { origin, format: 'ndjson', error: { rule, message: message.replace(/[\r\n]+/g, ' ') }, text: text.slice(0, KEPT_TEXT) };
}

/** The record a capture line carries, or an invalid record saying why it carries none. */
export function captureRecord(line: JsonObject, origin: Origin, text: string): RawRecord {
  const url = line.url as string;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const endpointId = endpointOf(line, path);
  const endpoint = endpointId === undefined ? undefined : getEndpoint(endpointId);
  if (endpoint === undefined || endpointId === undefined) return invalid(origin, 'capture.unreadable', `captured ${String(line.method)} ${path} went to no endpoint`, text);
  const why = refusal(line, endpointId);
  if (why !== undefined) return invalid(origin, 'capture.refused', `${endpointId}: ${why}`, text);
  if (endpoint.fromCapture === undefined) return invalid(origin, 'capture.unreadable', `${endpointId} cannot read captured requests`, text);
  const body = bodyOf(line);
  const request: CapturedRequest = { query: q < 0 ? '' : url.slice(q + 1), headers: line.headers as CapturedRequest['headers'], body: body.text, bodyUtf8: body.utf8 };
  const reading = endpoint.fromCapture(request);
  if ('error' in reading) return invalid(origin, 'capture.unreadable', `${endpointId}: ${reading.error}`, text);
  const capture: JsonObject = { verdict: line.verdict ?? null, status: line.status ?? null };
  if (isJsonObject(line.upstream)) capture.upstream_status = line.upstream.status ?? null;
  const value: JsonObject = { ...reading.value, _api: endpointId, _time: line.time, _capture: capture };
  if (reading.authHeaders !== undefined) value._headers = { ...reading.authHeaders };
  if (reading.signedBody !== undefined) value._body = reading.signedBody;
  return { origin, format: 'ndjson', value };
}
