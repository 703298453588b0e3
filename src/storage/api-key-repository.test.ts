import { describe, expect, it } from 'vitest';
import {
  ApiKeyRepository,
  budgetPeriodStart,
  generateApiKeySecret,
  hashApiKey,
  randomBase62,
} from './api-key-repository.js';
import { getStateVersion } from './state-version.js';
import { dumpDatabase, testTargets, useTestDatabase } from '../test-support/test-databases.js';

const targets = await testTargets();

describe('api key helpers', () => {
  it('generates sk-gw- + 40 base62 characters, all different', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateApiKeySecret));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) expect(secret).toMatch(/^sk-gw-[0-9A-Za-z]{40}$/);
    const sample = randomBase62(62 * 200);
    expect(new Set(sample).size).toBe(62);
  });

  it('hashes with sha256 hex and computes UTC budget windows', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const now = Date.UTC(2025, 4, 17, 13, 45);
    expect(budgetPeriodStart('day', now)).toBe(Date.UTC(2025, 4, 17));
    expect(budgetPeriodStart('month', now)).toBe(Date.UTC(2025, 4, 1));
    expect(budgetPeriodStart('total', now)).toBe(0);
  });
});

describe.each(targets)('api keys on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    let clock = 1_750_000_000_000;
    const repo = () => new ApiKeyRepository(t().gdb.db, { now: () => clock });

    it('returns the secret once, stores only its hash and last 4, and finds it by hash', async () => {
      const keys = repo();
      const created = await keys.createApiKey({
        name: ' team-a ',
        allowedModels: ['acme/m1', 'acme/m1', 'beta/m2'],
        rpmLimit: 60,
        tpmLimit: 10_000,
        budget: { amount: 12.5, period: 'month' },
      });
      expect(created.key).toMatch(/^sk-gw-[0-9A-Za-z]{40}$/);
      expect(created).toMatchObject({
        name: 'team-a',
        keyMasked: `…${created.key.slice(-4)}`,
        createdAt: clock,
        expiresAt: null,
        revokedAt: null,
        allowedModels: ['acme/m1', 'beta/m2'],
        rpmLimit: 60,
        tpmLimit: 10_000,
        budget: { amount: 12.5, period: 'month' },
        lastUsedAt: null,
        status: 'active',
      });
      expect(created.id).toMatch(/^key_[0-9A-Za-z]{20}$/);

      const { key, ...record } = created;
      expect(await keys.findBySecret(key)).toEqual(record);
      expect(await keys.findByHash(hashApiKey(key))).toEqual(record);
      expect(await keys.findBySecret(`${key}x`)).toBeNull();
      expect(await keys.getApiKey(created.id)).toEqual(record);
      const listed = await keys.listApiKeys();
      expect(listed).toEqual([record]);
      expect(JSON.stringify(listed)).not.toContain(key);

      const dump = await dumpDatabase(t());
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.slice(6, 30));
      expect(dump).toContain(hashApiKey(key));
    });

    it('updates, revokes (idempotently) and reports expiry, bumping the state version', async () => {
      const keys = repo();
      const a = await keys.createApiKey({ name: 'a', expiresAt: clock + 60_000 });
      const b = await keys.createApiKey({ name: 'b' });
      expect(await getStateVersion(t().gdb.db)).toBe(2);

      const updated = await keys.updateApiKey(a.id, { name: 'renamed', rpmLimit: null, budget: { amount: 5, period: 'day' } });
      expect(updated).toMatchObject({ name: 'renamed', rpmLimit: null, budget: { amount: 5, period: 'day' }, status: 'active' });
      expect((await keys.updateApiKey(a.id, { budget: null, allowedModels: null })).budget).toBeNull();
      expect(await getStateVersion(t().gdb.db)).toBe(4);

      const revoked = await keys.revokeApiKey(b.id);
      expect(revoked.status).toBe('revoked');
      expect(revoked.revokedAt).toBe(clock);
      clock += 1000;
      expect((await keys.revokeApiKey(b.id)).revokedAt).toBe(clock - 1000);
      expect(await getStateVersion(t().gdb.db)).toBe(5);

      let cache = await keys.loadAllActiveForCache();
      expect([...cache.keys()]).toEqual([hashApiKey(a.key)]);
      expect(cache.get(hashApiKey(a.key))?.name).toBe('renamed');

      clock += 60_000;
      expect((await keys.getApiKey(a.id))?.status).toBe('expired');
      cache = await keys.loadAllActiveForCache();
      expect(cache.size).toBe(0);
      expect((await keys.updateApiKey(a.id, { expiresAt: null })).status).toBe('active');

      await expect(keys.updateApiKey('key_missing', { name: 'x' })).rejects.toMatchObject({ status: 404, code: 'api_key_not_found' });
      await expect(keys.revokeApiKey('key_missing')).rejects.toMatchObject({ status: 404 });
    });

    it('validates input and writes nothing on invalid fields', async () => {
      const keys = repo();
      await expect(keys.createApiKey({ name: '' })).rejects.toMatchObject({ status: 400, param: 'name' });
      await expect(keys.createApiKey({ name: 'x', rpmLimit: -1 })).rejects.toMatchObject({ status: 400, param: 'rpmLimit' });
      await expect(
        keys.createApiKey({ name: 'x', budget: { amount: 1, period: 'week' as 'day' } }),
      ).rejects.toMatchObject({ status: 400, param: 'budget' });
      expect(await keys.listApiKeys()).toEqual([]);
      expect(await getStateVersion(t().gdb.db)).toBe(0);
    });

    it('touches last-used in one batch, never moving it backwards and without bumping the version', async () => {
      const keys = repo();
      const a = await keys.createApiKey({ name: 'a' });
      const b = await keys.createApiKey({ name: 'b' });
      await keys.touchLastUsed(new Map([[a.id, 5000], [b.id, 7000], ['key_unknown', 1]]));
      await keys.touchLastUsed({ [a.id]: 4000 });
      expect((await keys.getApiKey(a.id))?.lastUsedAt).toBe(5000);
      expect((await keys.getApiKey(b.id))?.lastUsedAt).toBe(7000);
      await keys.touchLastUsed({ [a.id]: 9000 });
      expect((await keys.getApiKey(a.id))?.lastUsedAt).toBe(9000);
      expect(await getStateVersion(t().gdb.db)).toBe(2);
    });
  });
});
