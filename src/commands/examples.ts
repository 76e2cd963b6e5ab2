/**
 * The examples of `--help`. Each command lists its own; they are printed one command line
 * per line, never wrapped (a command broken over two lines cannot be copied), with what
 * it does on the line below. Every example works as written: test/help-examples.test.ts
 * runs each one and checks its exit code.
 */
export interface Example {
  /** The command line, as a user types it in a shell (`report-replay …`). */
  readonly command: string;
  /** What it does, in a few words. */
  readonly says: string;
  /** How it ends when it works as meant. @default 0 */
  readonly exits?: number;
}

/** The Examples section of a help text. */
export function examplesText(examples: readonly Example[]): string {
  if (examples.length === 0) return '';
  const lines = ['Examples:'];
  for (const e of examples) lines.push(`  ${e.command}`, `      ${e.says}`);
  return lines.join('\n');
}
