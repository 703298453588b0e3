// One piece of the request path in a loop, from a given build, for instruction counts that do not
// depend on the machine's load:
//   valgrind --tool=callgrind node bench/profile/components.mjs <checkout root with dist/> <part> <n>
// Run with n = 0 and n = N: (Ir(N) − Ir(0)) / N is what the part costs per request in that build.
// Parts: watch (the per-request client watch the upstream exchange listens on), metrics (one
// request's Prometheus updates), url (the upstream URL of a request turned into origin + path).
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

const [root, part, countText] = process.argv.slice(2);
const count = Number(countText);
const load = (path) => import(join(root, 'dist', path));
let sink = 0;

if (part === 'watch') {
  const { RequestAccount } = await load('pipeline/request-account.js');
  const ctx = { settings: { disconnectGraceMs: 0 }, pending: { track: (p) => p } };
  const caller = { kind: 'virtual', keyId: 'k', keyName: 'k' };
  const onAbort = () => (sink += 1);
  for (let i = 0; i < count; i += 1) {
    const res = new EventEmitter();
    const account = new RequestAccount(ctx, 'req', caller, 'bench-fast', false, 'openai-chat');
    // What the upstream exchange does with the signal (src/upstream/upstream-client.ts).
    const signal = account.watchClient(res);
    if (!signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
    signal.removeEventListener('abort', onAbort);
    account.unwatchClient();
  }
} else if (part === 'metrics') {
  const { GatewayMetrics } = await load('observability/metrics.js');
  const metrics = new GatewayMetrics({ knownModel: () => true, knownProvider: () => true });
  const record = { requestId: 'r', time: 0, keyId: 'k', keyName: 'k', model: 'bench-fast', provider: 'BenchUpstream', status: 200, errorCode: null, promptTokens: 20, completionTokens: 12, totalTokens: 32, tokensEstimated: false, cost: 0.0001, latencyMs: 3, ttftMs: null, stream: false, attempts: 1, cached: false };
  for (let i = 0; i < count; i += 1) metrics.observe(record);
  // A scrape every 5,000 requests (15 s at ~330 req/s): what batching defers is paid here.
  if (count > 0) for (let i = 0; i < count / 5000; i += 1) await metrics.registry.metrics();
} else if (part === 'url') {
  const { UpstreamClient } = await load('upstream/upstream-client.js');
  const client = new UpstreamClient();
  const url = 'http://127.0.0.1:40000/openai/v1/chat/completions';
  // The old build parses in request(); the new one has targetOf. Both are measured as built.
  if (typeof client.targetOf === 'function') for (let i = 0; i < count; i += 1) sink += client.targetOf(url).path.length;
  else for (let i = 0; i < count; i += 1) {
    const parsed = new URL(url);
    sink += (parsed.pathname + parsed.search).length + parsed.origin.length;
  }
} else if (part !== 'none') throw new Error(`unknown part ${part}`);
if (sink < 0) console.log(sink);
