/**
 * Synchronous writes that are whole or fail. `writeSync` may write fewer bytes than asked
 * (a disk filling up returns a short count first, ENOSPC only on the next call): state a
 * run depends on must never take a short write for a whole one.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';

/** How far back a torn last line is looked for, per read. */
const TAIL_CHUNK = 64 * 1024;

/**
 * Writes all of `bytes` at the descriptor's position, or throws; `progress.written` then
 * says how many did land (a torn tail the caller may cut back off).
 */
export function writeAllSync(fd: number, bytes: Uint8Array, progress: { written: number } = { written: 0 }): void {
  progress.written = 0;
  while (progress.written < bytes.length) {
    const n = writeSync(fd, bytes, progress.written, bytes.length - progress.written);
    // Never spin: a write that moves nothing is a failed one.
    if (n <= 0) throw Object.assign(new Error('the write wrote nothing'), { code: 'EIO' });
    progress.written += n;
  }
}

/** Replaces `file` with `text` atomically (temp file, fsync, rename): readers see the old file or the new one, whole. */
export function replaceFileSync(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeAllSync(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** The size of the file's whole lines: up to and including its last newline. */
export function wholeLinesSize(fd: number, size: number): number {
  const chunk = Buffer.alloc(Math.min(TAIL_CHUNK, size));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}
