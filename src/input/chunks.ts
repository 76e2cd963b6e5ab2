/**
 * The bytes of one input, as a pull-based stream of chunks: a file, a gzip file or stdin.
 * Pulling is the backpressure: nothing is read ahead beyond the stream's own buffer while
 * the consumer is busy. Every failure comes out as an InputError naming the input, after
 * the chunks read before it.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import type { InputSource } from './sources.js';
import { fsProblem } from './sources.js';

/** Read size for files: large enough that per-chunk costs vanish, small enough to stay cache-friendly. */
const CHUNK_BYTES = 64 * 1024;

export interface ChunkOptions {
  /** The stream read for `-` (default `process.stdin`); tests inject their own. */
  readonly stdin?: Readable;
  /** Incremented by every raw byte consumed (compressed bytes for `.gz`), for the ETA. */
  readonly progress?: { bytesRead: number };
}

/** Yields the (decompressed) bytes of `source`; throws InputError on a read or gzip failure. */
export async function* readChunks(source: InputSource, options: ChunkOptions = {}): AsyncGenerator<Buffer> {
  const progress = options.progress;
  const raw: Readable = source.path === '-' ? (options.stdin ?? process.stdin) : createReadStream(source.path, { highWaterMark: CHUNK_BYTES });
  let stream: Readable = raw;
  if (source.gzip) {
    // pipeline forwards a read error of the file into the gunzip stream, so one loop sees both.
    stream = pipeline(raw, createGunzip({ chunkSize: CHUNK_BYTES }), () => {});
    if (progress) raw.on('data', (chunk: Buffer | string) => void (progress.bytesRead += chunk.length));
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      // A stream in string or object mode (an injected stdin) may hand out strings.
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (progress && !source.gzip) progress.bytesRead += bytes.length;
      yield bytes;
    }
  } catch (err) {
    throw toInputError(source, err);
  }
}

function toInputError(source: InputSource, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (source.gzip && typeof code === 'string' && code.startsWith('Z_')) {
    return new InputError(source.name, `truncated or corrupt gzip data (${(err as Error).message})`, err);
  }
  return new InputError(source.name, fsProblem(err), err);
}
