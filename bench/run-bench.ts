// Entry point of `npm run bench` (scripts/bench.mjs runs this file through tsx).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, usage, type BenchOptions } from './options.js';
import { runLatencyPhase } from './phases/latency-phase.js';
import { runProtocolPathsPhase } from './phases/protocol-paths-phase.js';
import { runManyStreamsPhase } from './phases/many-streams-phase.js';
import { runScalingPhase } from './phases/scaling-phase.js';
import type { PhaseContext } from './phases/phase-context.js';
import { runSoakPhase } from './phases/soak-phase.js';
import { runStreamingPhase } from './phases/streaming-phase.js';
import { runThroughputPhase } from './phases/throughput-phase.js';
import { evaluateTargets } from './report/evaluate-targets.js';
import type { BenchResults, ScalingSummary, TargetRecord } from './report/results-types.js';
import { writeResults } from './report/write-results.js';
import { installCleanupHandlers, isStopping, onExit, setPinning, stopAllChildren } from './system/children.js';
import { loadSample, machineInfo } from './system/machine-info.js';
import { processTree, toMb, treeRssBytes } from './system/process-stats.js';
import { startDirect } from './targets/direct.js';
import { buildGateway, startBaselineGateway, startGateway } from './targets/gateway.js';
import { startNginx } from './targets/nginx.js';
import { startNodeFloor } from './targets/node-floor.js';
import { startPortkey } from './targets/portkey.js';
import { TARGET_LABELS, chatUrl, type RunningTarget, type TargetContext, type TargetName, type TargetStart } from './targets/target.js';
import { verifyChatEndpoint } from './targets/verify-target.js';
import { startUpstream } from './upstream/start-upstream.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TARGET_CPU = 0;
const LOAD_CPU = 1;

const log = (message: string) => {
  // After an interrupt the phases still unwind with failed requests: their numbers mean nothing.
  if (!isStopping()) process.stdout.write(`${message}\n`);
};

const canPin = (): boolean => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** This process runs the Node load clients: it belongs on the load core, threads included. */
const pinSelf = (): void => {
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });
};

const starters: Record<TargetName, (context: TargetContext) => Promise<TargetStart>> = {
  direct: startDirect,
  nginx: startNginx,
  'node-floor': startNodeFloor,
  portkey: startPortkey,
  gateway: startGateway,
  baseline: startBaselineGateway,
};

