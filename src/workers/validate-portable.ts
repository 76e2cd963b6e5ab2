/**
 * Verdicts crossing from a worker thread: structured clone keeps bigint but not classes, so a
 * JsonNumberText (a number kept as its text, src/json/exact.ts) travels as its text plus the
 * path to it, and is made again on arrival. Only records with findings cross this way.
 */
import { JsonNumberText } from '../json/exact.js';
import type { UnitVerdict } from './validate-unit.js';

export interface PortableVerdicts {
  readonly verdicts: UnitVerdict[];
  /** Paths (keys and indexes from the verdicts array) of values that were JsonNumberText. */
  readonly numberTexts: (string | number)[][];
}

export function toPortable(verdicts: UnitVerdict[]): PortableVerdicts {
  const numberTexts: (string | number)[][] = [];
  const path: (string | number)[] = [];
  const walk = (value: unknown): unknown => {
    if (value instanceof JsonNumberText) {
      numberTexts.push([...path]);
      return value.text;
    }
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const v = walk(value[i]);
        path.pop();
        if (v !== value[i]) (out ??= [...(value as unknown[])])[i] = v;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      path.push(key);
      const v = walk(obj[key]);
      path.pop();
      if (v !== obj[key]) (out ??= { ...obj })[key] = v;
    }
    return out ?? value;
  };
  return { verdicts: walk(verdicts) as UnitVerdict[], numberTexts };
}

export function fromPortable(portable: PortableVerdicts): UnitVerdict[] {
  const { verdicts, numberTexts } = portable;
  for (const path of numberTexts) {
    let parent: Record<string | number, unknown> = verdicts as unknown as Record<number, unknown>;
    for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]!] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    parent[last] = new JsonNumberText(parent[last] as string);
  }
  return verdicts;
}
