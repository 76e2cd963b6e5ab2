import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialSecretForms } from '../src/replay/dry-run.js';
import { EXCERPT_CHARS, excerptMaker } from '../src/replay/delivery/excerpt.js';

const SECRET = 'k3y/with spaces?';
const excerpt = excerptMaker(credentialSecretForms({ statSessionKey: SECRET, statSecret: 'md5-secret' }));

test('an excerpt is one line of at most 200 characters', () => {
  assert.equal(excerpt('bad\r\n\tsignature  \n'), 'bad signature');
  const long = excerpt('y'.repeat(1000))!;
  assert.equal(long.length, EXCERPT_CHARS);
  assert.ok(long.endsWith('…'));
  assert.equal(excerpt(' \n '), undefined, 'nothing to show');
});

test('configured secrets are masked, raw or percent-encoded', () => {
  assert.equal(excerpt(`session_key=${SECRET} sign=md5-secret`), 'session_key=*** sign=***');
  assert.equal(excerpt(`url ?session_key=${encodeURIComponent(SECRET)}&x=1`), 'url ?session_key=***&x=1');
});

test('a secret cut by the excerpt\'s window leaves no start of itself behind, however much whitespace comes first', () => {
  // Whitespace collapses to one space, so text from far into the body ends up in the excerpt.
  for (let pad = 700; pad < 900; pad += 7) {
    const out = excerpt('a' + ' '.repeat(pad) + 'md5-secret and more')!;
    assert.ok(!/md5|md5-s/.test(out.replace('***', '')), `pad ${pad}: ${out}`);
    assert.ok(!out.includes('md5'), `pad ${pad}: ${out}`);
  }
});