const main = async (options: BenchOptions): Promise<number> => {
  installCleanupHandlers();
  const pinned = options.pin && canPin();
  setPinning(pinned);
  if (pinned) pinSelf();
  const startedAt = new Date();
  const before = loadSample();
  log(`bench (${options.settings.kind}): ${pinned ? `targets on core ${TARGET_CPU}, clients + simulator on core ${LOAD_CPU}` : 'not pinned'}; load ${before.loadAvg.join(' ')}`);
  if (options.build && options.targets.includes('gateway')) {
    log('building the gateway (tsc -p tsconfig.build.json)…');
    buildGateway(root);
  }

  const workDir = mkdtempSync(join(tmpdir(), 'skgw-bench-'));
  onExit(() => rmSync(workDir, { recursive: true, force: true }));
  const running: RunningTarget[] = [];
  const records: TargetRecord[] = [];
  try {
    const upstream = await startUpstream(root, pinned ? LOAD_CPU : null);
    log(`simulator (recordLimit 0) at ${upstream.url}`);
    const targetContext: TargetContext = {
      root,
      upstreamUrl: upstream.url,
      cpu: pinned ? TARGET_CPU : null,
      workDir,
      baselineRoot: options.baselineRoot,
    };
    for (const name of options.targets) {
      const started = await starters[name](targetContext);
      if (started.status === 'ok') {
        const problem = await verifyChatEndpoint(chatUrl(started.target), started.target.headers);
        if (problem) {
          await started.target.stop();
          records.push({ name, label: TARGET_LABELS[name], status: 'skipped', reason: problem, version: started.target.version, notes: started.target.notes });
        } else {
          running.push(started.target);
          const pid = started.target.pid;
          const rssStartMb = pid === null ? null : toMb(treeRssBytes(processTree(pid)));
          records.push({ name, label: TARGET_LABELS[name], status: 'ok', version: started.target.version, notes: started.target.notes, rssStartMb });
        }
      } else {
        records.push({ name, label: TARGET_LABELS[name], status: 'skipped', reason: started.reason, version: null, notes: [] });
      }
      const record = records[records.length - 1];
      log(`  ${name.padEnd(10)} ${record.status === 'ok' ? `ok ${chatUrl(running[running.length - 1])}` : `skipped: ${record.reason}`}`);
    }
    if (!running.some((target) => target.name === 'direct')) throw new Error('the direct baseline did not answer; nothing to compare against');

    const phase: PhaseContext = { settings: options.settings, targets: running, loadCpu: pinned ? LOAD_CPU : null, workDir, idleChecks: [], log };
    log('latency at 1 connection…');
    const latency = await runLatencyPhase(phase);
    log('streaming TTFT and chunk gaps…');
    const streaming = await runStreamingPhase(phase);
    const throughput = await runThroughputPhase(phase);
    const gateway = running.find((target) => target.name === 'gateway');
    const protocolPaths = gateway ? await runProtocolPathsPhase(phase, gateway) : [];
    // Soak before the open-stream runs: a heap just inflated by 10,000 streams would shrink during the
    // soak and hide a leak.
    const soak = gateway ? await runSoakPhase(phase, gateway) : null;
    // Open streams are measured on a freshly started gateway, so the figure is what holding
    // streams costs, not the heap left over from the throughput runs (reported separately).
    let streamsGateway = gateway;
    if (gateway) {
      const rssAfterLoadMb = gateway.pid === null ? null : toMb(treeRssBytes(processTree(gateway.pid)));
      log(`gateway RSS after the load phases: ${rssAfterLoadMb} MB; restarting it for the open-stream runs`);
      const gatewayRecord = records.find((record) => record.name === 'gateway');
      if (gatewayRecord) gatewayRecord.notes = [...gatewayRecord.notes, `RSS after load phases ${rssAfterLoadMb} MB`];
      await gateway.stop();
      running.splice(running.indexOf(gateway), 1);
      const fresh = await starters.gateway(targetContext);
      if (fresh.status === 'ok') {
        running.push(fresh.target);
        streamsGateway = fresh.target;
      } else streamsGateway = undefined;
    }
    const manyStreams = streamsGateway ? await runManyStreamsPhase(phase, streamsGateway, machineInfo(root).nofileLimit) : [];
    // Last, on targets of its own: the pinned ones are stopped first so nothing idles beside it.
    let scaling: ScalingSummary | null = null;
    if (options.settings.scaling) {
      await Promise.all(running.map((target) => target.stop().catch(() => undefined)));
      running.length = 0;
      log('scaling: 1 vs 2 workers, nothing pinned (targets, wrk and a simulator of their own share every core)…');
      scaling = await runScalingPhase(phase, { root, nginx: options.targets.includes('nginx'), gateway: options.targets.includes('gateway') });
      if (scaling.reason) log(`  not run: ${scaling.reason}`);
    }

    const finishedAt = new Date();
    const results: BenchResults = {
      schemaVersion: 1,
      kind: options.settings.kind,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      machine: machineInfo(root),
      load: { before, after: loadSample(), idleChecks: phase.idleChecks, pinned, targetCpu: pinned ? TARGET_CPU : null, loadCpu: pinned ? LOAD_CPU : null },
      settings: options.settings,
      targets: records,
      latency,
      throughput,
      streaming,
      protocolPaths,
      manyStreams,
      soak,
      scaling,
    };
    const files = writeResults(results, root, { docs: options.writeDocs });
    log(`\nwrote ${[files.json, files.markdown, files.chart].filter(Boolean).join('\n      ')}`);
    log('');
    for (const row of evaluateTargets(results)) log(`  ${row.status.padEnd(4)}  ${row.label}: ${row.measured} (goal ${row.goal})`);
    return 0;
  } finally {
    await Promise.all(running.map((target) => target.stop().catch(() => undefined)));
    await stopAllChildren();
    rmSync(workDir, { recursive: true, force: true });
  }
};

let options: BenchOptions | 'help';
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
if (options === 'help') {
  log(usage);
  process.exit(0);
}
main(options).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${process.env.BENCH_DEBUG ? ((error as Error)?.stack ?? String(error)) : ((error as Error)?.message ?? String(error))}\n`);
    await stopAllChildren();
    process.exit(1);
  },
);
