#!/usr/bin/env node
// The entry point stays this small on purpose: ES modules load and compile their whole import
// graph before any of them runs, which alone grows V8's young generation to 8 MB semi-spaces.
// Holding it first and loading the CLI afterwards keeps start-up at 1 MB ones
// (src/server/young-generation.ts; docs/benchmarks.md, "Memory per open stream").
import './server/young-generation-start.js';

await import('./cli-main.js');
