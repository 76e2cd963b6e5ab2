import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';

test('the demo (npm start) replays every good sample to the embedded receiver and both sides agree', async () => {
  const r = await runCli(['demo']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^receiver listening on http:\/\/127\.0\.0\.1:\d+; replaying /);
  const headline = /^OK (\d+) of (\d+) records delivered in (\d+) requests/m.exec(r.stdout);
  assert.ok(headline, r.stdout);
  assert.equal(headline[1], headline[2], 'every record delivered');
  const receiver = /The receiver's own count: (\d+) of (\d+) requests accepted, 0 rejected/.exec(r.stdout);
  assert.ok(receiver, r.stdout);
  assert.equal(receiver[1], headline[3], 'the receiver accepted every request the replay sent');
  assert.equal(r.stderr, '');
});

test('the demo with --quiet prints nothing and still exits 0', async () => {
  const r = await runCli(['demo', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});
