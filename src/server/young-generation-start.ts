import { holdYoungGeneration } from './young-generation.js';

/**
 * Imported first by src/cli.ts: ES modules run in import order, so the hold is in place
 * before the server's modules are loaded and build their schemas (most of start-up's
 * allocation). A short-lived command (version, check-config) never lets it go, harmlessly.
 */
export const startupYoungGeneration = holdYoungGeneration();
