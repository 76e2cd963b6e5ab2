/**
 * `--reporter junit|github` (README "CI reporters"): every invalid record of samples/bad
 * named by file and line — the set --failed writes — in JUnit XML that a real XML parser
 * reads with the structure CI servers expect, and in GitHub workflow commands that match
 * the grammar, escaped as GitHub documents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { escapeData, escapeProperty, workflowCommand } from '../src/report/reporters/github.js';
import { JunitReporter } from '../src/report/reporters/junit.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp.js';
import { SESSION_KEY, STAT_SECRET, sudRecord, writeNdjson } from './helpers/replay.js';
import { startReceiver } from '../src/serve/receiver.js';

/** Every invalid record of samples/bad, as --failed names them (`_source`). */
let invalid: Set<string>;
let dir: string;
let remove: () => Promise<void>;

before(async () => {
  ({ dir, remove } = await makeTempDir('reporters'));
  const failed = path.join(dir, 'bad.ndjson');
  await runCli(['validate', 'samples/bad', '--failed', failed, '-q']);
  invalid = new Set(
    readFileSync(failed, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { _source: string })._source),
  );
  assert.ok(invalid.size > 20, `${invalid.size} invalid records`);
});
after(() => remove?.());

function parseXml(text: string): Element {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => level !== 'warning' && problems.push(`${level}: ${message}`) }).parseFromString(text, 'text/xml');
  assert.deepEqual(problems, [], 'well-formed XML');
  return doc.documentElement!;
}

const children = (el: Element, name: string): Element[] => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).tagName === name);

/** The JUnit structure Jenkins, GitLab and GitHub reporters read, checked element by element. */
function checkJunit(root: Element): { failing: Set<string>; suites: string[] } {
  assert.equal(root.tagName, 'testsuites');
  const failing = new Set<string>();
  let tests = 0;
  let failures = 0;
  const suites = children(root, 'testsuite');
  assert.ok(suites.length > 0);
  for (const suite of suites) {
    for (const attr of ['name', 'tests', 'failures', 'errors', 'time']) assert.ok(suite.hasAttribute(attr), `testsuite@${attr}`);
    const cases = children(suite, 'testcase');
    assert.equal(Number(suite.getAttribute('tests')), cases.length, `${suite.getAttribute('name')}: tests`);
    let suiteFailures = 0;
    for (const c of cases) {
      assert.ok(c.getAttribute('name') && c.getAttribute('classname'), 'testcase@name and @classname');
      assert.ok(Number.isFinite(Number(c.getAttribute('time'))));
      const failure = children(c, 'failure');
      assert.ok(failure.length <= 1);
      for (const child of Array.from(c.childNodes).filter((n) => n.nodeType === 1)) assert.ok(['failure', 'system-out'].includes((child as Element).tagName));
      if (failure.length === 1) {
        suiteFailures++;
        assert.ok(failure[0]!.getAttribute('message'), 'failure@message');
        assert.ok(failure[0]!.getAttribute('type'), 'failure@type');
        assert.match(c.getAttribute('name')!, /:\d+$/);
        failing.add(c.getAttribute('name')!);
      }
    }
    assert.equal(Number(suite.getAttribute('failures')), suiteFailures);
    tests += cases.length;
    failures += suiteFailures;
  }
  assert.equal(Number(root.getAttribute('tests')), tests);
  assert.equal(Number(root.getAttribute('failures')), failures);
  return { failing, suites: suites.map((s) => s.getAttribute('name')!) };
}

/** GitHub's workflow command grammar: a property value holds no raw `%`, CR, LF, `:` or `,`; a message no raw `%`, CR or LF. */
const PROPERTY = '(?:[^%\\r\\n:,]|%25|%0D|%0A|%3A|%2C)*';
const COMMAND = new RegExp(`^::(error|warning) file=(${PROPERTY}),line=(\\d+),title=(${PROPERTY})::((?:[^%\\r\\n]|%25|%0D|%0A)*)$`);

const unescape = (text: string): string => text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

