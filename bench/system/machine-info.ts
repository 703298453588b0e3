import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, uptime } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryMb: number;
  kernel: string;
  node: string;
  nginx: string | null;
  wrk: string | null;
  gitCommit: string | null;
  gitDirty: boolean | null;
  nofileLimit: number | null;
}

export interface LoadSample {
  at: string;
  loadAvg: [number, number, number];
  uptimeS: number;
}

/** stdout and stderr together (nginx -v prints to stderr); null when the program is missing. */
const quiet = (file: string, args: string[]): string | null => {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 5000 });
  if (result.error) return null;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || null;
};

const shellOut = (command: string): string | null => {
  try {
    return execFileSync('sh', ['-c', command], { encoding: 'utf8', timeout: 5000 }).trim();
  } catch {
    return null;
  }
};

export const machineInfo = (root: string): MachineInfo => {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const wrkLine = shellOut('wrk --version 2>&1 | head -1');
  const status = shellOut(`git -C '${root}' status --porcelain --untracked-files=no`);
  const nofile = shellOut('ulimit -n');
  return {
    cpuModel: model.trim(),
    cores: cpus().length,
    memoryMb: Math.round(totalmem() / (1024 * 1024)),
    kernel: release(),
    node: process.version,
    nginx: (quiet('nginx', ['-v']) ?? quiet('/usr/sbin/nginx', ['-v']))?.replace(/^nginx version:\s*/, '') ?? null,
    wrk: wrkLine ? (/^wrk\s+(\S+)/.exec(wrkLine)?.[1] ?? null) : null,
    gitCommit: shellOut(`git -C '${root}' rev-parse --short HEAD`),
    gitDirty: status === null ? null : status.length > 0,
    nofileLimit: nofile && /^\d+$/.test(nofile) ? Number(nofile) : null,
  };
};

export const loadSample = (): LoadSample => ({
  at: new Date().toISOString(),
  loadAvg: loadavg().map((value) => Math.round(value * 100) / 100) as [number, number, number],
  uptimeS: Math.round(uptime()),
});
