// `npm run bench:profile -- [--tool callgrind|strace] [--targets node-floor,gateway] [--scenarios ...]`
//
// Load-independent cost per request: instructions executed (valgrind callgrind) or syscalls made
// (strace -c -f) by the target's process while it serves N requests. Unlike req/s or CPU ms, both
// come out the same on a busy machine, so a before/after pair needs no quiet machine.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { installCleanupHandlers, setPinning, stopAllChildren } from '../system/children.js';
import { processTree } from '../system/process-stats.js';
import { startGateway } from '../targets/gateway.js';
import { startNginx } from '../targets/nginx.js';
import { startNodeFloor } from '../targets/node-floor.js';
import type { RunningTarget, TargetContext, TargetStart } from '../targets/target.js';
import { startUpstream } from '../upstream/start-upstream.js';
import { categorizeDump, mutatorOf } from './callgrind-categories.js';
import { summarizeCpuProfile } from './cpu-profile-summary.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Options {
  tool: 'callgrind' | 'strace' | 'cpu-prof';
  targets: string[];
  scenarios: string[];
  requests: number;
  warmup: number;
  connections: number;
  /** Build a second gateway from this checkout's dist/ as `baseline`. */
  baselineRoot: string | null;
  /** Extra node flags for the targets (e.g. --log-deopt --logfile=…), strace and cpu-prof tools. */
  nodeFlags: string[];
}

const parse = (argv: string[]): Options => {
  const options: Options = { tool: 'callgrind', targets: ['node-floor', 'gateway'], scenarios: ['openai'], requests: 400, warmup: 600, connections: 8, baselineRoot: null, nodeFlags: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--tool') {
      const tool = value();
      if (tool !== 'callgrind' && tool !== 'strace' && tool !== 'cpu-prof') throw new Error('--tool is callgrind, strace or cpu-prof');
      options.tool = tool;
    } else if (flag === '--targets') options.targets = value().split(',');
    else if (flag === '--scenarios') options.scenarios = value().split(',');
    else if (flag === '--requests') options.requests = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--connections') options.connections = Number(value());
    else if (flag === '--baseline') options.baselineRoot = value();
    else if (flag === '--node-flags') options.nodeFlags = value().split(' ').filter(Boolean);
    else throw new Error(`unknown option ${flag}`);
  }
  for (const name of options.scenarios) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return options;
};

