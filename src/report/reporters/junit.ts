/**
 * `--reporter junit`: JUnit XML as GitLab, Jenkins and GitHub test reporters read it
 * (README "CI reporters"): one <testsuite> per input file, one failing <testcase> per
 * invalid (or undelivered) record, named `file:line`, its message the rule ids and the
 * failure text the messages; a record's warnings go to its <system-out>. Valid records
 * without a warning are counted in one passing case per file. Problem records are held
 * until the end (the suite's counts come first in the XML); valid ones only counted.
 */
import type { Finding } from '../../findings.js';
import type { Origin } from '../../records.js';
import { DELIVERY_RULE, type ProblemReporter } from './problems.js';

interface Case {
  readonly line: number;
  readonly failure: { readonly type: string; readonly message: string; readonly text: string } | undefined;
  readonly out: string | undefined;
}

interface Suite {
  readonly cases: Case[];
  passed: number;
  failures: number;
}

/** XML 1.0 text: escaped, and characters XML cannot hold at all replaced. */
function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const describe = (f: Finding): string => `${f.rule}: ${f.path === '' ? '' : f.path + ': '}${f.message}`;

export class JunitReporter implements ProblemReporter {
  readonly #suites = new Map<string, Suite>();
  readonly #name: string;
  readonly #strict: boolean;

  constructor(name: string, options: { strict?: boolean } = {}) {
    this.#name = name;
    this.#strict = options.strict ?? false;
  }

  #suite(file: string): Suite {
    let suite = this.#suites.get(file);
    if (!suite) this.#suites.set(file, (suite = { cases: [], passed: 0, failures: 0 }));
    return suite;
  }

  judged(origin: Origin, findings: readonly Finding[], valid: boolean): void {
    const suite = this.#suite(origin.file);
    if (findings.length === 0) {
      suite.passed++;
      return;
    }
    const errors = findings.filter((f) => f.severity === 'error' || this.#strict);
    const warnings = findings.filter((f) => !errors.includes(f));
    const out = warnings.length > 0 ? warnings.map((f) => `warning ${describe(f)}`).join('\n') : undefined;
    if (valid || errors.length === 0) {
      suite.cases.push({ line: origin.line, failure: undefined, out });
      return;
    }
    suite.failures++;
    const rules = [...new Set(errors.map((f) => f.rule))];
    suite.cases.push({
      line: origin.line,
      failure: { type: rules[0]!, message: `${rules.join(', ')}: ${errors.map((f) => f.message).join('; ')}`, text: errors.map(describe).join('\n') },
      out,
    });
  }

  undelivered(origin: Origin, cause: string, excerpt: string | undefined): void {
    const suite = this.#suite(origin.file);
    suite.failures++;
    const message = excerpt ? `${cause}: ${excerpt}` : cause;
    suite.cases.push({ line: origin.line, failure: { type: DELIVERY_RULE, message: `${DELIVERY_RULE}: ${message}`, text: message }, out: undefined });
  }

  finish(): string {
    const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
    let tests = 0;
    let failures = 0;
    const suites: string[] = [];
    for (const [file, suite] of this.#suites) {
      const passCase = suite.passed > 0 ? 1 : 0;
      const count = suite.cases.length + passCase;
      tests += count;
      failures += suite.failures;
      const cases = suite.cases.map((c) => {
        const name = xmlText(`${file}:${c.line}`);
        const body = [
          c.failure ? `<failure message="${xmlText(c.failure.message)}" type="${xmlText(c.failure.type)}">${xmlText(c.failure.text)}</failure>` : '',
          c.out ? `<system-out>${xmlText(c.out)}</system-out>` : '',
        ].join('');
        return `    <testcase name="${name}" classname="${xmlText(file)}" file="${xmlText(file)}" line="${c.line}" time="0">${body}</testcase>`;
      });
      if (passCase) cases.push(`    <testcase name="${xmlText(`${file}: ${suite.passed} valid record${suite.passed === 1 ? '' : 's'}`)}" classname="${xmlText(file)}" file="${xmlText(file)}" time="0"/>`);
      suites.push(`  <testsuite name="${xmlText(file)}" tests="${count}" failures="${suite.failures}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`);
    }
    if (suites.length === 0) {
      tests = 1;
      suites.push(`  <testsuite name="${xmlText(this.#name)}" tests="1" failures="0" errors="0" skipped="0" time="0">\n    <testcase name="${xmlText(this.#name)}: no problems" classname="${xmlText(this.#name)}" time="0"/>\n  </testsuite>`);
    }
    out.push(`<testsuites name="${xmlText(this.#name)}" tests="${tests}" failures="${failures}" errors="0" time="0">`, ...suites, '</testsuites>', '');
    return out.join('\n');
  }
}
