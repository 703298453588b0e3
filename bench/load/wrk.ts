import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, type CpuChoice } from '../system/children.js';
import { chatUrl, type RunningTarget } from '../targets/target.js';

export interface WrkRun {
  requests: number;
  durationS: number;
  requestsPerSec: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Non-2xx responses plus socket errors of every kind. */
  errors: number;
}

const luaString = (text: string): string => {
  let level = 0;
  while (text.includes(`]${'='.repeat(level)}]`)) level += 1;
  return `[${'='.repeat(level)}[${text}]${'='.repeat(level)}]`;
};

/** A wrk script posting `bodies` in turn (one body = a constant request). */
export const wrkScript = (bodies: string[], headers: Record<string, string>): string => {
  const lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"'];
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  if (bodies.length === 1) {
    lines.push(`wrk.body = ${luaString(bodies[0])}`);
  } else {
    lines.push(`local bodies = { ${bodies.map(luaString).join(', ')} }`);
    lines.push('local counter = 0');
    lines.push('request = function()');
    lines.push('  counter = counter + 1');
    lines.push('  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])');
    lines.push('end');
  }
  return `${lines.join('\n')}\n`;
};

const toMs = (value: string, unit: string): number => {
  const number = Number(value);
  if (unit === 'us') return number / 1000;
  if (unit === 's') return number * 1000;
  if (unit === 'm') return number * 60_000;
  return number;
};

export const parseWrkOutput = (output: string): WrkRun => {
  const requestsLine = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output);
  const perSec = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!requestsLine || !perSec) throw new Error(`unexpected wrk output:\n${output}`);
  const percentileOf = (label: string): number | null => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return match ? toMs(match[1], match[2]) : null;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0;
  return {
    requests: Number(requestsLine[1]),
    durationS: toMs(requestsLine[2], requestsLine[3]) / 1000,
    requestsPerSec: Number(perSec[1]),
    latencyP50Ms: percentileOf('50'),
    latencyP99Ms: percentileOf('99'),
    errors: non2xx + socketErrors,
  };
};

export interface WrkOptions {
  target: RunningTarget;
  bodies: string[];
  connections: number;
  durationS: number;
  cpu: CpuChoice;
  workDir: string;
  /** Reply timeout per request (wrk's --timeout). */
  timeoutS?: number;
}

let scriptCounter = 0;

export const runWrk = async (options: WrkOptions): Promise<WrkRun> => {
  scriptCounter += 1;
  const script = join(options.workDir, `wrk-${options.target.name}-${scriptCounter}.lua`);
  writeFileSync(script, wrkScript(options.bodies, options.target.headers));
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationS))}s`,
    `--timeout`,
    `${options.timeoutS ?? 10}s`,
    '--latency',
    '-s',
    script,
    chatUrl(options.target),
  ];
  let output = '';
  const child = spawnManaged(`wrk ${options.target.name}`, 'wrk', args, {
    cpu: options.cpu,
    onStdout: (text) => {
      output += text;
    },
  });
  // wrk stops itself after -d; the guard only covers a hung wrk.
  const guard = setTimeout(() => void child.stop(), (options.durationS + 30) * 1000);
  const { code } = await child.exited;
  clearTimeout(guard);
  await child.stop();
  // wrk reports a broken Lua script on stderr and then carries on with a plain GET: treat that as fatal.
  if (code !== 0 || /\.lua:\d+:/.test(child.outputTail())) throw new Error(`wrk failed (exit ${code}): ${child.outputTail()}`);
  return parseWrkOutput(output);
};
