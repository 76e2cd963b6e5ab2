/**
 * `--reporter github`: GitHub Actions workflow commands, one per problem, so each shows on
 * its line in a pull request: `::error file=F,line=L,title=RULE::message` (warnings as
 * `::warning`). Escaping as GitHub's toolkit does (actions/toolkit command.ts): in the
 * message `%`, CR and LF; in property values also `:` and `,`.
 */
import type { Finding } from '../../findings.js';
import type { Origin } from '../../records.js';
import { DELIVERY_RULE, type ProblemReporter } from './problems.js';

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(level: 'error' | 'warning', props: { file: string; line: number; title: string }, message: string): string {
  return `::${level} file=${escapeProperty(props.file)},line=${props.line},title=${escapeProperty(props.title)}::${escapeData(message)}\n`;
}

function findingMessage(f: Finding): string {
  return f.path === '' ? f.message : `${f.path}: ${f.message}`;
}

export class GithubReporter implements ProblemReporter {
  readonly #write: (text: string) => void;
  readonly #strict: boolean;

  /** `write` takes each command as it comes: nothing is held. */
  constructor(write: (text: string) => void, options: { strict?: boolean } = {}) {
    this.#write = write;
    this.#strict = options.strict ?? false;
  }

  judged(origin: Origin, findings: readonly Finding[]): void {
    for (const f of findings) {
      const level = f.severity === 'error' || this.#strict ? 'error' : 'warning';
      this.#write(workflowCommand(level, { file: origin.file, line: origin.line, title: f.rule }, findingMessage(f)));
    }
  }

  undelivered(origin: Origin, cause: string, excerpt: string | undefined): void {
    this.#write(workflowCommand('error', { file: origin.file, line: origin.line, title: DELIVERY_RULE }, excerpt ? `not delivered: ${cause}: ${excerpt}` : `not delivered: ${cause}`));
  }

  finish(): string {
    return '';
  }
}
