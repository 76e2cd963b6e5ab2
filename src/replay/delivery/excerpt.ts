/**
 * The server's reason for a failure, kept short enough to show: "http 403" alone does not
 * say what to fix, the answer's body usually does ("bad signature"). An excerpt goes into
 * the report's `failures`, the table and `_error` of --failed, so it is one line, at most
 * EXCERPT_CHARS characters, and never holds a configured secret (servers echo what they
 * were sent).
 */
import { MASK } from '../../redact.js';

export const EXCERPT_CHARS = 200;

/**
 * Builds excerpts with the run's secret forms (each secret raw and percent-encoded,
 * longest first: `secretForms`).
 */
export function excerptMaker(secretForms: readonly string[]): (text: string) => string | undefined {
  // Enough of the text for the excerpt even when every secret in it shrinks to the mask.
  const window = EXCERPT_CHARS * 4 + secretForms.reduce((longest, s) => Math.max(longest, s.length), 0);
  return (text) => {
    const cut = text.length > window;
    let out = cut ? text.slice(0, window) : text;
    for (const secret of secretForms) if (out.includes(secret)) out = out.split(secret).join(MASK);
    // A secret the cut went through is not masked above: drop whatever could be its start.
    if (cut) out = withoutSecretStartAtEnd(out, secretForms);
    out = out.replace(/\s+/g, ' ').trim();
    if (out === '') return undefined;
    return out.length > EXCERPT_CHARS ? out.slice(0, EXCERPT_CHARS - 1) + '…' : out;
  };
}

function withoutSecretStartAtEnd(text: string, secretForms: readonly string[]): string {
  let out = text;
  // Until no secret's start ends it: dropping one start may uncover another.
  for (let changed = true; changed; ) {
    changed = false;
    for (const secret of secretForms) {
      for (let k = Math.min(secret.length - 1, out.length); k > 0; k--) {
        if (out.endsWith(secret.slice(0, k))) {
          out = out.slice(0, -k);
          changed = true;
          break;
        }
      }
    }
  }
  return out;
}
