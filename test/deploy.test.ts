import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { runGenerate } from '../src/commands/generate.js';
import type { Report } from '../src/report/report.js';
import { startReceiver } from '../src/serve/receiver.js';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const DEPLOY = path.join(ROOT, 'deploy', 'kubernetes');

type Yaml = unknown;
type YamlMap = Record<string, Yaml>;

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** Strip a comment (` # …` outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ')) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

function scalar(text: string): Yaml {
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((part) => scalar(part.trim()));
  }
  if (text.startsWith('"') && text.endsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
}

const ENTRY = /^("[^"]*"|'[^']*'|[^\s:'"][^:]*?):(?:\s+(.*))?$/;

/**
 * A small YAML subset, enough for Kubernetes manifests written plainly: block mappings and
 * sequences, plain and quoted scalars, flow sequences of scalars, comments, `---`.
 */
function parseBlock(lines: Line[], start: number, indent: number): [Yaml, number] {
  let i = start;
  if (lines[i]!.text === '-' || lines[i]!.text.startsWith('- ')) {
    const items: Yaml[] = [];
    while (i < lines.length && lines[i]!.indent === indent && (lines[i]!.text === '-' || lines[i]!.text.startsWith('- '))) {
      const rest = lines[i]!.text.slice(1).trimStart();
      if (rest === '') {
        const [value, next] = parseBlock(lines, i + 1, lines[i + 1]!.indent);
        items.push(value);
        i = next;
      } else if (ENTRY.test(rest)) {
        // `- key: value` opens a mapping whose keys line up with `key`.
        const column = indent + (lines[i]!.text.length - rest.length);
        lines[i] = { indent: column, text: rest };
        const [value, next] = parseBlock(lines, i, column);
        items.push(value);
        i = next;
      } else {
        items.push(scalar(rest));
        i++;
      }
    }
    return [items, i];
  }
  const map: YamlMap = {};
  while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith('- ')) {
    const m = ENTRY.exec(lines[i]!.text);
    assert.ok(m, `not a YAML mapping entry: ${lines[i]!.text}`);
    const key = scalar(m[1]!) as string;
    if (m[2] !== undefined && m[2] !== '') {
      map[key] = scalar(m[2]);
      i++;
      continue;
    }
    const next = lines[i + 1];
    if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')))) {
      const [value, after] = parseBlock(lines, i + 1, next.indent);
      map[key] = value;
      i = after;
    } else {
      map[key] = null;
      i++;
    }
  }
  return [map, i];
}

function parseYaml(source: string): Yaml[] {
  return source
    .split(/^---\s*$/m)
    .map((doc) =>
      doc
        .split('\n')
        .map(stripComment)
        .filter((l) => l.trim() !== '')
        .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() })),
    )
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const [value, end] = parseBlock(lines, 0, lines[0]!.indent);
      assert.equal(end, lines.length, `unparsed YAML from: ${lines[end]?.text}`);
      return value;
    });
}

async function manifests(file: string): Promise<YamlMap[]> {
  return parseYaml(await readFile(path.join(DEPLOY, file), 'utf8')) as YamlMap[];
}

/** Walk `a.b[0].c` through parsed YAML. */
function at(value: Yaml, dotted: string): Yaml {
  let node = value;
  for (const part of dotted.split('.')) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(part)!;
    node = (node as YamlMap)[m[1]!];
    if (m[2] !== undefined) node = (node as Yaml[])[Number(m[2])];
  }
  return node;
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

async function replayJob() {
  const job = (await manifests('replay-job.yaml')).find((d) => d.kind === 'Job')!;
  const claim = (await manifests('volume.yaml')).find((d) => d.kind === 'PersistentVolumeClaim');
  const pod = at(job, 'spec.template.spec') as YamlMap;
  const container = at(pod, 'containers[0]') as YamlMap;
  return { job, claim, pod, container, args: container.args as string[], env: container.env as YamlMap[] };
}

