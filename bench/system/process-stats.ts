import { readFileSync, readdirSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
export const CLOCK_TICKS = 100;

/** Resident set size in bytes from /proc/<pid>/status, null once the process is gone. */
export const readRssBytes = (pid: number): number | null => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
};

interface StatFields {
  ppid: number;
  /** utime + stime in clock ticks */
  cpuTicks: number;
}

const readStat = (pid: number): StatFields | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
};

/** The pid and all its descendants (nginx's workers, for example). */
export const processTree = (rootPid: number): number[] => {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = childrenOf.get(stat.ppid) ?? [];
    list.push(Number(entry));
    childrenOf.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && tree.length < 10_000) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(childrenOf.get(pid) ?? []));
  }
  return tree;
};

/** CPU time (user + system) in milliseconds used so far by the given processes. */
export const cpuMs = (pids: number[]): number => {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.cpuTicks ?? 0;
  return (ticks * 1000) / CLOCK_TICKS;
};

export const treeRssBytes = (pids: number[]): number => pids.reduce((sum, pid) => sum + (readRssBytes(pid) ?? 0), 0);

export interface RssSampler {
  stop(): { peakBytes: number; samples: Array<{ t: number; bytes: number }> };
}

/** Samples VmRSS every intervalMs; keeps every sample (bounded) and the peak. */
export const sampleRss = (pid: number, intervalMs: number, maxSamples = 100_000): RssSampler => {
  const started = performance.now();
  const samples: Array<{ t: number; bytes: number }> = [];
  let peakBytes = 0;
  const take = () => {
    const bytes = readRssBytes(pid);
    if (bytes === null) return;
    peakBytes = Math.max(peakBytes, bytes);
    if (samples.length < maxSamples) samples.push({ t: Math.round(performance.now() - started), bytes });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakBytes, samples };
    },
  };
};

export const toMb = (bytes: number | null): number | null => (bytes === null ? null : Math.round((bytes / (1024 * 1024)) * 10) / 10);
