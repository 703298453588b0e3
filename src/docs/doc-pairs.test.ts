// Every doc page a user needs exists in English and Chinese (docs/x.md + docs/x.zh-CN.md), each
// page links to its twin, and README.md / README.zh-CN.md link to every page in their language.
// These checks read the real files, so a page added in one language only fails the suite.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const ZH = '.zh-CN.md';

function docPages(rootDir: string): string[] {
  return readdirSync(join(rootDir, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort();
}

/** Pages without their twin, as "docs/x.md: no docs/x.zh-CN.md". */
function missingTwins(rootDir: string): string[] {
  const pages = new Set(docPages(rootDir));
  const problems: string[] = [];
  for (const page of pages) {
    const twin = page.endsWith(ZH) ? page.slice(0, -ZH.length) + '.md' : page.slice(0, -'.md'.length) + ZH;
    if (!pages.has(twin)) problems.push(`docs/${page}: no docs/${twin}`);
  }
  return problems;
}

/** Pages whose opening lines lack the switch link to their twin (`[中文](x.zh-CN.md)` / `[English](x.md)`). */
function missingSwitchLines(rootDir: string): string[] {
  const problems: string[] = [];
  for (const page of docPages(rootDir)) {
    const head = readFileSync(join(rootDir, 'docs', page), 'utf8').split('\n').slice(0, 5).join('\n');
    const zh = page.endsWith(ZH);
    const expected = zh ? `[English](${page.slice(0, -ZH.length)}.md)` : `[中文](${page.slice(0, -3)}${ZH})`;
    if (!head.includes(expected)) problems.push(`docs/${page}: no ${expected} in its first lines`);
  }
  return problems;
}

/** Relative link targets of a markdown file (`](target)`), anchors and external links dropped. */
function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!.split('#')[0]!;
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    targets.push(target);
  }
  return targets;
}

/** Links in the READMEs and doc pages that point at files which do not exist. */
function brokenLinks(rootDir: string): string[] {
  const files = ['README.md', 'README.zh-CN.md', ...docPages(rootDir).map((page) => `docs/${page}`)];
  const problems: string[] = [];
  for (const file of files) {
    const path = join(rootDir, file);
    if (!existsSync(path)) {
      problems.push(`${file}: missing`);
      continue;
    }
    for (const target of relativeLinks(readFileSync(path, 'utf8'))) {
      if (!existsSync(resolve(dirname(path), target))) problems.push(`${file}: links to missing ${target}`);
    }
  }
  return problems;
}

