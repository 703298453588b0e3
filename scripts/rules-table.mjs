// `npm run docs:rules`: writes the vendor rules table (src/providers/rules/vendor-rules-table.ts)
// into docs/providers.md and docs/providers.zh-CN.md between their markers. `--check` only
// reports pages that are not current (exit 1), as src/docs/vendor-rules-doc.test.ts does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { RULES_TABLE_DOCS, withRulesTable } = await import('../src/docs/vendor-rules-doc.ts');
const { VENDOR_RULES } = await import('../src/providers/rules/vendor-rules-table.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const { file, language } of RULES_TABLE_DOCS) {
  const path = join(root, file);
  const page = readFileSync(path, 'utf8');
  const next = withRulesTable(page, VENDOR_RULES, language);
  if (next === page) {
    console.log(`${file}: current`);
    continue;
  }
  stale += 1;
  if (check) console.log(`${file}: not current (run npm run docs:rules)`);
  else {
    writeFileSync(path, next);
    console.log(`${file}: rewritten`);
  }
}
if (check && stale > 0) process.exit(1);
