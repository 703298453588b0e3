import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Cumulative idle and total jiffies of all CPUs from /proc/stat; two readings give the idle share between them. */
export const readCpuTimes = (): { idle: number; total: number } => {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const idle = values[3] + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  return { idle, total };
};

/** Busy share of all CPUs between two readings, as a percentage (null if no time passed). */
export const busyPctBetween = (before: { idle: number; total: number }, after: { idle: number; total: number }): number | null => {
  const total = after.total - before.total;
  return total <= 0 ? null : Math.round((1 - (after.idle - before.idle) / total) * 1000) / 10;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const measureIdlePct = async (windowMs = 1000): Promise<number> => {
  const before = readCpuTimes();
  await sleep(windowMs);
  const after = readCpuTimes();
  const total = after.total - before.total;
  return total <= 0 ? 100 : Math.round(((after.idle - before.idle) / total) * 1000) / 10;
};

export interface IdleCheck {
  phase: string;
  idlePct: number;
  waitedS: number;
  reachedThreshold: boolean;
  loadAvg1: number;
}

/**
 * Waits (bounded) until the machine is quiet: other people's test runs on a shared
 * 2-core box would otherwise show up as our overhead. Records what it saw either way.
 */
export const waitForIdle = async (phase: string, thresholdPct: number, maxWaitS: number, windowMs = 1000): Promise<IdleCheck> => {
  const started = performance.now();
  let idlePct = await measureIdlePct(windowMs);
  while (idlePct < thresholdPct && performance.now() - started < maxWaitS * 1000) {
    idlePct = await measureIdlePct(windowMs);
  }
  const waitedS = Math.round((performance.now() - started) / 100) / 10;
  const check = { phase, idlePct, waitedS, reachedThreshold: idlePct >= thresholdPct, loadAvg1: Math.round(loadavg()[0] * 100) / 100 };
  if (!check.reachedThreshold) {
    process.stderr.write(`  warning: machine not idle before ${phase} (${idlePct}% idle after ${waitedS}s); numbers may be noisy\n`);
  }
  return check;
};
