/**
 * How the embedded receiver answers `stat.push_data` (docs/API.md: any 2xx with an empty
 * body is success): a request whose parameters are unreadable, whose `__md5` does not
 * verify (when the receiver has the stat secret) or whose events do not validate is
 * refused with a 4xx and a one-line reason.
 */
import { contentKey, describeErrors, judgeForm, readParams, textAnswer, type Answer, type Answerer, type ReceiverContext } from '../answer.js';
import { recordsIn, type Endpoint } from '../api.js';
import { md5Sorted } from '../../sign/md5-sorted.js';
import { statRequestProblem } from './request.js';

export function createStatAnswerer(endpoint: Endpoint, context: ReceiverContext): Answerer {
  const secret = endpoint.signing.secret === undefined ? undefined : context.credentials[endpoint.signing.secret];
  return (request) => {
    const read = readParams(request);
    if ('error' in read) return textAnswer(400, read.error, 'rejected');
    const { params } = read;
    const problem = statRequestProblem(params);
    if (problem) return textAnswer(400, problem, 'rejected');
    if (secret !== undefined) {
      const sent = params.__md5;
      if (sent === undefined || sent === '') return textAnswer(403, 'missing __md5 signature', 'rejected');
      if (sent !== md5Sorted(params, secret)) return textAnswer(403, '__md5 does not match the md5-sorted signature of the parameters', 'rejected');
    }
    const { findings, value } = judgeForm(endpoint, params, context);
    const errors = describeErrors(findings);
    if (errors) return textAnswer(400, errors, 'rejected');
    const events = Array.isArray(value.data) ? value.data : [];
    // Records as the replay counts them (an envelope: one per event, at least one).
    const answer: Answer = { status: 200, body: '', verdict: 'accepted', records: recordsIn(endpoint, value) };
    return context.trackKeys ? { ...answer, keys: events.map(contentKey) } : answer;
  };
}