test('the YAML subset parser reads nested mappings, sequences of mappings, quotes and flow sequences', () => {
  const [doc] = parseYaml('a:\n  b: 1 # note\n  c: "x: y"\nlist:\n  - name: n\n    value: v\n  - plain\nflow: ["sh", "-c"]\nempty:\n');
  assert.deepEqual(doc, { a: { b: 1, c: 'x: y' }, list: [{ name: 'n', value: 'v' }, 'plain'], flow: ['sh', '-c'], empty: null });
});

test('the Job is Indexed with completions = parallelism = the N of --shard auto/N, and each shard writes its own report and checkpoint', async () => {
  const { job, args } = await replayJob();
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(at(job, 'spec.completionMode'), 'Indexed');
  const n = at(job, 'spec.completions');
  assert.equal(typeof n, 'number');
  assert.equal(at(job, 'spec.parallelism'), n);
  assert.deepEqual(args.slice(0, 2), ['replay', '/data/input']);
  assert.equal(flagValue(args, '--shard'), `auto/${String(n)}`);
  assert.equal(flagValue(args, '--target'), '$(STAGING_URL)');
  assert.ok(Number(flagValue(args, '--rate')) > 0, '--rate is set (per shard)');
  assert.match(flagValue(args, '--report')!, /^\/reports\/shard-\$\(JOB_COMPLETION_INDEX\)\S*\.json$/);
  assert.match(flagValue(args, '--checkpoint')!, /^\/reports\/shard-\$\(JOB_COMPLETION_INDEX\)\.ckpt$/);
  assert.ok(args.includes('--resume'), 'a replaced pod resumes its shard');
  assert.equal(at(job, 'spec.template.spec.restartPolicy'), 'Never');
});

test('every $(VAR) in the args is declared in the container env, and the credentials come from the example Secret', async () => {
  const { args, env } = await replayJob();
  const declared = new Set(env.map((e) => e.name as string));
  for (const arg of args) for (const [, name] of arg.matchAll(/\$\((\w+)\)/g)) assert.ok(declared.has(name!), `$(${name}) is declared`);
  const indexEnv = env.find((e) => e.name === 'JOB_COMPLETION_INDEX')!;
  assert.equal(at(indexEnv, 'valueFrom.fieldRef.fieldPath'), "metadata.annotations['batch.kubernetes.io/job-completion-index']");

  const [secret] = await manifests('secret.example.yaml');
  assert.equal(secret!.kind, 'Secret');
  const credentials = ['REPLAY_STAT_SECRET', 'REPLAY_STAT_SESSION_KEY', 'REPLAY_SUD_UID', 'REPLAY_SUD_SS_TOKEN', 'REPLAY_SUD_APP_ID', 'REPLAY_SUD_APP_SECRET'];
  assert.deepEqual(Object.keys(secret!.stringData as YamlMap).sort(), [...credentials].sort());
  for (const name of credentials) {
    const entry = env.find((e) => e.name === name);
    assert.ok(entry, `${name} is passed to the container`);
    assert.equal(at(entry, 'valueFrom.secretKeyRef.name'), at(secret, 'metadata.name'));
    assert.equal(at(entry, 'valueFrom.secretKeyRef.key'), name);
  }
});

test('input and reports are mounted from the claim volume.yaml declares, the input read-only, and the merge Job reads the reports', async () => {
  const { claim, pod, container } = await replayJob();
  assert.ok(claim, 'a PersistentVolumeClaim is declared');
  assert.deepEqual(at(claim, 'spec.accessModes'), ['ReadWriteMany']);
  const volumes = pod.volumes as YamlMap[];
  const mounts = container.volumeMounts as YamlMap[];
  const input = mounts.find((m) => m.mountPath === '/data/input')!;
  const reports = mounts.find((m) => m.mountPath === '/reports')!;
  assert.equal(input.readOnly, true);
  for (const mount of [input, reports]) {
    const volume = volumes.find((v) => v.name === mount.name)!;
    assert.equal(at(volume, 'persistentVolumeClaim.claimName'), at(claim, 'metadata.name'));
  }
  const [merge] = await manifests('merge-job.yaml');
  assert.match(String(at(merge, 'spec.template.spec.containers[0].args[0]')), /merge \/reports\/shard-\*\.json --report \/reports\/merged\.json/);
  const mergeMount = at(merge, 'spec.template.spec.containers[0].volumeMounts[0]') as YamlMap;
  assert.deepEqual([mergeMount.mountPath, mergeMount.subPath], ['/reports', reports.subPath], 'merge reads where the shards wrote');
  const loader = (await manifests('volume.yaml')).find((d) => d.kind === 'Pod')!;
  assert.equal(at(loader, 'spec.volumes[0].persistentVolumeClaim.claimName'), at(claim, 'metadata.name'), 'the loader pod mounts the same claim');
});

