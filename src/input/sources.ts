/**
 * Turning the command line's input arguments into an ordered list of sources (README § validate):
 * files, folders (searched recursively for log files) and `-` for stdin. Everything that
 * can be checked before reading starts is checked here, so a replay stops before sending
 * anything when an input is missing or cannot be read.
 */
import { constants as fsConstants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { InputError, UsageError, describeError } from '../errors.js';

export type InputFormat = 'ndjson' | 'csv';

/** One input of a run, in reading order. */
export interface InputSource {
  /** The input as the user named it, or `<folder>/<path under the folder>`: used in every message. */
  readonly name: string;
  /** What to open: a file path, or `-` for stdin. */
  readonly path: string;
  readonly format: InputFormat;
  /** True when the content is gzip-compressed (`.gz`). */
  readonly gzip: boolean;
  /** Bytes on disk (compressed size for `.gz`), for the ETA; unknown for stdin and pipes. */
  readonly size?: number;
}

export interface ResolveOptions {
  /** `--format`: required for stdin; forces the format of files named on the command line. */
  readonly format?: InputFormat;
}

const LOG_EXTENSIONS: Readonly<Record<string, InputFormat>> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };
const LOG_FILES_TEXT = '.ndjson, .jsonl or .csv (optionally .gz)';

/** The format a file name says it holds (`a.ndjson`, `b.jsonl.gz`, `C.CSV`), or undefined. */
export function formatFromName(fileName: string): { format: InputFormat; gzip: boolean } | undefined {
  let lower = fileName.toLowerCase();
  const gzip = lower.endsWith('.gz');
  if (gzip) lower = lower.slice(0, -3);
  const format = LOG_EXTENSIONS[path.extname(lower)];
  return format === undefined ? undefined : { format, gzip };
}

/** Resolve `<inputs..>` into sources, in the order given; folders expand to their log files sorted by path. */
export async function resolveInputs(args: readonly string[], opts: ResolveOptions = {}): Promise<InputSource[]> {
  if (args.length === 0) throw new UsageError('no input given: name files, folders, or - for stdin');
  const sources: InputSource[] = [];
  let stdinSeen = false;
  for (const arg of args) {
    if (arg === '-') {
      if (opts.format === undefined) {
        throw new UsageError('reading stdin (-) needs --format ndjson or --format csv');
      }
      if (stdinSeen) throw new UsageError('stdin (-) can be named only once');
      stdinSeen = true;
      sources.push({ name: '-', path: '-', format: opts.format, gzip: false });
      continue;
    }
    const stats = await statInput(arg);
    if (stats.isDirectory()) sources.push(...(await folderSources(arg)));
    else sources.push(await namedFileSource(arg, stats, opts.format));
  }
  return sources;
}

async function namedFileSource(file: string, stats: Stats, forced: InputFormat | undefined): Promise<InputSource> {
  const fromName = formatFromName(file);
  const gzip = fromName?.gzip ?? file.toLowerCase().endsWith('.gz');
  const format = forced ?? fromName?.format;
  if (format === undefined) {
    throw new InputError(file, `cannot tell the format from the file name (expected ${LOG_FILES_TEXT}); pass --format ndjson or --format csv`);
  }
  await checkReadable(file);
  // Pipes and devices (`<(zcat big.gz)`) are read like files but have no useful size.
  return stats.isFile() ? { name: file, path: file, format, gzip, size: stats.size } : { name: file, path: file, format, gzip };
}

/**
 * A folder's log files, recursively, sorted by their path under the folder (code-unit order,
 * not locale order, so the same tree is read in the same order on every machine). Files with
 * other endings are ignored; symbolic links to files are followed, to folders are not (no cycles).
 * Files found here keep the format their name says, whatever --format says.
 */
async function folderSources(folder: string): Promise<InputSource[]> {
  const found: { rel: string; format: InputFormat; gzip: boolean }[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const dir = relDir === '' ? folder : path.join(folder, relDir);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new InputError(dir, fsProblem(err), err);
    }
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(rel);
        continue;
      }
      const fromName = formatFromName(entry.name);
      if (fromName === undefined || !(entry.isFile() || entry.isSymbolicLink())) continue;
      if (entry.isSymbolicLink()) {
        const target = await stat(path.join(folder, rel)).catch(() => undefined);
        if (target === undefined || target.isDirectory()) continue;
      }
      found.push({ rel, ...fromName });
    }
  };
  await walk('');
  if (found.length === 0) throw new InputError(folder, `no log files in this folder (looked for ${LOG_FILES_TEXT})`);
  found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const sources: InputSource[] = [];
  for (const { rel, format, gzip } of found) {
    const file = path.join(folder, rel);
    const stats = await statInput(file);
    await checkReadable(file);
    sources.push({ name: file, path: file, format, gzip, size: stats.size });
  }
  return sources;
}

async function statInput(file: string): Promise<Stats> {
  try {
    return await stat(file);
  } catch (err) {
    throw new InputError(file, fsProblem(err), err);
  }
}

async function checkReadable(file: string): Promise<void> {
  try {
    await access(file, fsConstants.R_OK);
  } catch (err) {
    throw new InputError(file, fsProblem(err), err);
  }
}

/** A file system error as a few words after the file name: `samples/x.ndjson: no such file`. */
export function fsProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return `cannot read (${describeError(err)})`;
  }
}
