/**
 * `npm run bench [-- name …]`: every benchmark, each printing its figures next to a baseline
 * measured in the same run (absolute times drift on shared machines; ratios do not).
 */
const BENCHES = ['validate', 'serve', 'pacing', 'throughput', 'scaling', 'rss', 'generate', 'capture', 'checkpoint', 'crash'] as const;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : BENCHES;
  for (const name of names) {
    if (!(BENCHES as readonly string[]).includes(name)) {
      console.error(`unknown benchmark ${name}; known: ${BENCHES.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n=== ${name} ===`);
    const mod = (await import(`./${name}.js`)) as { run: () => Promise<void> };
    await mod.run();
  }
}

await main();