/** Doc pages a README does not link to: README.md lists the English pages, README.zh-CN.md the Chinese ones. */
function unlinkedPages(rootDir: string): string[] {
  const problems: string[] = [];
  for (const [readme, zh] of [['README.md', false], ['README.zh-CN.md', true]] as const) {
    const path = join(rootDir, readme);
    if (!existsSync(path)) continue; // reported by brokenLinks
    const linked = new Set(relativeLinks(readFileSync(path, 'utf8')).map((target) => target.replace(/^\.\//, '')));
    for (const page of docPages(rootDir)) {
      if (page.endsWith(ZH) !== zh) continue;
      if (!linked.has(`docs/${page}`)) problems.push(`${readme}: no link to docs/${page}`);
    }
  }
  return problems;
}

/** Numbers (digits with their separators) in a text, e.g. "9,749", "0.239", "2026-11-27T09:31:21.856Z". */
function numbersIn(text: string): Set<string> {
  return new Set(text.match(/\d(?:[\d.,:T-]*\d)?/g) ?? []);
}

function section(markdown: string, start: string, end: string): string {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end, from);
  return from === -1 || to === -1 ? '' : markdown.slice(from, to);
}

/** The Chinese benchmarks page must carry exactly the figures of the generated English section. */
function benchmarkNumberMismatch(rootDir: string): { onlyEnglish: string[]; onlyChinese: string[] } {
  const english = section(readFileSync(join(rootDir, 'docs/benchmarks.md'), 'utf8'), '<!-- bench:results:start', '<!-- bench:results:end');
  const chinese = section(readFileSync(join(rootDir, 'docs/benchmarks.zh-CN.md'), 'utf8'), '<!-- bench:results-zh:start', '<!-- bench:results-zh:end');
  if (english === '' || chinese === '') return { onlyEnglish: ['(results section not found)'], onlyChinese: [] };
  const en = numbersIn(english);
  const zh = numbersIn(chinese);
  return { onlyEnglish: [...en].filter((n) => !zh.has(n)), onlyChinese: [...zh].filter((n) => !en.has(n)) };
}

describe('docs in English and Chinese (the repository)', () => {
  it('every docs/*.md page has its .zh-CN.md twin and vice versa', () => {
    expect(docPages(root).length).toBeGreaterThan(0);
    expect(missingTwins(root)).toEqual([]);
  });

  it('every page opens with the language switch to its twin', () => {
    expect(missingSwitchLines(root)).toEqual([]);
  });

  it('README and doc links point at files that exist', () => {
    expect(brokenLinks(root)).toEqual([]);
  });

  it('README.md links every English page and README.zh-CN.md every Chinese page', () => {
    expect(unlinkedPages(root)).toEqual([]);
  });

  it('the Chinese benchmarks page shows the same figures as the generated English section', () => {
    expect(benchmarkNumberMismatch(root)).toEqual({ onlyEnglish: [], onlyChinese: [] });
  });
});

describe('the doc checks catch what they are for', () => {
  function fixture(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'doc-pairs-'));
    mkdirSync(join(dir, 'docs'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  const good = {
    'README.md': '[guide](docs/guide.md)\n',
    'README.zh-CN.md': '[指南](docs/guide.zh-CN.md)\n',
    'docs/guide.md': '# Guide\n\n[中文](guide.zh-CN.md)\n',
    'docs/guide.zh-CN.md': '# 指南\n\n[English](guide.md)\n',
  };

  it('passes a complete pair', () => {
    const dir = fixture(good);
    expect([...missingTwins(dir), ...missingSwitchLines(dir), ...brokenLinks(dir), ...unlinkedPages(dir)]).toEqual([]);
  });

  it('reports an English page without a Chinese twin, and a Chinese page without an English one', () => {
    const dir = fixture({ ...good, 'docs/extra.md': '# Extra\n\n[中文](extra.zh-CN.md)\n', 'docs/only.zh-CN.md': '# 仅中文\n' });
    expect(missingTwins(dir)).toEqual(['docs/extra.md: no docs/extra.zh-CN.md', 'docs/only.zh-CN.md: no docs/only.md']);
  });

  it('reports a page without its switch line', () => {
    const dir = fixture({ ...good, 'docs/guide.zh-CN.md': '# 指南\n\n正文\n' });
    expect(missingSwitchLines(dir)).toEqual(['docs/guide.zh-CN.md: no [English](guide.md) in its first lines']);
  });

  it('reports a README link to a missing file and a page no README links', () => {
    const dir = fixture({ ...good, 'README.md': '[gone](docs/gone.md) [site](https://example.com/x.md)\n' });
    expect(brokenLinks(dir)).toEqual(['README.md: links to missing docs/gone.md']);
    expect(unlinkedPages(dir)).toEqual(['README.md: no link to docs/guide.md']);
  });

  it('reports a benchmark figure that differs between the languages', () => {
    const dir = fixture({
      'docs/benchmarks.md': '<!-- bench:results:start -->\n| gw | 9,749 | 0.239 |\n<!-- bench:results:end -->\n',
      'docs/benchmarks.zh-CN.md': '<!-- bench:results-zh:start -->\n| 网关 | 9,749 | 0.240 |\n<!-- bench:results-zh:end -->\n',
    });
    expect(benchmarkNumberMismatch(dir)).toEqual({ onlyEnglish: ['0.239'], onlyChinese: ['0.240'] });
  });
});
