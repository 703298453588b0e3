import { describe, expect, it } from 'vitest';
import { SessionRepository } from './session-repository.js';
import { dumpDatabase, testTargets, useTestDatabase } from '../test-support/test-databases.js';

const targets = await testTargets();

describe.each(targets)('admin sessions on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    let clock = 1_750_000_000_000;
    const repo = () => new SessionRepository(t().gdb.db, { now: () => clock });

    it('creates random sessions, stores only a hash of the id and returns the data', async () => {
      const sessions = repo();
      const a = await sessions.createSession(60_000, { csrfSecret: 'c1' });
      const b = await sessions.createSession(60_000);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.id).not.toBe(b.id);
      expect(a.expiresAt).toBe(clock + 60_000);
      expect(await sessions.getSession(a.id)).toEqual({ createdAt: clock, expiresAt: clock + 60_000, data: { csrfSecret: 'c1' }, userId: null });
      expect(await sessions.getSession(b.id)).toMatchObject({ data: {} });
      expect(await sessions.getSession('not-a-session')).toBeNull();
      expect(await sessions.getSession('')).toBeNull();
      const dump = await dumpDatabase(t());
      expect(dump).not.toContain(a.id);
      expect(dump).not.toContain(b.id);
    });

    it('ends every session of one account at once, optionally keeping one', async () => {
      const sessions = repo();
      const [a1, a2, a3] = [await sessions.createSession(60_000, {}, 'u-a'), await sessions.createSession(60_000, {}, 'u-a'), await sessions.createSession(60_000, {}, 'u-a')];
      const b = await sessions.createSession(60_000, {}, 'u-b');
      expect((await sessions.getSession(a1.id))?.userId).toBe('u-a');
      expect(await sessions.deleteSessionsOfUser('u-a', a3.id)).toBe(2);
      expect(await sessions.getSession(a1.id)).toBeNull();
      expect(await sessions.getSession(a2.id)).toBeNull();
      expect(await sessions.getSession(a3.id)).not.toBeNull();
      expect(await sessions.deleteSessionsOfUser('u-a')).toBe(1);
      expect(await sessions.getSession(b.id)).not.toBeNull();
    });

    it('expires, extends, deletes and cleans up sessions', async () => {
      const sessions = repo();
      const short = await sessions.createSession(1000);
      const long = await sessions.createSession(10_000);
      const other = await sessions.createSession(10_000);
      clock += 1000;
      expect(await sessions.getSession(short.id)).toBeNull();
      expect(await t().gdb.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(2);

      expect(await sessions.extendSession(long.id, 60_000)).toBe(true);
      expect(await sessions.extendSession(short.id, 60_000)).toBe(false);
      clock += 20_000;
      expect((await sessions.getSession(long.id))?.expiresAt).toBe(clock - 20_000 + 60_000);
      expect(await sessions.deleteExpiredSessions()).toBe(1); // `other`
      expect(await sessions.getSession(other.id)).toBeNull();

      await sessions.deleteSession(long.id);
      expect(await sessions.getSession(long.id)).toBeNull();
      await sessions.createSession(1000);
      await sessions.createSession(1000);
      expect(await sessions.deleteAllSessions()).toBe(2);
      await expect(sessions.createSession(0)).rejects.toThrow(/positive/);
    });
  });
});
