import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseInfo } from '../src/apis/api.js';
import { classifyHttpStatus, parseRetryAfter } from '../src/apis/http.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  });

  it('reads an HTTP-date relative to now', () => {
    assert.equal(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW), 30_000);
  });

  it('reads a date in the past as no wait', () => {
    assert.equal(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', NOW), 0);
  });

  it('takes the first of repeated headers', () => {
    assert.equal(parseRetryAfter(['3', '99'], NOW), 3000);
  });

  for (const bad of [undefined, '', 'soon', '-3', '1.5', '12abc', 'Blursday, 99 Foo 2024']) {
    it(`ignores ${JSON.stringify(bad)}`, () => assert.equal(parseRetryAfter(bad, NOW), undefined));
  }
});

describe('classifyHttpStatus', () => {
  const response = (status: number, headers: ResponseInfo['headers'] = {}, body = ''): ResponseInfo => ({ status, headers, body });

  it('leaves every 2xx to the endpoint, whatever the body', () => {
    for (const status of [200, 201, 204, 299]) assert.equal(classifyHttpStatus(response(status, {}, 'not json'), NOW), undefined, String(status));
  });

  it('gives 429 and 5xx to the transport, with the Retry-After wait', () => {
    assert.deepEqual(classifyHttpStatus(response(429, { 'retry-after': '7' }), NOW), { ok: false, cause: 'http 429', retry: 'transport', retryAfterMs: 7000 });
    assert.deepEqual(classifyHttpStatus(response(503, { 'retry-after': 'Wed, 01 May 2024 12:01:00 GMT' }), NOW), { ok: false, cause: 'http 503', retry: 'transport', retryAfterMs: 60_000 });
    for (const status of [500, 502, 504, 599]) assert.deepEqual(classifyHttpStatus(response(status), NOW), { ok: false, cause: `http ${status}`, retry: 'transport' });
  });

  it('finds Retry-After whatever the case of its name, and takes the first of several', () => {
    assert.equal(classifyHttpStatus(response(503, { 'Retry-After': '2' }), NOW)?.retryAfterMs, 2000);
    assert.equal(classifyHttpStatus(response(429, { 'retry-after': ['4', '9'] }), NOW)?.retryAfterMs, 4000);
  });

  it('leaves retryAfterMs out when the header cannot be read', () => {
    assert.deepEqual(classifyHttpStatus(response(503, { 'retry-after': 'soon' }), NOW), { ok: false, cause: 'http 503', retry: 'transport' });
  });

  it('measures an HTTP-date from the clock when none is passed', () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const before = Date.now();
    const failure = classifyHttpStatus(response(429, { 'retry-after': date }));
    const after = Date.now();
    // Read between `before` and `after`, however long the machine took in between.
    const at = Date.parse(date);
    assert.ok(failure?.retryAfterMs !== undefined && failure.retryAfterMs >= at - after && failure.retryAfterMs <= at - before, String(failure?.retryAfterMs));
  });

  it('makes other 4xx, 408 among them, and 1xx/3xx final', () => {
    for (const status of [100, 304, 400, 404, 408, 414]) {
      assert.deepEqual(classifyHttpStatus(response(status, { 'retry-after': '5' }), NOW), { ok: false, cause: `http ${status}`, retry: 'none' }, String(status));
    }
  });
});
