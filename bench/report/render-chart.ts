import { TARGET_LABELS, TARGET_NAMES, type TargetName } from '../targets/target.js';
import { formatNumber } from './evaluate-targets.js';
import type { BenchResults } from './results-types.js';

/** Hand-built SVG (no chart library): grouped horizontal bars, one panel per metric family. */

interface Series {
  name: string;
  color: string;
  unit: string;
  digits: number;
  value: (target: TargetName) => number | null | undefined;
}

const WIDTH = 820;
const LABEL_WIDTH = 170;
const BAR_AREA = 500;
const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const GROUP_GAP = 12;

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const finite = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

const panel = (top: number, title: string, targets: TargetName[], series: Series[]): { svg: string; height: number } => {
  const parts: string[] = [`<text x="12" y="${top + 18}" class="title">${escapeXml(title)}</text>`];
  let legendX = LABEL_WIDTH;
  for (const entry of series) {
    parts.push(`<rect x="${legendX}" y="${top + 28}" width="12" height="12" fill="${entry.color}"/>`);
    parts.push(`<text x="${legendX + 16}" y="${top + 38}" class="legend">${escapeXml(entry.name)}</text>`);
    legendX += 24 + entry.name.length * 7;
  }
  const max = Math.max(0, ...targets.flatMap((target) => series.map((entry) => entry.value(target)).filter(finite)));
  let y = top + 52;
  for (const target of targets) {
    const groupHeight = series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + groupHeight / 2 + 4}" class="label" text-anchor="end">${escapeXml(TARGET_LABELS[target])}</text>`);
    for (const entry of series) {
      const value = entry.value(target);
      const width = finite(value) && max > 0 ? Math.max(1, (Math.max(0, value) / max) * BAR_AREA) : 0;
      if (finite(value)) parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${entry.color}"/>`);
      const text = finite(value) ? `${formatNumber(value, entry.digits)} ${entry.unit}` : 'n/a';
      parts.push(`<text x="${LABEL_WIDTH + width + 6}" y="${y + BAR_HEIGHT - 3}" class="value">${escapeXml(text)}</text>`);
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  return { svg: parts.join('\n'), height: y - top + 8 };
};

export const renderChart = (results: BenchResults): string => {
  const measured = TARGET_NAMES.filter((name) => results.targets.some((target) => target.name === name && target.status === 'ok'));
  const proxies = measured.filter((name) => name !== 'direct');
  const throughput = panel(
    0,
    `Requests/s at ${results.settings.wrkConnections} connections (higher is better)`,
    measured,
    [
      { name: 'non-stream', color: '#2f6fdf', unit: 'req/s', digits: 0, value: (t) => results.throughput.nonStream[t]?.requestsPerSec },
      { name: 'stream (20 chunks)', color: '#7fb0ff', unit: 'req/s', digits: 0, value: (t) => results.throughput.stream[t]?.requestsPerSec },
    ],
  );
  const latency = panel(
    throughput.height + 10,
    'Added latency vs direct at 1 connection (lower is better)',
    proxies,
    [
      { name: 'p50', color: '#e0702f', unit: 'ms', digits: 3, value: (t) => results.latency[t]?.addedP50Ms },
      { name: 'p99', color: '#f5b27f', unit: 'ms', digits: 3, value: (t) => results.latency[t]?.addedP99Ms },
      { name: 'TTFT p50', color: '#3a9a5b', unit: 'ms', digits: 3, value: (t) => results.streaming[t]?.addedTtftP50Ms },
    ],
  );
  const footerY = throughput.height + latency.height + 20;
  const footer = `${results.kind} run ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cores} cores, load ${results.load.before.loadAvg[0]}`;
  const height = footerY + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>.title{font-size:14px;font-weight:600;fill:#222}.legend,.label{font-size:12px;fill:#333}.value{font-size:11px;fill:#444}.foot{font-size:10px;fill:#777}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    throughput.svg,
    latency.svg,
    `<text x="12" y="${footerY}" class="foot">${escapeXml(footer)}</text>`,
    '</svg>',
    '',
  ].join('\n');
};
