/**
 * `npm start`: the whole tool in one go, touching nothing outside this process — start the
 * embedded receiver on a free 127.0.0.1 port, replay the good samples to it (signed), print
 * the summary. It also proves an install works.
 */
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { startReceiver } from '../serve/receiver.js';
import type { Credentials } from '../apis/api.js';
import { credentialSpecs } from '../apis/registry.js';
import { resolveInputs } from '../input/sources.js';
import { RunStats } from '../report/stats.js';
import { buildReport } from '../report/report.js';
import { renderSummary } from '../report/table.js';
import { runReplay } from '../replay/engine.js';
import { replayDefaults } from '../replay/options.js';
import { exitCodeOf } from './exit-code.js';
import type { Example } from './examples.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { terminalWidth, useColor } from './shared-options.js';

/** The package's own samples, wherever it is installed. dist/src/commands/ → package root. */
const SAMPLES_DIR = fileURLToPath(new URL('../../../samples/', import.meta.url));

/** Each API's made-up demo credentials (`CredentialSpec.demo`). */
function demoCredentials(): Credentials {
  return Object.fromEntries(credentialSpecs().flatMap((spec) => (spec.demo === undefined ? [] : [[spec.key, spec.demo]])));
}

export const demoExamples: readonly Example[] = [
  { command: 'report-replay demo', says: 'a receiver on a free 127.0.0.1 port, the samples replayed to it (signed), both counts' },
  { command: 'report-replay demo --quiet && echo works', says: 'prints nothing; the exit code says whether the install works' },
];

export const demoCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'demo',
  describe: 'replay the bundled samples to the embedded receiver and show the summary (npm start)',
  handler: async (args) => {
    const io = getIo();
    const credentials = demoCredentials();
    const receiver = await startReceiver({ port: 0, credentials });
    try {
      if (!args.quiet) io.stdout.write(`receiver listening on ${receiver.url}; replaying ${SAMPLES_DIR}ndjson\n\n`);
      const inputs = await resolveInputs([SAMPLES_DIR + 'ndjson'], {});
      // A gentle rate, so the demo shows pacing and latency rather than a burst.
      const options = replayDefaults(inputs, receiver.url, { credentials, rate: 50, concurrency: 8, timeoutMs: 5000, graceMs: 2000 });
      const stats = new RunStats('replay (demo)', 5);
      const outcome = await runReplay(options, io, stats);
      stats.finish();
      const totals = stats.totals();
      const exitCode = exitCodeOf({ interrupted: outcome.interrupted, invalid: totals.invalid, failed: totals.failed, thresholds: outcome.thresholds });
      const width = terminalWidth(io.stdout, io.env);
      if (!args.quiet) io.stdout.write(renderSummary(buildReport(stats, { exitCode }), { color: useColor(io.stdout, io.env), mode: 'replay', ...(width !== undefined && { width }) }));
      const seen = receiver.stats().totals;
      if (!args.quiet) io.stdout.write(`\nThe receiver's own count: ${seen.accepted} of ${seen.requests} requests accepted, ${seen.rejected} rejected, ${seen.duplicates} duplicates.\n`);
      setExitCode(exitCode);
    } finally {
      await receiver.close();
    }
  },
};
