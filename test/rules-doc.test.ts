import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, ROOT } from './helpers/cli.js';
import { allEndpoints } from '../src/apis/registry.js';

test('docs/RULES.md is what `report-replay rules` prints, so the documented rules are the checked ones', async () => {
  const r = await runCli(['rules']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(`${ROOT}docs/RULES.md`, 'utf8'), r.stdout, 'regenerate with: node bin/report-replay.js rules > docs/RULES.md');
});

test('rule ids are stable-looking, unique per endpoint, and each has a severity and a summary', () => {
  for (const endpoint of allEndpoints()) {
    const ids = endpoint.rules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `${endpoint.id} lists a rule twice`);
    for (const rule of endpoint.rules) {
      assert.match(rule.id, /^(stat|sud|download)\.[a-z0-9_]+$/);
      assert.ok(rule.severity === 'error' || rule.severity === 'warning');
      assert.ok(rule.summary.length > 10, rule.id);
    }
  }
});
