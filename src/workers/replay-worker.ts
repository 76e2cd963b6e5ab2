/**
 * A `replay --workers` thread (README "replay"): reads the units the main thread hands it,
 * parses and judges each record, and for a record that makes one request by itself (SUD,
 * download, a stat envelope) builds, signs and encodes that request ahead, exactly as the
 * main thread would. Everything the run decides in order — checkpoint, duplicates, stat
 * batches, due times, sending — stays on the main thread (replay-pool.ts).
 */
import { workerData } from 'node:worker_threads';
import type { BuildOptions, Endpoint, RequestBuilder } from '../apis/api.js';
import { encodeRequest } from '../apis/encode.js';
import { allEndpoints, detectEndpoint } from '../apis/registry.js';
import type { LineProblem, LineSink } from '../input/lines.js';
import type { RawRecord } from '../records.js';
import { resolveSigner, signRequest } from '../sign/index.js';
import type { Signer } from '../sign/signer.js';
import { RecordJudge, type Judgement } from '../validate/judge.js';
import { unixClock } from '../replay/schedule/requests.js';
import { ReplayBatchWriter, type LineProblemText, type ReplayPayload } from './replay-batch.js';
import type { ReplayWorkerData } from './replay-protocol.js';
import { readUnit } from './unit-read.js';
import { serveUnits } from './unit-worker.js';

/**
 * Records per batch handed to the main thread: ~1 MB of SUD reports (their lines and wire
 * requests), few enough that a thread's batches ahead stay small; a message per 512 records
 * costs nothing next to them.
 */
const BATCH_RECORDS = 512;

const data = workerData as ReplayWorkerData;
const endpoints = allEndpoints();
const endpointIndex = new Map<Endpoint, number>(endpoints.map((e, i) => [e, i]));
const buildOptions: BuildOptions = { ...data.build, nowSeconds: unixClock(data.sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: data.sourceDateEpoch }) };
const judge = new RecordJudge({ ...data.judge, wire: buildOptions }, undefined);
const builders = new Map<Endpoint, RequestBuilder>();
/** Per endpoint: its signer, or null when its requests are left to the main thread (it cannot sign them). */
const signers = new Map<Endpoint, Signer | null>();

/** Each NDJSON line's text, in order, as it goes to be parsed; undefined for a line refused before parsing. */
class LineTexts implements LineSink {
  readonly texts: (string | undefined)[] = [];
  #next = 0;
  readonly #parser: LineSink;

  constructor(parser: LineSink) {
    this.#parser = parser;
  }

  line(text: string, lineNo: number): void {
    this.texts.push(text);
    // Not even parsed here: the main thread parses it, once (see `surelyBatched`).
    if (surelyBatched(text)) this.#parser.problem(UNPARSED as LineProblem, '', '', lineNo);
    else this.#parser.line(text, lineNo);
  }

  problem(rule: LineProblem, message: string, text: string, lineNo: number): void {
    this.texts.push(undefined);
    this.#parser.problem(rule, message, text, lineNo);
  }

  /** The next record's line text (records come out in line order). */
  shift(): string | undefined {
    const text = this.texts[this.#next++];
    if (this.#next === this.texts.length) {
      this.texts.length = 0;
      this.#next = 0;
    }
    return text;
  }
}

async function signerFor(endpoint: Endpoint): Promise<Signer | null> {
  let signer = signers.get(endpoint);
  if (signer === undefined) {
    try {
      signer = await resolveSigner(undefined, endpoint, data.build.credentials, data.cwd);
    } catch {
      signer = null;
    }
    signers.set(endpoint, signer);
  }
  return signer;
}

function builderFor(endpoint: Endpoint): RequestBuilder {
  let builder = builders.get(endpoint);
  if (!builder) builders.set(endpoint, (builder = endpoint.createBuilder(buildOptions)));
  return builder;
}

/** Builds the record's request into `out`; false when the main thread must take the record in turn. */
async function buildAhead(j: Judgement, text: string, out: ReplayBatchWriter): Promise<boolean> {
  const { record, endpoint } = j;
  if (!record || !endpoint || j.findings.length > 0) return false;
  const builder = builderFor(endpoint);
  const group = builder.alone?.(record.value);
  if (group === undefined) return false;
  const needs = endpoint.recordNeeds?.(record.value, data.build.credentials);
  if (needs && needs.length > 0) return false; // the main thread stops the run with the pre-flight's error
  const signer = await signerFor(endpoint);
  if (signer === null) return false;
  const requests = builder.add(record);
  const request = requests[0];
  if (requests.length !== 1 || !request) throw new Error(`internal: a ${endpoint.id} record built alone made ${requests.length} requests`);
  await signRequest(request, signer, data.build.credentials, buildOptions.nowSeconds(), buildOptions.keepAuth);
  const wire = encodeRequest(request, data.target);
  for (const name in wire.headers) if (name.includes('\n') || wire.headers[name]!.includes('\n')) return false;
  out.built(record.origin.line, endpointIndex.get(endpoint)!, j.records, text, wire, endpoint.duplicateKey?.(record.value), group);
  return true;
}

/** Marks a line left unparsed (a problem record makes a record without parsing its line). */
const UNPARSED = 'replay-worker.unparsed';

/**
 * A stat single event, told from its text (stat's `aid` and no `data`): batched on the main
 * thread, which parses it anyway, so this thread does not. Only a filter: a line it misses
 * is parsed and judged here, and passed on all the same.
 */
function surelyBatched(text: string): boolean {
  return text.includes('"aid"') && !text.includes('"data"');
}

/**
 * True for a record no builder would take alone, told from its value as read (a stat single
 * event): it goes to the main thread unjudged, as judging it here too would be wasted. Only
 * a filter: a record it lets through is judged, and decided on its judged value.
 */
function passedUnjudged(raw: RawRecord): boolean {
  const value = raw.value;
  const endpoint = value && detectEndpoint(value, endpoints);
  return value !== undefined && endpoint !== undefined && builderFor(endpoint).alone?.(value) === undefined;
}

function problemOf(raw: RawRecord): LineProblemText {
  return { rule: raw.error?.rule ?? 'json.syntax', message: raw.error?.message ?? 'no record', text: raw.text ?? '' };
}

serveUnits<ReplayPayload>(async (unit, emit) => {
  let tap: LineTexts | undefined;
  const reader = readUnit(unit, {}, (parser) => (tap = new LineTexts(parser)));
  const out = new ReplayBatchWriter();
  let bytesBefore = 0;
  const hand = async (bytes: number): Promise<void> => {
    const size = out.size;
    const payload = out.take(bytes - bytesBefore);
    bytesBefore = bytes;
    await emit(payload, size, [payload.head, payload.text]);
  };
  for (;;) {
    const next = await reader.next();
    if (next.done) {
      if (out.count > 0) await hand(next.value.bytes);
      return next.value.lines;
    }
    for (const raw of next.value.records) {
      const text = tap!.shift();
      const line = raw.origin.line;
      if (raw.error?.rule === UNPARSED) {
        out.passed(line, text!);
        continue;
      }
      if (text === undefined) {
        out.problem(line, problemOf(raw));
        continue;
      }
      if (raw.error || passedUnjudged(raw) || !(await buildAhead(judge.judge(raw), text, out))) out.passed(line, text);
    }
    if (out.count >= BATCH_RECORDS) await hand(next.value.bytes);
  }
});
