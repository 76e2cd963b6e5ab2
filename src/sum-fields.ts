/**
 * Totals of counters: the named fields of several counts, each summed. A run's totals over
 * its endpoints (report/stats.ts) and the receiver's (serve/counts.ts) are both this.
 */
export function sumFields<K extends string>(parts: Iterable<Readonly<Record<K, number>>>, fields: readonly K[]): Record<K, number> {
  const total = {} as Record<K, number>;
  for (const field of fields) total[field] = 0;
  for (const part of parts) for (const field of fields) total[field] += part[field];
  return total;
}
