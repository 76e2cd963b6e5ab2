/** Endpoints by id, and per-record detection (docs/API.md § Records). The one place that lists the APIs. */
import type { ApiModule, ApiName, Endpoint, EndpointId } from './api.js';
import { statApi } from './stat/index.js';
import { sudApi } from './sud/index.js';
import { downloadApi } from './download/index.js';

/** Registry order is detection order: sud, stat, downloadEvent, checkAppUpdate. */
export const API_MODULES: readonly ApiModule[] = [sudApi, statApi, downloadApi];

const byId = new Map<string, Endpoint>();
for (const api of API_MODULES) for (const endpoint of api.endpoints) byId.set(endpoint.id, endpoint);

/** Detection order across all APIs (docs/API.md § Records). */
const DETECTION_ORDER: readonly EndpointId[] = [
  'sud.report_game_info',
  'stat.push_data',
  'download.downloadEvent',
  'download.checkAppUpdate',
];

export function allEndpoints(): Endpoint[] {
  return DETECTION_ORDER.map((id) => byId.get(id)!);
}

export function getEndpoint(id: string): Endpoint | undefined {
  return byId.get(id);
}

/**
 * The endpoints a name selects: an endpoint id selects itself, an API name selects its
 * endpoints (`download` selects both), `auto` selects all.
 */
export function selectEndpoints(name: string): Endpoint[] | undefined {
  if (name === 'auto') return allEndpoints();
  const one = byId.get(name);
  if (one) return [one];
  const api = API_MODULES.find((m) => m.name === (name as ApiName));
  return api ? [...api.endpoints] : undefined;
}

export const API_CHOICES: readonly string[] = ['auto', ...API_MODULES.map((m) => m.name), ...DETECTION_ORDER];

function present(value: Record<string, unknown>, field: string): boolean {
  const v = value[field];
  // A mixed CSV has every column on every row: an empty cell does not identify anything.
  return v !== undefined && v !== null && v !== '';
}

/**
 * Which endpoint a record belongs to, among `candidates` (from --api), by the first
 * endpoint whose detection fields the record has. With one candidate, that candidate.
 * `_api` is handled by the caller.
 */
export function detectEndpoint(value: Record<string, unknown>, candidates: readonly Endpoint[]): Endpoint | undefined {
  if (candidates.length === 1) return candidates[0];
  for (const endpoint of candidates) {
    for (const field of endpoint.detectBy) if (present(value, field)) return endpoint;
  }
  return undefined;
}
