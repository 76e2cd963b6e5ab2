/**
 * The registry: the one list of the reporting APIs, and so of endpoints, routes,
 * credentials and secret field names. Everything else asks it (docs/API.md, "Adding an API").
 *
 * The CLI's entry can be given another list (`main(argv, io, apis)`), which is how a test
 * adds an API without touching this file; `useApis` swaps the list for the process.
 */
import type { ApiModule, CredentialSpec, Endpoint, ReplayOptionSpec, UrlOption } from './api.js';
import { statApi } from './stat/index.js';
import { sudApi } from './sud/index.js';
import { downloadApi } from './download/index.js';

/** The APIs, one line each. Registry order is detection order: sud, stat, download. */
export const API_MODULES: readonly ApiModule[] = [sudApi, statApi, downloadApi];

interface Registry {
  readonly modules: readonly ApiModule[];
  /** Every endpoint, in detection order. */
  readonly endpoints: readonly Endpoint[];
  readonly byId: ReadonlyMap<string, Endpoint>;
  readonly credentials: readonly CredentialSpec[];
  readonly secretFields: readonly string[];
  readonly replayOptions: readonly ReplayOptionSpec[];
}

/** A registry of `modules`; throws when two of them claim one id, path or credential. */
function buildRegistry(modules: readonly ApiModule[]): Registry {
  const byId = new Map<string, Endpoint>();
  const paths = new Map<string, string>();
  const credentials = new Map<string, CredentialSpec>();
  const names = new Set<string>();
  for (const api of modules) {
    if (names.has(api.name)) throw new Error(`internal: API ${api.name} is registered twice`);
    names.add(api.name);
    for (const endpoint of api.endpoints) {
      if (endpoint.api !== api.name || !endpoint.id.startsWith(api.name + '.')) throw new Error(`internal: endpoint ${endpoint.id} is not named after its API ${api.name}`);
      if (byId.has(endpoint.id)) throw new Error(`internal: endpoint ${endpoint.id} is registered twice`);
      byId.set(endpoint.id, endpoint);
      for (const path of [endpoint.defaultPath, ...(endpoint.otherPaths ?? [])]) {
        const other = paths.get(path);
        if (other !== undefined) throw new Error(`internal: ${endpoint.id} and ${other} both claim the path ${path}`);
        paths.set(path, endpoint.id);
      }
    }
    for (const spec of api.credentials ?? []) {
      if (credentials.has(spec.key)) throw new Error(`internal: credential ${spec.key} is declared twice`);
      credentials.set(spec.key, spec);
    }
  }
  const flags = new Set<string>();
  for (const spec of modules.flatMap((api) => api.replayOptions ?? [])) {
    if (flags.has(spec.flag)) throw new Error(`internal: replay option ${spec.flag} is declared twice`);
    flags.add(spec.flag);
  }
  return {
    modules,
    endpoints: [...byId.values()],
    byId,
    credentials: [...credentials.values()],
    secretFields: modules.flatMap((api) => api.secretFields ?? []),
    replayOptions: modules.flatMap((api) => api.replayOptions ?? []),
  };
}

let active = buildRegistry(API_MODULES);
/** Bumped on every `useApis`, for caches built from the registry. */
let generation = 0;

/** Make `modules` the registry of this process (the CLI's entry does this on every run). */
export function useApis(modules: readonly ApiModule[]): void {
  if (modules === active.modules) return;
  active = buildRegistry(modules);
  generation++;
}

/** Changes whenever the registry does. */
export function registryGeneration(): number {
  return generation;
}

export function apiModules(): readonly ApiModule[] {
  return active.modules;
}

/** Every endpoint, in detection order. */
export function allEndpoints(): Endpoint[] {
  return [...active.endpoints];
}

export function getEndpoint(id: string): Endpoint | undefined {
  return active.byId.get(id);
}

/** Every credential any API declares. */
export function credentialSpecs(): readonly CredentialSpec[] {
  return active.credentials;
}

/** The credential declared under `key`. */
export function credentialSpec(key: string): CredentialSpec | undefined {
  return active.credentials.find((spec) => spec.key === key);
}

/** The `replay` flags the APIs declare, in registry order. */
export function replayOptionSpecs(): readonly ReplayOptionSpec[] {
  return active.replayOptions;
}

/** The URL options endpoints declare (SUD's `--sud-url`). */
export function urlOptions(): UrlOption[] {
  return active.endpoints.flatMap((endpoint) => (endpoint.urlOption === undefined ? [] : [endpoint.urlOption]));
}

/** Field names the APIs declare secret (`session_key`, `ss_token`). */
export function apiSecretFields(): readonly string[] {
  return active.secretFields;
}

/**
 * The endpoints a name selects: an endpoint id selects itself, an API name selects its
 * endpoints (`download` selects both), `auto` selects all.
 */
export function selectEndpoints(name: string): Endpoint[] | undefined {
  if (name === 'auto') return allEndpoints();
  const one = active.byId.get(name);
  if (one) return [one];
  const api = active.modules.find((m) => m.name === name);
  return api ? [...api.endpoints] : undefined;
}

/** What `--api` accepts: auto, every API name, every endpoint id. */
export function apiChoices(): string[] {
  return ['auto', ...active.modules.map((m) => m.name), ...active.endpoints.map((e) => e.id)];
}

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
