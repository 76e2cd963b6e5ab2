/**
 * The flags of the endpoints' own URLs (`--sud-url`, `serve --upstream-sud-url`), declared
 * from each endpoint's `urlOption` (via the registry), as credential-options.ts does for
 * credentials: this folder names none, so an API added to the registry brings its URL flag
 * with it (docs/API.md, "Adding an API"). `replay` declares every one (each also set by its
 * `configKey` in the config); `serve` an `--upstream-<flag>` for those that say what it is
 * (`UrlOption.upstreamDescribe`).
 */
import type { Argv } from 'yargs';
import { z } from 'zod';
import type { EndpointId, UrlOption } from '../apis/api.js';
import type { Target } from '../apis/encode.js';
import { allEndpoints } from '../apis/registry.js';
import type { Environment } from '../config/config.js';
import { urlProblem } from '../config/config.js';
import { parseUpstreamUrl } from '../serve/upstream.js';
import { addProblem } from './options/problems.js';
import { flagKey } from './arguments.js';

type UrlCommand = 'replay' | 'serve';

interface Declared {
  readonly endpoint: EndpointId;
  readonly own: UrlOption;
  /** The flag's name as typed, without `--` (`sud-url`, `upstream-sud-url`). */
  readonly name: string;
  /** Its key in the options schema, as yargs camel-cases it (`sudUrl`, `upstreamSudUrl`). */
  readonly key: string;
  readonly describe: string;
}

/** The URL flags `command` takes, in registry order. */
function declared(command: UrlCommand): Declared[] {
  const out: Declared[] = [];
  for (const endpoint of allEndpoints()) {
    const own = endpoint.urlOption;
    if (own === undefined) continue;
    if (command === 'replay') out.push({ endpoint: endpoint.id, own, name: own.flag.slice(2), key: flagKey(own.flag.slice(2)), describe: own.describe });
    else if (own.upstreamDescribe !== undefined) {
      const name = `upstream-${own.flag.slice(2)}`;
      out.push({ endpoint: endpoint.id, own, name, key: flagKey(name), describe: own.upstreamDescribe });
    }
  }
  return out;
}

/** The URL flags' names as yargs knows them (`sud-url`), for a help group. */
export function urlFlagNames(command: UrlCommand): string[] {
  return declared(command).map((d) => d.name);
}

/** `y` with every URL flag of `command` declared. */
export function withUrlOptions<T>(y: Argv<T>, command: UrlCommand): Argv<T> {
  let out = y;
  for (const d of declared(command)) out = out.option(d.name, { describe: d.describe, type: 'string', requiresArg: true });
  return out;
}

/** For `--target`'s help: `; SUD alone needs only --sud-url`, for each endpoint with a URL of its own. */
export function aloneText(): string {
  return declared('replay')
    .map((d) => `; ${d.own.label} alone needs only ${d.own.flag}`)
    .join('');
}

/** A base URL typed as a flag (the config's are checked when it is loaded). */
export function urlFlag(flag: string): z.ZodString {
  return z.string().superRefine((text, ctx) => {
    const problem = urlProblem(text);
    if (problem) addProblem(ctx, `--${flag} ${problem === 'is not a URL' ? `${text} is not a URL` : problem}`, 'for example --target http://127.0.0.1:8000');
  });
}

/** An upstream's base URL, http or https. */
export function upstreamUrl(flag: string): z.ZodString {
  return z.string().superRefine((text, ctx) => {
    try {
      parseUpstreamUrl(text, flag);
    } catch (err) {
      addProblem(ctx, (err as Error).message);
    }
  });
}

/**
 * The URL flags' fields for `command`'s option schema, by key (`sudUrl`): a checked URL,
 * when given. Typed as no field at all: which there are is the registry's to say, and the
 * values reach the run through `targetUrls` and `upstreamUrls`.
 */
export function urlFields(command: UrlCommand): Record<never, never> {
  return Object.fromEntries(declared(command).map((d) => [d.key, (command === 'replay' ? urlFlag(d.name) : upstreamUrl(`--${d.name}`)).optional()]));
}

/** The URL flags of `command` that were given, as typed (`--upstream-sud-url`). */
export function givenUrlFlags(command: UrlCommand, flags: object): string[] {
  const values = flags as Readonly<Record<string, unknown>>;
  return declared(command)
    .filter((d) => typeof values[d.key] === 'string')
    .map((d) => `--${d.name}`);
}

/** A URL as the run joins paths to it: `http://h:8000/` → `http://h:8000`. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The endpoints' own URLs of a replay's target, by `UrlOption.option` (`sudUrl`): the flag,
 * else the config's field; without a trailing slash.
 */
export function targetUrls(flags: object, environment: Environment): Target {
  const values = flags as Readonly<Record<string, unknown>>;
  const out: Record<string, string> = {};
  for (const d of declared('replay')) {
    const flag = values[d.key];
    const text = typeof flag === 'string' ? flag : (environment[d.own.configKey] as string | undefined);
    if (text !== undefined) out[d.own.option] = withoutTrailingSlash(text);
  }
  return out;
}

/** `serve --upstream-<flag>` URLs given, by endpoint: where `--upstream` forwards that endpoint's requests instead. */
export function upstreamUrls(flags: object): Record<EndpointId, string> {
  const values = flags as Readonly<Record<string, unknown>>;
  const out: Record<EndpointId, string> = {};
  for (const d of declared('serve')) {
    const value = values[d.key];
    if (typeof value === 'string') out[d.endpoint] = value;
  }
  return out;
}

/** Who each upstream URL is for, in serve's setup lines (`SUD`). */
export function upstreamLabel(endpoint: EndpointId): string {
  return allEndpoints().find((e) => e.id === endpoint)?.urlOption?.label ?? endpoint;
}
