import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BusyDetector, operatorSizedYoungGeneration } from './young-generation.js';

const run = promisify(execFile);
const modulePath = resolve(__dirname, 'young-generation.ts');

/** Scavenge start times: `count` of them spread evenly over the second that starts at `second`. */
const second = (start: number, count: number) => Array.from({ length: count }, (_, i) => start * 1000 + (i * 1000) / count);
const releasesAt = (detector: BusyDetector, times: number[]) => times.findIndex((t) => detector.scavengeAt(t));

describe('BusyDetector', () => {
  const policy = { scavengesPerSecond: 40, busySeconds: 2 };

  it('never releases on quiet seconds (an idle gateway, a thousand slow streams)', () => {
    const detector = new BusyDetector(policy);
    expect(releasesAt(detector, Array.from({ length: 30 }, (_, s) => second(s, 13)).flat())).toBe(-1);
  });

  it('does not release on one busy second (a ramp of new streams) between quiet ones', () => {
    const detector = new BusyDetector(policy);
    expect(releasesAt(detector, [...second(0, 5), ...second(1, 120), ...second(2, 10), ...second(3, 10)])).toBe(-1);
  });

  it('releases during the second busy second in a row, as soon as it is busy', () => {
    const detector = new BusyDetector(policy);
    const times = [...second(0, 5), ...second(1, 50), ...second(2, 50)];
    // 5 + 50 scavenges, then the 40th of the next second.
    expect(releasesAt(detector, times)).toBe(5 + 50 + 39);
  });

  it('does not join busy seconds across a second without any scavenge', () => {
    const detector = new BusyDetector(policy);
    expect(releasesAt(detector, [...second(0, 60), ...second(2, 60)])).toBe(-1);
    // ...but the next busy second in a row does.
    expect(detector.scavengeAt(3000)).toBe(false);
    expect(releasesAt(detector, second(3, 60).slice(1))).toBe(38);
  });
});

describe('operatorSizedYoungGeneration', () => {
  it('leaves the young generation alone when the operator sized it at launch', () => {
    expect(operatorSizedYoungGeneration(['--max-semi-space-size=8'], undefined)).toBe(true);
    expect(operatorSizedYoungGeneration([], '--max_semi_space_size=4 --enable-source-maps')).toBe(true);
    expect(operatorSizedYoungGeneration(['--semi-space-growth-factor=4'], '')).toBe(true);
    expect(operatorSizedYoungGeneration(['--enable-source-maps', '--max-old-space-size=512'], '--inspect')).toBe(false);
  });
});

/** Runs the module in a fresh Node (its own heap): allocation with survivors, new-space size before and after. */
const inChild = async (script: string): Promise<Record<string, unknown>> => {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { holdYoungGeneration } from ${JSON.stringify(modulePath)};
       import v8 from 'node:v8';
       const newSpaceMb = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
       // Many objects survive each scavenge: what makes V8 grow the young generation.
       const churn = () => { let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i }); if (keep.length > 100000) keep = []; } };
       const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
       ${script}`,
    ],
    { cwd: resolve(__dirname, '../..'), env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
};

describe('holdYoungGeneration (a real V8 heap)', () => {
  it('holds the young generation while allocating, and lets it grow once released', async () => {
    const result = await inChild(`
      const hold = holdYoungGeneration([], '');
      const start = newSpaceMb();
      churn();
      const held = newSpaceMb();
      hold.release();
      churn();
      console.log(JSON.stringify({ held: hold.held, released: hold.released, start, heldMb: held, grownMb: newSpaceMb() }));`);
    expect(result.held).toBe(true);
    expect(result.released).toBe(true);
    expect(result.heldMb).toBe(result.start);
    expect(result.grownMb as number).toBeGreaterThanOrEqual(4 * (result.start as number));
  }, 30_000);

  it('watch() lets growth go by itself when scavenges come fast for two seconds', async () => {
    const result = await inChild(`
      const hold = holdYoungGeneration([], '');
      hold.watch();
      const start = newSpaceMb();
      const until = Date.now() + 6000;
      // Observer entries arrive between turns of the event loop: churn in slices.
      while (!hold.released && Date.now() < until) { churn(); await sleep(1); }
      churn();
      console.log(JSON.stringify({ released: hold.released, start, grownMb: newSpaceMb() }));`);
    expect(result.released).toBe(true);
    expect(result.grownMb as number).toBeGreaterThan(result.start as number);
  }, 30_000);

  it('changes nothing when the operator sized the young generation', async () => {
    const result = await inChild(`
      const hold = holdYoungGeneration(['--max-semi-space-size=16'], '');
      const start = newSpaceMb();
      churn();
      console.log(JSON.stringify({ held: hold.held, released: hold.released, start, after: newSpaceMb() }));`);
    expect(result.held).toBe(false);
    expect(result.released).toBe(true);
    expect(result.after as number).toBeGreaterThan(result.start as number);
  }, 30_000);
});
