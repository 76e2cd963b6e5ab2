/**
 * Text from the input (file names, field names, values, parser messages, server answers)
 * shown in a message must not drive the terminal: a raw ESC in a log line could recolour,
 * retitle or clear the user's terminal, a carriage return could overwrite the line before
 * it. Control characters (C0, DEL, C1) and the bidirectional overrides are shown escaped,
 * as `\x1b` or `\u202e`; everything else is kept as it is.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` safe to print inside one line of a message. */
export function printable(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
}