/** N requests, `connections` at a time, each checked for a 200 and a body. */
const drive = async (pool: Pool, target: RunningTarget, scenario: Scenario, count: number, connections: number): Promise<number> => {
  const path = target.name === 'gateway' || target.name === 'baseline' ? scenario.path : target.chatPath;
  const headers = { 'content-type': 'application/json', ...target.headers, ...scenario.headers };
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      try {
        const response = await pool.request({ path, method: 'POST', headers, body: scenario.body, headersTimeout: 600_000, bodyTimeout: 600_000 });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.length === 0) {
          failures += 1;
          if (failures <= 2) process.stderr.write(`  ${scenario.name}: HTTP ${response.statusCode} ${text.slice(0, 200)}\n`);
        }
      } catch (error) {
        failures += 1;
        if (failures <= 2) process.stderr.write(`  ${scenario.name}: ${(error as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return failures;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Valgrind names its vgdb pipes after the target's USER and HOST variables, and the gateway
 * runs with HOST=127.0.0.1 (its listen address): callgrind_control must use the same values
 * or it silently talks to nobody.
 */
const callgrindControl = (args: string[], host: string | undefined): void => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  if (host !== undefined) env.HOST = host;
  execFileSync('callgrind_control', args, { stdio: 'ignore', timeout: 120_000, env });
};

/** Total Ir of the newest dump file callgrind wrote for pid since `known` (its path in `known.last`). */
const newestDumpIr = async (dir: string, pid: number, known: Set<string> & { last?: string }): Promise<number> => {
  for (let attempt = 0; attempt < 1800; attempt += 1) {
    const fresh = readdirSync(dir).filter((file) => file.startsWith(`callgrind.out.${pid}`) && !known.has(file));
    for (const file of fresh) {
      const text = readFileSync(join(dir, file), 'utf8');
      const match = /^(?:totals|summary): (\d+)/m.exec(text);
      if (match) {
        known.add(file);
        known.last = join(dir, file);
        return Number(match[1]);
      }
    }
    await sleep(100);
  }
  throw new Error('callgrind wrote no dump');
};

const straceCounts = async (pids: number[], run: () => Promise<unknown>): Promise<{ total: number; top: Array<[string, number]> }> => {
  const out = join(mkdtempSync(join(tmpdir(), 'skgw-strace-')), 'summary.txt');
  const tracer = spawn('strace', ['-c', '-f', '-o', out, ...pids.flatMap((pid) => ['-p', String(pid)])], { stdio: 'ignore' });
  await sleep(1000);
  await run();
  tracer.kill('SIGINT');
  await new Promise((resolve) => tracer.once('exit', resolve));
  const lines = readFileSync(out, 'utf8').split('\n');
  const rows: Array<[string, number]> = [];
  let total = 0;
  for (const line of lines) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 5 || !/^\d/.test(cells[0]!)) continue;
    const name = cells[cells.length - 1]!;
    // % time, seconds, usecs/call, calls, [errors,] syscall
    const calls = Number(cells[3]);
    if (name === 'total') total = calls;
    else rows.push([name, calls]);
  }
  rmSync(out, { force: true });
  return { total, top: rows.sort((a, b) => b[1] - a[1]).slice(0, 8) };
};

const main = async (options: Options): Promise<void> => {
  installCleanupHandlers();
  setPinning(false);
  const workDir = mkdtempSync(join(tmpdir(), 'skgw-profile-'));
  const dumpDir = join(workDir, 'callgrind');
  execFileSync('mkdir', ['-p', dumpDir]);
  const upstream = await startUpstream(root, null);
  // A busy machine starts a gateway slowly: give it two minutes.
  const base: TargetContext = { root, upstreamUrl: upstream.url, cpu: null, workDir, baselineRoot: options.baselineRoot, startTimeoutMs: 120_000 };
  const context: TargetContext =
    options.tool === 'callgrind'
      ? {
          ...base,
          startTimeoutMs: 300_000,
          wrap: (command, args) => ({
            command: 'valgrind',
            args: ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dumpDir, 'callgrind.out.%p')}`, command, ...args],
          }),
        }
      : options.tool === 'cpu-prof'
        ? { ...base, wrap: (command, args) => ({ command, args: ['--cpu-prof', `--cpu-prof-dir=${dumpDir}`, ...options.nodeFlags, ...args] }) }
        : options.nodeFlags.length > 0
          ? { ...base, wrap: (command, args) => ({ command, args: [...options.nodeFlags, ...args] }) }
          : base;
  const starters: Record<string, () => Promise<TargetStart>> = {
    'node-floor': () => startNodeFloor(context),
    nginx: () => startNginx(base),
    gateway: () => startGateway(context),
    baseline: () => startGateway({ ...context, root: options.baselineRoot ?? root }),
  };
  process.stdout.write(`${options.tool}: ${options.requests} requests per scenario after ${options.warmup} warm-up, ${options.connections} connections\n`);
  try {
    for (const name of options.targets) {
      if (options.tool === 'callgrind' && name === 'nginx') {
        process.stdout.write('  nginx: skipped under callgrind (compare instructions against node-floor)\n');
        continue;
      }
      // `dir:/path/to/checkout` is another gateway build (its dist/), named after the folder.
      const otherBuild = name.startsWith('dir:') ? name.slice(4) : null;
      const started = otherBuild ? await startGateway({ ...context, root: otherBuild }) : await starters[name]!();
      if (started.status !== 'ok') throw new Error(`${name}: ${started.reason}`);
      const target = { ...started.target, name: (otherBuild ? 'baseline' : name) as RunningTarget['name'] };
      const label = otherBuild ? otherBuild.split('/').filter(Boolean).pop()! : name;
      const pool = new Pool(target.origin, { connections: options.connections, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
      const known: Set<string> & { last?: string } = new Set<string>();
      const isGateway = otherBuild !== null || name === 'gateway' || name === 'baseline';
      const scenarios = isGateway ? options.scenarios : ['openai'];
      try {
        for (const scenarioName of scenarios) {
          const scenario = SCENARIOS[scenarioName]!;
          const warmFailures = await drive(pool, target, scenario, options.warmup, options.connections);
          if (warmFailures > 0) throw new Error(`${name}/${scenario.name}: ${warmFailures} warm-up requests failed`);
          if (options.tool === 'callgrind') {
            const pid = target.pid!;
            const host = isGateway ? '127.0.0.1' : undefined;
            // Idle cost first (timers, state polls) over a fixed window, so it can be subtracted.
            callgrindControl(['-i', 'on', String(pid)], host);
            callgrindControl(['-z', String(pid)], host);
            const idleStarted = performance.now();
            await sleep(3000);
            callgrindControl(['-d', String(pid)], host);
            const idleIr = await newestDumpIr(dumpDir, pid, known);
            const idleRate = idleIr / (performance.now() - idleStarted);
            const started = performance.now();
            const failures = await drive(pool, target, scenario, options.requests, options.connections);
            const elapsed = performance.now() - started;
            callgrindControl(['-d', String(pid)], host);
            const ir = await newestDumpIr(dumpDir, pid, known);
            callgrindControl(['-i', 'off', String(pid)], host);
            // Not net of idle: a 3 s idle window extrapolated over the run is unreliable when a GC
            // lands in it; the idle estimate is printed beside the total instead.
            const perRequest = ir / options.requests;
            const categories = categorizeDump(known.last!);
            if (process.env.BENCH_PROFILE_KEEP) execFileSync('cp', [known.last!, join(process.env.BENCH_PROFILE_KEEP, `${label}-${scenario.name}.callgrind`)]);
            const perCategory = (value: number) => Math.round(value / options.requests).toLocaleString('en-US');
            process.stdout.write(
              `  ${label.padEnd(10)} ${scenario.name.padEnd(22)} ${Math.round(perRequest).toLocaleString('en-US').padStart(11)} instructions/request` +
                `  (total ${ir.toLocaleString('en-US')}; idle would be ~${Math.round(idleRate * elapsed).toLocaleString('en-US')} over the ${Math.round(elapsed)} ms; ${failures} failed)\n` +
                `  ${''.padEnd(10)} ${''.padEnd(22)} ${perCategory(mutatorOf(categories)).padStart(11)} without GC and JIT compiler` +
                `  (gc ${perCategory(categories.gc)}, compiler ${perCategory(categories.compiler)}, builtins ${perCategory(categories.builtins)}, v8 runtime ${perCategory(categories['v8-runtime'])}, js ${perCategory(categories.js)}, sqlite ${perCategory(categories.sqlite)}, libc ${perCategory(categories.libc)}, node native ${perCategory(categories['node-native'])})\n`,
            );
          } else if (options.tool === 'cpu-prof') {
            const failures = await drive(pool, target, scenario, options.requests, options.connections);
            process.stdout.write(`  ${name} ${scenario.name}: ${options.requests} requests, ${failures} failed\n`);
          } else {
            const pids = processTree(target.pid!);
            let failures = 0;
            const counts = await straceCounts(pids, async () => {
              failures = await drive(pool, target, scenario, options.requests, options.connections);
            });
            process.stdout.write(
              `  ${label.padEnd(10)} ${scenario.name.padEnd(22)} ${(counts.total / options.requests).toFixed(2).padStart(7)} syscalls/request` +
                `  (${counts.top.map(([call, calls]) => `${call} ${(calls / options.requests).toFixed(2)}`).join(', ')}; ${failures} failed)\n`,
            );
          }
        }
      } finally {
        await pool.close();
        await target.stop();
      }
      if (options.tool === 'cpu-prof') {
        // The profile is written when the process exits; one per target (all its scenarios).
        const file = readdirSync(dumpDir).filter((entry) => entry.endsWith('.cpuprofile')).map((entry) => join(dumpDir, entry))[0];
        if (!file) throw new Error(`${name}: no .cpuprofile written (did it exit cleanly?)`);
        const summary = summarizeCpuProfile(file);
        process.stdout.write(`  ${name}: ${summary.samples} busy samples; self time by place:\n`);
        for (const [bucket, pct] of summary.buckets) process.stdout.write(`    ${String(pct).padStart(5)}%  ${bucket}\n`);
        process.stdout.write('  top functions:\n');
        for (const [fn, pct] of summary.functions) process.stdout.write(`    ${String(pct).padStart(5)}%  ${fn}\n`);
        // BENCH_PROFILE_KEEP=DIR keeps the raw profile (for DevTools or a script of your own).
        if (process.env.BENCH_PROFILE_KEEP) execFileSync('cp', [file, join(process.env.BENCH_PROFILE_KEEP, `${name}.cpuprofile`)]);
        rmSync(file);
      }
    }
  } finally {
    await stopAllChildren();
    rmSync(workDir, { recursive: true, force: true });
  }
};

let options: Options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
main(options).then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`profile failed: ${(error as Error).stack ?? String(error)}\n`);
    await stopAllChildren();
    process.exit(1);
  },
);
