/**
 * The command line for the HTML report's "Command" section: the arguments as typed, with the
 * values of secret flags masked (even secrets too short to be masked by value), then every
 * registered secret masked too.
 */
import { MASK, maskSecrets } from '../../redact.js';

const SECRET_FLAGS = new Set(['--stat-secret', '--stat-session-key', '--sud-ss-token', '--sud-app-secret']);

const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function maskedCommandLine(args: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAGS.has(arg.slice(0, eq))) out.push(`${arg.slice(0, eq)}=${MASK}`);
    else if (SECRET_FLAGS.has(arg) && i + 1 < args.length) {
      out.push(arg, MASK);
      i++;
    } else out.push(quote(arg));
  }
  return maskSecrets(['report-replay', ...out].join(' '));
}
