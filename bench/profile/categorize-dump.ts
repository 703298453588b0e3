// node --import tsx bench/profile/categorize-dump.ts <callgrind dump> <requests in it>
// Per-request instructions by category for a dump kept from `npm run bench:profile -- --tool callgrind`.
import { categorizeDump, mutatorOf } from './callgrind-categories.js';

const [file, requestsText] = process.argv.slice(2);
const requests = Number(requestsText);
if (!file || !Number.isFinite(requests) || requests <= 0) {
  process.stderr.write('usage: categorize-dump.ts <callgrind dump> <requests>\n');
  process.exit(2);
}
const totals = categorizeDump(file);
const all = Object.values(totals).reduce((sum, value) => sum + value, 0);
const line = (label: string, value: number) => `${Math.round(value / requests).toLocaleString('en-US').padStart(11)}  ${label}\n`;
process.stdout.write(line('total', all) + line('without GC and JIT compiler', mutatorOf(totals)));
for (const [name, value] of Object.entries(totals).sort((a, b) => b[1] - a[1])) process.stdout.write(line(name, value));
