/** Shared by the input-*.test.ts files: temp fixtures and draining the reader. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readRecords, type ReadOptions } from '../../src/input/read.js';
import type { InputFormat, InputSource } from '../../src/input/sources.js';
import type { RawRecord } from '../../src/records.js';
import { makeTempDir } from './temp.js';

/** A fresh temp folder for one test file's fixtures; `remove()` deletes it. */
export async function tempFolder(prefix: string): Promise<{ dir: string; file: (name: string, content: string | Buffer) => Promise<string>; remove: () => Promise<void> }> {
  const { dir, remove } = await makeTempDir(prefix);
  return {
    dir,
    file: async (name, content) => {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
    remove,
  };
}

export function fileSource(file: string, format: InputFormat, gzip = false): InputSource {
  return { name: file, path: file, format, gzip };
}

/** A stdin source fed by `pieces`, each arriving as its own chunk (to cut lines and characters anywhere). */
export function stdinSource(format: InputFormat, pieces: readonly (string | Buffer)[]): { source: InputSource; stdin: Readable } {
  const stdin = Readable.from(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
  return { source: { name: '-', path: '-', format, gzip: false }, stdin };
}

/** Every batch the reader yields, and the records flattened; `error` is what it threw after them, if anything. */
export async function drain(sources: readonly InputSource[], options: ReadOptions = {}): Promise<{ batches: RawRecord[][]; records: RawRecord[]; error?: unknown }> {
  const batches: RawRecord[][] = [];
  try {
    for await (const batch of readRecords(sources, options)) batches.push(batch);
  } catch (error) {
    return { batches, records: batches.flat(), error };
  }
  return { batches, records: batches.flat() };
}

/** Records reduced to what most tests check: line, and value or error rule. */
export function summary(records: readonly RawRecord[]): { line: number; value?: unknown; rule?: string }[] {
  return records.map((r) => (r.error ? { line: r.origin.line, rule: r.error.rule } : { line: r.origin.line, value: r.value }));
}
