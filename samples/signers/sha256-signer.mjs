// Example signer plugin for report-replay (SPEC §4): use it with
//
//   report-replay replay logs/ --target https://staging.example.com \
//     --signer ./samples/signers/sha256-signer.mjs --stat-secret "$SECRET"
//
// The built-in `md5-sorted` follows the statistics seed. A deployment whose gateway signs
// differently needs only a module like this one: its default export receives
//   { endpoint, params, body, secret, appId, nowSeconds }
// - endpoint: 'stat.push_data', 'sud.report_game_info', 'download.checkAppUpdate', …
// - params:   stat/download parameters exactly as they will be sent (not URL-encoded),
//             without any logged `__md5`; undefined for SUD, which has a JSON body
// - body:     SUD's exact JSON body (the bytes signed are the bytes sent)
// - secret:   the endpoint's secret (stat.secret for stat, sud.appSecret for SUD); the tool
//             refuses to start when a needed secret is not configured
// and returns the parameters and/or headers to add. Parameters are appended after the
// ones the request already has (replacing any of the same name).
//
// This one implements a common gateway scheme, HMAC-SHA256:
//   string to sign = timestamp + "\n" + canonical
//   canonical      = params sorted by name (byte order), joined as name=value with "&",
//                    values not URL-encoded — or, for a JSON body, the body itself
//   signature      = lowercase hex HMAC-SHA256(secret, string to sign)
// sent as a `sign` parameter (params requests) and as `X-Signature` / `X-Timestamp`
// headers (every signed request).
import { createHmac } from 'node:crypto';

/** Byte order of the UTF-8 names, as gateways written in Go or Java sort them. */
function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function canonicalParams(params) {
  return Object.keys(params)
    .sort(byteOrder)
    .map((name) => `${name}=${params[name]}`)
    .join('&');
}

export default function sign({ endpoint, params, body, secret, nowSeconds }) {
  // The download service takes no signature: leave its requests as they are.
  if (endpoint.startsWith('download.')) return {};
  // The tool checks credentials before sending; this guards against running the plugin
  // by hand. Never put the secret itself into an error message.
  if (!secret) throw new Error(`no secret configured for ${endpoint}`);
  const timestamp = String(nowSeconds);
  const canonical = params ? canonicalParams(params) : (body ?? '');
  const signature = createHmac('sha256', secret).update(`${timestamp}\n${canonical}`, 'utf8').digest('hex');
  const headers = { 'X-Signature': signature, 'X-Timestamp': timestamp };
  return params ? { params: { sign: signature }, headers } : { headers };
}