describe('validate --reporter junit', () => {
  test('one suite per input file, one failing case per invalid record named file:line, and the summary on stderr', async () => {
    const r = await runCli(['validate', 'samples/bad', '--reporter', 'junit']);
    assert.equal(r.code, 1);
    const { failing, suites } = checkJunit(parseXml(r.stdout));
    assert.deepEqual([...failing].sort(), [...invalid].sort());
    assert.deepEqual(suites.sort(), ['samples/bad/capture.ndjson', 'samples/bad/download.ndjson', 'samples/bad/ragged.csv', 'samples/bad/records.ndjson', 'samples/bad/stat.ndjson', 'samples/bad/sud.ndjson']);
    assert.match(r.stderr, /FAILED/);
  });

  test('text XML cannot hold is replaced, markup is escaped', () => {
    const reporter = new JunitReporter('t');
    reporter.judged({ file: 'a<&>"\'.ndjson', line: 3, input: 0 }, [{ rule: 'x.y', severity: 'error', path: '', message: 'bad \u0001 <tag> & "q" ]]>' }], false);
    reporter.judged({ file: 'a<&>"\'.ndjson', line: 4, input: 0 }, [], true);
    const root = parseXml(reporter.finish());
    const { failing } = checkJunit(root);
    assert.deepEqual([...failing], ['a<&>"\'.ndjson:3']);
    const failure = root.getElementsByTagName('failure')[0]!;
    assert.equal(failure.getAttribute('message'), 'x.y: bad \uFFFD <tag> & "q" ]]>');
  });
});

describe('validate --reporter github', () => {
  test('every line is a workflow command; every invalid record is an ::error on its file and line', async () => {
    const r = await runCli(['validate', 'samples/bad', '--reporter', 'github']);
    assert.equal(r.code, 1);
    const errors = new Set<string>();
    let warnings = 0;
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const m = COMMAND.exec(line);
      assert.ok(m, `workflow command grammar: ${line}`);
      if (m[1] === 'error') errors.add(`${unescape(m[2]!)}:${m[3]}`);
      else warnings++;
    }
    assert.deepEqual([...errors].sort(), [...invalid].sort());
    assert.ok(warnings > 0, 'warnings are ::warning');
    assert.match(r.stderr, /FAILED/);
  });

  test('%, CR, LF, : and , are escaped as GitHub documents', () => {
    assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('C:\\logs\\a,b%.ndjson\n'), 'C%3A\\logs\\a%2Cb%25.ndjson%0A');
    const line = workflowCommand('error', { file: 'dir:x/a,b.ndjson', line: 7, title: 'stat.bad_aid' }, 'aid: 50% of "x"\nsecond line');
    assert.equal(line, '::error file=dir%3Ax/a%2Cb.ndjson,line=7,title=stat.bad_aid::aid: 50%25 of "x"%0Asecond line\n');
    assert.match(line.trimEnd(), COMMAND);
  });
});

describe('replay --reporter', () => {
  test('junit: invalid records and undelivered ones are failing cases; github: the same as ::error, warnings as ::warning', async () => {
    const receiver = await startReceiver({ port: 0, failRate: 1, seed: 1, credentials: { statSecret: STAT_SECRET } });
    try {
      const input = await writeNdjson(path.join(dir, 'sud.ndjson'), [sudRecord(1), '{"broken', sudRecord(2), { ...sudRecord(3), not_in_the_api: 1 }]);
      const args = ['replay', input, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--retries', '0'];
      const junit = await runCli([...args, '--reporter', 'junit']);
      assert.equal(junit.code, 1, junit.stderr);
      const { failing } = checkJunit(parseXml(junit.stdout));
      assert.deepEqual([...failing].sort(), [`${input}:1`, `${input}:2`, `${input}:3`, `${input}:4`]);
      const github = await runCli([...args, '--reporter', 'github']);
      const lines = github.stdout.split('\n').filter(Boolean);
      for (const line of lines) assert.match(line, COMMAND);
      assert.ok(lines.some((l) => l.includes(',line=2,title=json.syntax::')));
      assert.ok(lines.some((l) => l.includes(',line=3,title=delivery.failed::not delivered: http 503')));
      // A valid record's warning shows on its line too, though the record was sent.
      assert.ok(lines.some((l) => l.startsWith('::warning ') && l.includes(',line=4,title=sud.unknown_field::')), github.stdout);
    } finally {
      await receiver.close();
    }
  });
});
