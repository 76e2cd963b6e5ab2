import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli, ROOT } from './helpers/cli.js';

/**
 * `replay --dry-run --print-requests` over samples/ prints exactly the requests in
 * test/golden/ (SOURCE_DATE_EPOCH fixes "now" for ts and __md5). Regenerate after an
 * intended change with UPDATE_GOLDEN=1 npm test, and read the diff.
 */
const ARGS = ['--dry-run', '--print-requests', '--stat-secret', 'golden-secret', '--stat-session-key', 'golden-session', '--batch-linger', '1h', '--quiet'];

for (const format of ['ndjson', 'csv'] as const) {
  for (const api of ['stat', 'sud', 'download'] as const) {
    test(`dry run of samples/${format}/${api} prints the golden requests`, async () => {
      const input = `samples/${format}/${api}.${format}`;
      const r = await runCli(['replay', input, ...ARGS], { env: { SOURCE_DATE_EPOCH: '1763700000' } });
      assert.equal(r.code, 0, r.stderr);
      const golden = `${ROOT}test/golden/dry-run-${format}-${api}.ndjson`;
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, r.stdout);
      assert.equal(r.stdout, readFileSync(golden, 'utf8'));
      if (api === 'sud') assert.match(r.stdout, /\\"mg_id\\":1461227817776713818,/, 'int64 digit for digit');
      assert.ok(!r.stdout.includes('golden-session'), 'the session key is masked');
    });
  }
}
