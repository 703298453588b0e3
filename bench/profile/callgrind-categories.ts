import { execFileSync } from 'node:child_process';

/**
 * A callgrind dump split by who ran the instructions. JIT-compiled JavaScript has no
 * symbols, but V8's garbage collector and optimizing compiler do: separating them matters
 * because both run in lumps (a major GC, a burst of TurboFan jobs) that land in one
 * measurement window and not the next, while the rest (the "mutator": our JavaScript,
 * V8's builtins and runtime, libc, SQLite, llhttp) is steady from one run to the next.
 */
export type Category = 'gc' | 'compiler' | 'builtins' | 'v8-runtime' | 'js' | 'sqlite' | 'libc' | 'node-native' | 'other';

export const categoryOf = (fn: string): Category => {
  if (/Marking|Sweeper|Scaveng|Evacuat|RememberedSet|SlotSet|MarkCompact|MemoryChunk|SizeFromMap|IteratePointers|popcount|ActiveSystemPages|heap::|Heap/.test(fn)) return 'gc';
  if (/compiler::|maglev|RelocIterator|baseline::|Compiler/.test(fn)) return 'compiler';
  if (fn.includes('Builtins_')) return 'builtins';
  if (/sqlite3|better_sqlite/.test(fn)) return 'sqlite';
  if (/libc\.so|malloc|libstdc|libgcc/.test(fn)) return 'libc';
  if (/^\?\?\?:0x/.test(fn)) return 'js';
  if (fn.includes('v8::')) return 'v8-runtime';
  if (/node::|llhttp|uv_|libuv|libcrypto/.test(fn)) return 'node-native';
  return 'other';
};

/** Instructions per category in one dump (callgrind_annotate, every function). */
export const categorizeDump = (file: string): Record<Category, number> => {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const totals: Record<Category, number> = { gc: 0, compiler: 0, builtins: 0, 'v8-runtime': 0, js: 0, sqlite: 0, libc: 0, 'node-native': 0, other: 0 };
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([\s\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || line.includes('PROGRAM TOTALS')) continue;
    totals[categoryOf(match[2]!)] += Number(match[1]!.replace(/,/g, ''));
  }
  return totals;
};

/** Everything but the collector and the optimizing compiler. */
export const mutatorOf = (totals: Record<Category, number>): number => Object.entries(totals).reduce((sum, [name, value]) => (name === 'gc' || name === 'compiler' ? sum : sum + value), 0);
