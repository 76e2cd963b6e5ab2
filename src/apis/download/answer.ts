/**
 * How the embedded receiver answers the download service (docs/API.md: 200 and
 * `{"code":0}` on success): the form is judged with the same rules as `validate`; a
 * request that fails them is answered `code` 1 with the reason in `msg`.
 */
import { contentKey, describeErrors, judgeForm, JSON_TYPE, readParams, type Answer, type Answerer, type ReceiverContext } from '../answer.js';
import type { Endpoint } from '../api.js';

const OK_BODY = '{"code":0}';

function refusal(reason: string): Answer {
  return { status: 200, body: JSON.stringify({ code: 1, msg: reason }), contentType: JSON_TYPE, verdict: 'rejected', reason, records: 0 };
}

export function createDownloadAnswerer(endpoint: Endpoint, context: ReceiverContext): Answerer {
  return (request) => {
    const read = readParams(request);
    if ('error' in read) return refusal(read.error);
    const { findings, value } = judgeForm(endpoint, read.params, context);
    const errors = describeErrors(findings);
    if (errors) return refusal(errors);
    const answer: Answer = { status: 200, body: OK_BODY, contentType: JSON_TYPE, verdict: 'accepted', records: 1 };
    return context.trackKeys ? { ...answer, keys: [contentKey(value)] } : answer;
  };
}
