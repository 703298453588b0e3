// The usage write path by itself, for load-independent before/after pairs:
//   node bench/profile/usage-batch.mjs <checkout root with dist/> <batches> <rows per batch>
// writes <batches> batches of rows for one virtual key through that build's usage writer, wired
// as src/server/app.ts wires it. Run it under `strace -c -f` or callgrind with 0 batches and with N:
// the difference divided by N is the cost of one batch (start-up cancels out).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [root, batchesText, rowsText] = process.argv.slice(2);
const batches = Number(batchesText);
const rows = Number(rowsText);
const load = (path) => import(join(root, 'dist', path));
const { openDatabase } = await load('storage/database.js');
const { UsageRepository } = await load('storage/usage-repository.js');
const { ApiKeyRepository } = await load('storage/api-key-repository.js');
const { createUsageWriter } = await load('storage/usage-writer.js');

const dataDir = mkdtempSync(join(tmpdir(), 'skgw-usage-batch-'));
const gdb = await openDatabase({ dataDir });
const keys = new ApiKeyRepository(gdb.db);
const key = await keys.createApiKey({ name: 'bench' });
const repo = new UsageRepository(gdb.db, gdb.sqlite);
const writer = createUsageWriter(repo, { flushIntervalMs: 3_600_000, maxBatch: rows + 1, apiKeys: repo.recordsLastUse ? undefined : keys });
let time = Date.now();
const row = (index) => ({
  requestId: `req-${index}`,
  time: (time += 1),
  keyId: key.id,
  keyName: 'bench',
  model: 'bench-fast',
  provider: 'BenchUpstream',
  status: 200,
  promptTokens: 20,
  completionTokens: 12,
  cost: 0.0001,
  latencyMs: 3,
  stream: false,
  attempts: 1,
});
let index = 0;
for (let batch = 0; batch < batches; batch += 1) {
  for (let i = 0; i < rows; i += 1) writer.record(row((index += 1)));
  await writer.flush();
}
await writer.close();
await gdb.close();
rmSync(dataDir, { recursive: true, force: true });
