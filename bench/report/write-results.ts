import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { evaluateTargets } from './evaluate-targets.js';
import { renderChart } from './render-chart.js';
import { renderResultsSection, replaceResultsSection } from './render-markdown.js';
import type { BenchResults } from './results-types.js';

export interface WrittenFiles {
  json: string;
  markdown: string | null;
  chart: string | null;
}

/** `2026-01-31T12-34-56Z`: ISO 8601 without characters that upset file systems. */
export const fileStamp = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

export const writeResults = (results: BenchResults, root: string, options: { docs: boolean } = { docs: true }): WrittenFiles => {
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const json = join(resultsDir, `${fileStamp(results.startedAt)}-${results.kind}.json`);
  writeFileSync(json, `${JSON.stringify({ ...results, checks: evaluateTargets(results) }, null, 2)}\n`);

  if (!options.docs) return { json, markdown: null, chart: null };
  const markdown = join(root, 'docs/benchmarks.md');
  const chart = join(root, 'docs/benchmarks-chart.svg');
  mkdirSync(dirname(markdown), { recursive: true });
  writeFileSync(chart, renderChart(results));
  const existing = existsSync(markdown) ? readFileSync(markdown, 'utf8') : '# Benchmarks\n';
  const section = renderResultsSection(results, relative(dirname(markdown), chart));
  writeFileSync(markdown, replaceResultsSection(existing, section));
  return { json, markdown, chart };
};