test('the Dockerfile builds on node:20-slim with npm ci and runs bin/report-replay.js, from files the repository has', async () => {
  const dockerfile = await readFile(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:20-slim AS build$/m);
  assert.match(dockerfile, /^RUN npm ci\b/m);
  assert.match(dockerfile, /^RUN npx tsc -p tsconfig\.json/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/bin\/report-replay\.js"\]$/m);
  for (const [, from] of dockerfile.matchAll(/^COPY (?!--from)(\S+(?: \S+)*) \S+$/gm)) {
    for (const source of from!.split(' ')) assert.ok(existsSync(path.join(ROOT, source)), `COPY source ${source} exists`);
  }
});

test("the Job's command line runs as pod 1 would: first run with --resume and no checkpoint, only its shard, its own report; a rerun sends nothing twice", async (t) => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) return t.skip('the CLI is not built');
  const { args } = await replayJob();
  const n = Number(flagValue(args, '--shard')!.split('/')[1]);
  const dir = tempDir(t, 'deploy');
  const receiver = await startReceiver({ port: 0, trackKeys: true });
  try {
    await mkdir(path.join(dir, 'input'));
    await mkdir(path.join(dir, 'reports'));
    const out = createWriteStream(path.join(dir, 'input', 'events.ndjson'));
    await runGenerate({ api: 'stat', count: 400, format: 'ndjson', seed: 5 }, out);
    out.end();
    await once(out, 'close');
    const env = { ...process.env, JOB_COMPLETION_INDEX: '1', STAGING_URL: receiver.url, REPLAY_STAT_SECRET: 's', REPLAY_STAT_SESSION_KEY: 'k' };
    // What the kubelet does: expand $(VAR) from the container env; the volumes are local folders here.
    const podArgs = args.map((arg) =>
      arg
        .replace(/\$\((\w+)\)/g, (_m, name: string) => env[name as keyof typeof env] ?? '')
        .replace(/^\/data\/input/, path.join(dir, 'input'))
        .replace(/^\/reports/, path.join(dir, 'reports')),
    );
    const first = await runCli(podArgs, { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /no checkpoint/i, 'the first run says it starts from the beginning');
    const reports = (await readdir(path.join(dir, 'reports'))).filter((f) => f.endsWith('.json'));
    assert.deepEqual(reports, ['shard-1.json'], 'one report per index (the checkpoint\'s saved report is no *.json)');
    const report = JSON.parse(await readFile(path.join(dir, 'reports', reports[0]!), 'utf8')) as Report;
    const sent = receiver.stats().totals.records;
    assert.equal(report.totals.succeeded, sent);
    assert.ok(sent > 400 / n / 3 && sent < 400, `shard 1 of ${n} sent part of the input (${sent} of 400)`);
    assert.ok(existsSync(path.join(dir, 'reports', 'shard-1.ckpt')), 'the checkpoint is written');
    const received = receiver.stats().keys;

    const second = await runCli(podArgs, { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(receiver.stats().totals.records, sent, 'the replacement pod resumes and sends nothing twice');
    assert.deepEqual(receiver.stats().keys, received);
    const again = JSON.parse(await readFile(path.join(dir, 'reports', 'shard-1.json'), 'utf8')) as Report;
    assert.equal(again.totals.succeeded, sent, "the replacement's report covers the shard's every attempt");
    assert.equal(again.totals.records, report.totals.records);
  } finally {
    await receiver.close();
  }
});
