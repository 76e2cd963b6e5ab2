/**
 * The files a command will write (--failed, --checkpoint and its own files, --report),
 * checked before anything is opened or sent:
 *   - none may be an input (the same file by device and inode — through another name, a
 *     link, or inside an input folder): `replay failed.ndjson --failed failed.ndjson`
 *     would empty the very file it reads;
 *   - no two may be the same file;
 *   - each must be writable (an existing file, or a new one in an existing folder we may
 *     write), so that a report that cannot be written is found before the first request,
 *     not after the last.
 * Every problem is a usage error (exit 2) naming the flag and the path.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, describeError } from '../errors.js';
import type { InputSource } from '../input/sources.js';
import { checkpointCompanions } from '../replay/checkpoint/files.js';

export interface OutputPath {
  /** The flag that names it, for messages: `--failed`. */
  readonly flag: string;
  readonly path: string;
  /** Written as a temporary file renamed over it (the checkpoint): its folder must be writable too. */
  readonly replaced?: boolean;
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

/** Refuses outputs that are inputs or each other, or that cannot be written; opens nothing. */
export async function checkOutputs(outputs: readonly OutputPath[], inputs: readonly InputSource[]): Promise<void> {
  const inputStats: { name: string; stats: Stats }[] = [];
  for (const input of inputs) {
    if (input.path === '-') continue;
    const stats = await statOrUndefined(input.path);
    if (stats) inputStats.push({ name: input.name, stats });
  }
  const seen: { output: OutputPath; stats: Stats }[] = [];
  for (const output of outputs) {
    const stats = await statOrUndefined(output.path);
    if (stats) {
      const input = inputStats.find((i) => sameFile(i.stats, stats));
      if (input) {
        throw new UsageError(
          `${output.flag} ${output.path} is also an input (${input.name}): writing it would destroy what is being read`,
          'write to another file, for example a new name for each run',
        );
      }
      const other = seen.find((s) => sameFile(s.stats, stats));
      if (other) throw new UsageError(`${output.flag} ${output.path} and ${other.output.flag} ${other.output.path} are the same file`);
      seen.push({ output, stats });
    } else {
      const clash = outputs.find((o) => o !== output && path.resolve(o.path) === path.resolve(output.path));
      if (clash) throw new UsageError(`${output.flag} and ${clash.flag} both name ${output.path}`);
    }
    await checkWritable(output, stats);
  }
}

async function checkWritable(output: OutputPath, stats: Stats | undefined): Promise<void> {
  const where = `${output.flag} ${output.path}`;
  if (stats?.isDirectory()) throw new UsageError(`${where} is a folder, not a file`);
  const folder = path.dirname(path.resolve(output.path));
  const folderStats = await statOrUndefined(folder);
  if (!folderStats?.isDirectory()) throw new UsageError(`${where} cannot be written: there is no folder ${path.dirname(output.path)}`);
  try {
    // An existing file must be writable; a new one, or one replaced by a rename, needs the folder.
    if (stats) await access(output.path, fsConstants.W_OK);
    if (!stats || output.replaced) await access(folder, fsConstants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : describeError(err);
    throw new UsageError(`${where} cannot be written: ${why}`);
  }
}

/** A replay's or a validation's outputs, as flags name them: the checkpoint with its companions. */
export function outputPaths(files: { failed?: string | undefined; report?: string | undefined; checkpoint?: string | undefined }): OutputPath[] {
  const outputs: OutputPath[] = [];
  if (files.failed !== undefined) outputs.push({ flag: '--failed', path: files.failed });
  if (files.report !== undefined) outputs.push({ flag: '--report', path: files.report });
  if (files.checkpoint !== undefined) {
    const { journal, lock, keys, report } = checkpointCompanions(files.checkpoint);
    outputs.push({ flag: '--checkpoint', path: files.checkpoint, replaced: true });
    outputs.push(
      { flag: '--checkpoint (its journal)', path: journal },
      { flag: '--checkpoint (its lock)', path: lock },
      { flag: '--checkpoint (its SUD keys)', path: keys },
      { flag: '--checkpoint (its saved report)', path: report },
    );
  }
  return outputs;
}
