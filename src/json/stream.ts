/**
 * One JSON value read from a stream of text chunks, without holding the text: the value is
 * built as the chunks arrive, and the parts the caller does not want (`keep` says so, by
 * path) are parsed but never built — a skipped string is not even gathered. A syntax error,
 * or anything after the value, stops reading at once: a 300 MB file that is not what was
 * expected costs its first chunk, not its size. Numbers are JavaScript numbers.
 */

/** A key of an object, or an index of an array, from the top. */
export type JsonPath = readonly (string | number)[];

/** Whether to build the value at `path` (its parent is being built). */
export type KeepFn = (path: JsonPath) => boolean;

export class JsonStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonStreamError';
  }
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** undefined when skipped. */
  readonly value: Record<string, unknown> | unknown[] | undefined;
  readonly path: (string | number)[];
  key: string | undefined;
  index: number;
  /** What is expected next inside this container. */
  expect: 'first' | 'key' | 'colon' | 'value' | 'comma';
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Reads one JSON value from `chunks`, building only what `keep` asks for. */
export async function readJsonValue(chunks: AsyncIterable<string>, keep: KeepFn = () => true): Promise<unknown> {
  const stack: Frame[] = [];
  let root: unknown;
  let done = false;
  let offset = 0;
  // The token being read across chunks.
  let token: { kind: 'string' | 'number' | 'literal'; text: string; build: boolean; isKey: boolean; escape: string | undefined } | undefined;

  const fail = (what: string): never => {
    throw new JsonStreamError(`${what} at character ${offset + 1}`);
  };

  const pathOfNext = (): (string | number)[] | undefined => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    if (top.value === undefined) return undefined;
    return [...top.path, top.kind === 'object' ? top.key! : top.index];
  };

  /** A value starts: should it be built? */
  const building = (): { build: boolean; path: (string | number)[] } => {
    const path = pathOfNext();
    return path === undefined ? { build: false, path: [] } : { build: stack.length === 0 || keep(path), path };
  };

  const place = (value: unknown, build: boolean): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      done = true;
      return;
    }
    if (build && top.value !== undefined) {
      if (top.kind === 'object') (top.value as Record<string, unknown>)[top.key!] = value;
      else (top.value as unknown[]).push(value);
    }
    if (top.kind === 'array') top.index++;
    top.expect = 'comma';
  };

  const startValue = (c: string): void => {
    const { build, path } = building();
    if (c === '{' || c === '[') {
      const kind = c === '{' ? 'object' : 'array';
      stack.push({ kind, value: build ? (kind === 'object' ? {} : []) : undefined, path, key: undefined, index: 0, expect: 'first' });
    } else if (c === '"') token = { kind: 'string', text: '', build, isKey: false, escape: undefined };
    else if (c === '-' || (c >= '0' && c <= '9')) token = { kind: 'number', text: c, build, isKey: false, escape: undefined };
    else if (c === 't' || c === 'f' || c === 'n') token = { kind: 'literal', text: c, build, isKey: false, escape: undefined };
    else fail(`unexpected ${JSON.stringify(c)}`);
  };

  const endToken = (): void => {
    const t = token!;
    token = undefined;
    if (t.kind === 'string') {
      if (t.isKey) {
        const top = stack[stack.length - 1]!;
        top.key = t.text;
        top.expect = 'colon';
      } else place(t.build ? t.text : undefined, t.build);
      return;
    }
    if (t.kind === 'number') {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(t.text)) fail(`bad number ${JSON.stringify(t.text)}`);
      place(Number(t.text), t.build);
      return;
    }
    const literals: Record<string, unknown> = { true: true, false: false, null: null };
    if (!(t.text in literals)) fail(`unexpected ${JSON.stringify(t.text)}`);
    place(literals[t.text], t.build);
  };

  const closeContainer = (c: string): void => {
    const top = stack[stack.length - 1];
    if (!top || (c === '}') !== (top.kind === 'object')) fail(`unexpected ${JSON.stringify(c)}`);
    stack.pop();
    place(top!.value, top!.value !== undefined);
  };

  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++, offset++) {
      const c = chunk[i]!;
      if (token?.kind === 'string') {
        if (token.escape !== undefined) {
          if (token.escape === '') {
            if (c === 'u') token.escape = 'u';
            else if (ESCAPES[c] !== undefined) {
              if (token.build) token.text += ESCAPES[c];
              token.escape = undefined;
            } else fail('bad escape');
          } else {
            if (!/[0-9a-fA-F]/.test(c)) fail('bad \\u escape');
            token.escape += c;
            if (token.escape.length === 5) {
              if (token.build) token.text += String.fromCharCode(parseInt(token.escape.slice(1), 16));
              token.escape = undefined;
            }
          }
        } else if (c === '\\') token.escape = '';
        else if (c === '"') endToken();
        else if (c < ' ') fail('control character in a string');
        else {
          // The run of plain characters at once: gathered when built, passed over when not.
          let j = i + 1;
          while (j < chunk.length && chunk[j] !== '"' && chunk[j] !== '\\' && chunk[j]! >= ' ') j++;
          if (token.build) token.text += chunk.slice(i, j);
          offset += j - 1 - i;
          i = j - 1;
        }
        continue;
      }
      if (token) {
        if ((token.kind === 'number' && /[-+.eE0-9]/.test(c)) || (token.kind === 'literal' && c >= 'a' && c <= 'z')) {
          token.text += c;
          continue;
        }
        endToken();
      }
      if (WHITESPACE.has(c)) continue;
      if (done) fail('more than one JSON value (the text goes on after the first)');
      const top = stack[stack.length - 1];
      if (!top) {
        startValue(c);
        continue;
      }
      switch (top.expect) {
        case 'first':
          if (c === (top.kind === 'object' ? '}' : ']')) closeContainer(c);
          else if (top.kind === 'object') {
            if (c !== '"') fail(`expected a key, not ${JSON.stringify(c)}`);
            token = { kind: 'string', text: '', build: top.value !== undefined, isKey: true, escape: undefined };
          } else startValue(c);
          break;
        case 'key':
          if (c !== '"') fail(`expected a key, not ${JSON.stringify(c)}`);
          token = { kind: 'string', text: '', build: top.value !== undefined, isKey: true, escape: undefined };
          break;
        case 'colon':
          if (c !== ':') fail(`expected ":", not ${JSON.stringify(c)}`);
          top.expect = 'value';
          break;
        case 'value':
          startValue(c);
          break;
        case 'comma':
          if (c === ',') top.expect = top.kind === 'object' ? 'key' : 'value';
          else if (c === '}' || c === ']') closeContainer(c);
          else fail(`expected "," or the end of the ${top.kind}, not ${JSON.stringify(c)}`);
          break;
      }
    }
  }
  if (token && token.kind !== 'string') endToken();
  if (!done) fail(stack.length > 0 || token ? 'unexpected end of the text' : 'no JSON value');
  return root;
}
