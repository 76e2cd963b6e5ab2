/**
 * The files a checkpoint FILE writes beside itself: its journal, the lock that keeps a
 * second process off it, the SUD keys already sent, and the backfill's report so far. The
 * one place their names are made; none of them may be an input (commands/outputs.ts).
 */
export function checkpointCompanions(file: string): { journal: string; lock: string; keys: string; report: string } {
  return { journal: file + '.journal', lock: file + '.lock', keys: file + '.keys', report: file + '.report' };
}
