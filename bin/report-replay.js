#!/usr/bin/env node
// Thin entry: everything lives in the compiled dist/. `npm install` builds it (prepare).
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`report-replay: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
