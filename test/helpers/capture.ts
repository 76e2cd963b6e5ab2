/**
 * Shared by the capture tests (issue 11; README, "Capture a client, replay it later"): the
 * secrets every process of a test is given, reading a capture file, and a report's records
 * per endpoint.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CliResult } from './cli.js';

export const STAT_SECRET = 'capture-stat-secret';
export const SUD_APP_ID = 'capture-app';
export const SUD_APP_SECRET = 'capture-sud-secret';
export const SECRETS = ['--stat-secret', STAT_SECRET, '--sud-app-id', SUD_APP_ID, '--sud-app-secret', SUD_APP_SECRET];
export const SESSION_KEY = 'capture-session-key-0001';
export const RECEIVER_SECRETS = { statSecret: STAT_SECRET, sudAppId: SUD_APP_ID, sudAppSecret: SUD_APP_SECRET };

export interface CaptureLine {
  readonly endpoint: string | null;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly body_base64?: string;
  readonly verdict: string;
  readonly status: number;
  readonly upstream?: { status?: number; body?: string; error?: string; latency_ms: number };
}

export function readCapture(file: string): CaptureLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CaptureLine);
}

export function recordsByEndpoint(result: CliResult): Record<string, number> {
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { byEndpoint: Record<string, { records: number }> };
  return Object.fromEntries(Object.entries(report.byEndpoint).map(([id, counts]) => [id, counts.records]));
}
