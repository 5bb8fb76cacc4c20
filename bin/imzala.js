#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so it needs no build step and never runs a stale one.
// `npm start` runs the same entry point transpiled (scripts/build.mjs), which keeps the long-lived server lean.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/run.ts');
