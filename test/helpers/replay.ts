/**
 * For the engine's end-to-end tests: records that are told apart by the receiver's own
 * content keys (distinct SUD game_round_ids, distinct stat `v`s, distinct download
 * openids), files of them in a temp folder, and ReplayOptions with the CLI's defaults.
 */
import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { Io } from '../../src/commands/context.js';
import { resolveInputs } from '../../src/input/sources.js';
import { stringifyExact } from '../../src/json/exact.js';
import type { JsonObject } from '../../src/records.js';
import { replayDefaults, type ReplayOptions } from '../../src/replay/options.js';
import { makeTempDir } from './temp.js';
import { SAFETY_TIMEOUT_MS } from './wait.js';

export const STAT_SECRET = 'stat-secret-XYZ';
export const SESSION_KEY = 'session-key-ABC';

const NOW_S = Math.floor(Date.now() / 1000);

/** A SUD game_start whose key is `game_start:round-<i>`. */
export function sudRecord(i: number, extra: JsonObject = {}): JsonObject {
  return {
    report_type: 'game_start',
    report_msg: {
      mg_id: 1461227817776713818n,
      mg_id_str: '1461227817776713818',
      room_id: `room-${i % 7}`,
      game_mode: 1,
      game_round_id: `round-${i}`,
      battle_start_at: NOW_S - 3600 + i,
      players: [
        { uid: `p${i}`, is_ai: 0 },
        { uid: 'robot', is_ai: 1, ai_level: 2 },
      ],
      report_game_info_extras: '',
    },
    uid: `p${i}`,
    ss_token: 'token-from-the-log',
    ...extra,
  };
}

/** A stat "game exit" event (aid 2003, v = play time); `v` = i makes every event distinct. Users are shared, so events batch. */
export function statRecord(i: number, users = 13): JsonObject {
  return { uid: `user-${i % users}`, app_id: 10002, ts: NOW_S - 60, aid: 2003, game_id: 7, game_v: '1.2.0', v: i };
}

/** A download result event with a distinct player id. */
export function downloadRecord(i: number): JsonObject {
  return {
    _api: 'download.downloadEvent',
    oepnid: `player-${i}`,
    appid: 6101,
    platform: 2,
    begintime: '2024-05-01 10:00:00',
    version: '1.4.1',
    build: '124',
    oldversion: '1.4.0',
    oldbuild: '123',
    resultCode: 0,
    errorCode: '0',
    errorMsg: '',
    totaltime: 1500,
    filesize: 2048,
    url: 'https://cdn.example.com/a.apk',
    final_url: 'https://cdn.example.com/a.apk',
    versionType: 1,
    totalfilesize: 2048,
  };
}

/** A fresh folder for one replay test; the test removes it in its `finally`. */
export function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  return makeTempDir('replay');
}

/** Writes records (and raw lines given as strings) as NDJSON. */
export async function writeNdjson(file: string, lines: readonly (JsonObject | string)[]): Promise<string> {
  await writeFile(file, lines.map((l) => (typeof l === 'string' ? l : stringifyExact(l))).join('\n') + '\n');
  return file;
}

/** A stream that keeps what is written to it. */
export class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

export function testIo(): Io & { stdout: Collector; stderr: Collector } {
  return { stdout: new Collector(), stderr: new Collector(), stdin: process.stdin, env: {}, cwd: process.cwd() };
}

/**
 * ReplayOptions as the CLI resolves them with its defaults, over `files`, sending to
 * `target` — but with a request timeout and a --grace far longer than a local answer takes
 * on the busiest machine, so a slow answer is never taken for a lost one (a timed-out
 * request is sent again; one cut off by the grace is left unsent). Tests of timeouts and
 * of the grace set their own, against a server that never answers.
 */
export async function replayOptions(files: readonly string[], target: string, overrides: Partial<ReplayOptions> = {}): Promise<ReplayOptions> {
  return replayDefaults(await resolveInputs(files), target, { credentials: { statSecret: STAT_SECRET, statSessionKey: SESSION_KEY }, timeoutMs: SAFETY_TIMEOUT_MS, graceMs: SAFETY_TIMEOUT_MS, ...overrides });
}

/** Every value of a receiver key table is 1: each record arrived (and was accepted) exactly once. */
export function onceEach(keys: Record<string, number> | undefined): { distinct: number; repeated: string[] } {
  const entries = Object.entries(keys ?? {});
  return { distinct: entries.length, repeated: entries.filter(([, n]) => n !== 1).map(([k]) => k) };
}
