import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultReplayWorkers, defaultValidateWorkers, isOnThisMachine } from '../src/workers/defaults.js';

describe('--workers defaults (src/workers/defaults.ts, README "Worker threads")', () => {
  it('validate: every core but one, at least one', () => {
    assert.deepEqual([1, 2, 4, 16].map((cores) => defaultValidateWorkers(cores)), [1, 1, 3, 15]);
  });

  it('replay: cores − 1, at most 2, for a remote target or a dry run', () => {
    const remote = ['https://stat.example.com', 'http://10.0.0.7:8080/sud'];
    assert.deepEqual([1, 2, 3, 4, 64].map((cores) => defaultReplayWorkers(remote, cores)), [0, 1, 2, 2, 2]);
    assert.deepEqual([1, 2, 3, 4].map((cores) => defaultReplayWorkers([], cores)), [0, 1, 2, 2]);
  });

  it('replay: one fewer when any target is on this machine (it needs a core of its own)', () => {
    const local = ['https://stat.example.com', 'http://127.0.0.1:8000'];
    assert.deepEqual([1, 2, 3, 4, 64].map((cores) => defaultReplayWorkers(local, cores)), [0, 0, 1, 2, 2]);
  });

  it('tells loopback hosts from others', () => {
    for (const url of ['http://127.0.0.1:8000', 'http://127.1.2.3', 'http://localhost:9', 'http://api.localhost', 'http://[::1]:8000/x', 'http://0.0.0.0:1']) {
      assert.equal(isOnThisMachine(url), true, url);
    }
    for (const url of ['http://10.0.0.1', 'https://localhost.example.com', 'http://128.0.0.1', 'http://[::2]', 'not a url', 'http://127.0.0.1.example.com']) {
      assert.equal(isOnThisMachine(url), false, url);
    }
  });
});
