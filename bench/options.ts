import { resolve } from 'node:path';
import { TARGET_NAMES, type TargetName } from './targets/target.js';
import type { BenchSettings } from './report/results-types.js';

export interface BenchOptions {
  settings: BenchSettings;
  build: boolean;
  pin: boolean;
  targets: TargetName[];
  writeDocs: boolean;
  /** Another checkout (with its own built dist/) measured as the `baseline` target. */
  baselineRoot: string | null;
}

export const usage = `Usage: npm run bench -- [--quick] [--soak-minutes N] [--targets direct,nginx,node-floor,portkey,gateway]
                         [--streams 1000,10000] [--scaling | --no-scaling] [--no-build] [--no-pin]
                         [--no-docs] [--baseline DIR]

  --quick           about a minute: fewer rounds, short wrk runs, 1,000 streams, no soak, no scaling
  (default)         full run: more rounds, 10 s wrk runs, 1,000 and 10,000 streams, 15 min soak,
                    scaling phase
  --soak-minutes N  soak length (0 = none)
  --targets LIST    measure only these (direct is always included: it is the baseline)
  --streams LIST    open-stream counts for the RSS test
  --scaling         also run the scaling phase in a quick run (3 rounds of the quick run's 2 s wrk
                    runs; ~1.5 min more): req/s of the gateway with --workers 1 and 2 and of
                    nginx with worker_processes 1 and 2, all UNPINNED (a 2-worker target needs
                    both cores, so targets, wrk and the simulator share every core)
  --no-scaling      skip the scaling phase in a full run
  --no-build        use the existing dist/ instead of running the TypeScript build first
  --no-pin          do not pin processes to cores with taskset
  --no-docs         write only bench/results/*.json, leave docs/ alone
  --baseline DIR    also measure the gateway built in DIR (e.g. a git worktree of the previous
                    commit, after npm run build there) as the "baseline" target, in the same run`;

export const profile = (kind: 'quick' | 'full'): BenchSettings =>
  kind === 'quick'
    ? {
        kind,
        latencyRounds: 7,
        latencyRequests: 200,
        latencyWarmupRequests: 300,
        streamRounds: 5,
        streamsPerRound: 4,
        streamWarmupRequests: 500,
        wrkConnections: 64,
        wrkRounds: 1,
        wrkDurationS: 2,
        wrkWarmupS: 1,
        streamCounts: [1000],
        soakMinutes: 0,
        idleThresholdPct: 85,
        idleMaxWaitS: 5,
        scaling: false,
      }
    : {
        kind,
        latencyRounds: 15,
        latencyRequests: 1000,
        latencyWarmupRequests: 2000,
        streamRounds: 9,
        streamsPerRound: 10,
        streamWarmupRequests: 3000,
        wrkConnections: 64,
        wrkRounds: 3,
        wrkDurationS: 10,
        wrkWarmupS: 3,
        streamCounts: [1000, 10_000],
        soakMinutes: 15,
        idleThresholdPct: 90,
        idleMaxWaitS: 30,
        scaling: true,
      };

const positiveList = (value: string, name: string): number[] => {
  const numbers = value.split(',').map((part) => Number(part.trim()));
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n <= 0 || n > 50_000)) {
    throw new Error(`${name} needs whole numbers between 1 and 50000, got "${value}"`);
  }
  return numbers;
};

export const parseBenchArgs = (argv: string[]): BenchOptions | 'help' => {
  let kind: 'quick' | 'full' = 'full';
  let soakMinutes: number | undefined;
  let streams: number[] | undefined;
  let targets: TargetName[] = [...TARGET_NAMES];
  let build = true;
  let pin = true;
  let writeDocs = true;
  let baselineRoot: string | null = null;
  let scaling: boolean | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--quick') kind = 'quick';
    else if (flag === '--full') kind = 'full';
    else if (flag === '--soak-minutes') {
      const minutes = Number(value());
      if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) throw new Error('--soak-minutes needs a number of minutes (0–1440)');
      soakMinutes = minutes;
    } else if (flag === '--streams') streams = positiveList(value(), '--streams');
    else if (flag === '--targets') {
      const names = value().split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`unknown target(s) ${unknown.join(', ')}; known: ${TARGET_NAMES.join(', ')}`);
      targets = TARGET_NAMES.filter((name) => name === 'direct' || names.includes(name));
    } else if (flag === '--scaling' || flag === '--no-scaling') {
      if (inline !== undefined) throw new Error(`${flag} takes no value (use --scaling or --no-scaling)`);
      const wanted = flag === '--scaling';
      if (scaling !== undefined && scaling !== wanted) throw new Error('--scaling and --no-scaling contradict each other');
      scaling = wanted;
    } else if (flag === '--no-build') build = false;
    else if (flag === '--no-pin') pin = false;
    else if (flag === '--no-docs') writeDocs = false;
    else if (flag === '--baseline') baselineRoot = resolve(value());
    else if (flag === '--help' || flag === '-h') return 'help';
    else throw new Error(`unknown option ${arg}\n${usage}`);
  }
  const settings = profile(kind);
  if (soakMinutes !== undefined) settings.soakMinutes = soakMinutes;
  if (streams) settings.streamCounts = streams;
  if (scaling !== undefined) settings.scaling = scaling;
  // The baseline is measured whenever a directory is given, whatever --targets says.
  if (baselineRoot && !targets.includes('baseline')) targets = [...targets, 'baseline'];
  if (!baselineRoot) targets = targets.filter((name) => name !== 'baseline');
  return { settings, build, pin, targets, writeDocs, baselineRoot };
};
