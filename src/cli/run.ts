// The compiled entry point `npm start` runs (dist/src/cli/run.js, built by scripts/build.mjs); bin/imzala.js is
// the same through tsx.
import { main } from './main.js';

process.exitCode = await main(process.argv);
