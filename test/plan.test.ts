import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiModule } from '../src/apis/api.js';
import { API_MODULES, useApis } from '../src/apis/registry.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';
import { replayDefaults } from '../src/replay/options.js';
import { checkpointFingerprint } from '../src/replay/plan.js';

test('the checkpoint fingerprint reads as it always has, and holds no URL password', () => {
  const options = replayDefaults([], 'http://user:pw@127.0.0.1:8000', { target: { baseUrl: 'http://user:pw@127.0.0.1:8000', sudUrl: 'https://app:s3cret@sud.example/report' } });
  assert.equal(
    checkpointFingerprint(options),
    'api=auto strict=false allow-unknown-aid=false shard=none target=http://127.0.0.1:8000 sud-url=https://sud.example/report',
  );
  assert.equal(checkpointFingerprint(replayDefaults([], 'http://127.0.0.1:8000')), 'api=auto strict=false allow-unknown-aid=false shard=none target=http://127.0.0.1:8000 sud-url=none');
});

test('an endpoint with a URL of its own adds it to the fingerprint, under its flag; plan.ts names none', () => {
  const other: ApiModule = {
    name: 'other',
    endpoints: [{ ...sudReportGameInfo, id: 'other.report', api: 'other', defaultPath: '/other', urlOption: { option: 'otherUrl', flag: '--other-url', configKey: 'otherUrl', describe: 'the other URL', label: 'other' } }],
  };
  useApis([...API_MODULES, other]);
  try {
    const options = replayDefaults([], 'http://127.0.0.1:8000', { target: { baseUrl: 'http://127.0.0.1:8000', otherUrl: 'http://other.example/in' } });
    assert.match(checkpointFingerprint(options), / sud-url=none other-url=http:\/\/other\.example\/in$/);
  } finally {
    useApis(API_MODULES);
  }
});
