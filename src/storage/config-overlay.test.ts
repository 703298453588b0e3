import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { AuditRepository } from './audit-repository.js';
import { emptySnapshot, runConfigChange, writeSetting } from './config-change.js';
import { ConfigOverlayRepository } from './config-overlay-repository.js';
import { SettingsRepository } from './settings-repository.js';
import { getStateVersion } from './state-version.js';
import { testTargets, useTestDatabase } from '../test-support/test-databases.js';

const targets = await testTargets();

const expectGatewayError = async (promise: Promise<unknown>, status: number, code: string) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).status).toBe(status);
  expect((error as GatewayError).code).toBe(code);
};

describe.each(targets)('config overlay, settings and audit on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const repos = () => {
      let clock = 1_700_000_000_000;
      const now = () => (clock += 1000);
      const { db } = t().gdb;
      return {
        db,
        overlay: new ConfigOverlayRepository(db, { now }),
        audit: new AuditRepository(db, { now }),
        settings: new SettingsRepository(db, { now }),
      };
    };

    it('creates, patches, deletes and reverts entries, bumping the version once per change', async () => {
      const { overlay } = repos();
      expect(await overlay.getStateVersion()).toBe(0);
      const created = await overlay.createProvider('acme', { baseUrl: 'http://127.0.0.1:1', protocol: 'openai' }, 'admin');
      expect(created).toMatchObject({ changed: true, version: 1 });
      expect(created.auditId).toBeGreaterThan(0);

      await overlay.patchProvider('acme', { description: 'Acme', protocol: undefined, timeoutMs: null }, 'admin');
      expect((await overlay.getOverlay()).providers.acme).toEqual({
        data: { baseUrl: 'http://127.0.0.1:1', description: 'Acme', timeoutMs: null },
        deleted: false,
      });
      await overlay.createModel('acme/m1', { type: 'language', aliases: ['m'], pricing: { input: 1, output: 2 } }, 'admin');
      await overlay.setActiveModel('language', 'acme/m1', 'admin');
      await overlay.deleteModel('acme/m1', 'admin');
      const state = await overlay.getOverlay();
      expect(state.models['acme/m1']).toEqual({ data: {}, deleted: true });
      expect(state.activeModels).toEqual({ language: 'acme/m1', vision: null });
      await overlay.change({ actor: 'admin', action: 'model.revert', target: 'acme/m1' }, (d) => d.revert('model', 'acme/m1'));
      expect((await overlay.getOverlay()).models).toEqual({});
      expect(await overlay.getStateVersion()).toBe(6);
      const withVersion = await overlay.getOverlayWithVersion();
      expect(withVersion.version).toBe(6);
      expect(Object.keys(withVersion.overlay.providers)).toEqual(['acme']);
    });

    it('detects duplicates (overlay entries and base entries) with 409 and writes nothing', async () => {
      const { overlay, audit } = repos();
      await overlay.createProvider('acme', { baseUrl: 'http://a' }, 'admin');
      await expectGatewayError(overlay.createProvider('acme', { baseUrl: 'http://b' }, 'admin'), 409, 'provider_exists');
      await expectGatewayError(overlay.createModel('base/m', { type: 'language' }, 'admin', { inBase: true }), 409, 'model_exists');
      expect(await overlay.getStateVersion()).toBe(1);
      expect((await audit.listAudit()).total).toBe(1);
      expect((await overlay.getOverlay()).providers.acme.data).toEqual({ baseUrl: 'http://a' });

      // A deleted entry (base or overlay) can be added again.
      await overlay.deleteModel('base/m', 'admin');
      await overlay.createModel('base/m', { type: 'vision' }, 'admin', { inBase: true });
      expect((await overlay.getOverlay()).models['base/m']).toEqual({ data: { type: 'vision' }, deleted: false });
    });

    it('rolls the whole change back when the callback throws after several edits', async () => {
      const { overlay, audit } = repos();
      await expect(
        overlay.change({ actor: 'admin', action: 'import', target: 'config' }, async (draft) => {
          draft.create('provider', 'p1', { baseUrl: 'http://1' });
          draft.create('model', 'p1/a', { type: 'language' });
          draft.setActiveModel('language', 'p1/a');
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('validation failed');
        }),
      ).rejects.toThrow('validation failed');
      expect(await overlay.getOverlay()).toEqual(emptySnapshot());
      expect(await overlay.getStateVersion()).toBe(0);
      expect((await audit.listAudit()).total).toBe(0);
    });

    it('rolls back rows already written when the database itself fails mid-transaction', async () => {
      const { db } = repos();
      await expect(
        runConfigChange(db, { actor: 'a', action: 'x', target: 'y' }, Date.now, async (tx) => {
          await writeSetting(tx, 'platformName', 'Half written', 1);
          const row = { kind: 'provider', key: 'dup', data: '{}', deleted: 0, updated_at: 1 };
          await tx.insertInto('config_overlay').values(row).execute();
          await tx.insertInto('config_overlay').values(row).execute(); // primary key violation
          return [{ kind: 'setting', key: 'platformName', before: null, after: 'Half written' }];
        }),
      ).rejects.toThrow();
      expect(await db.selectFrom('settings').selectAll().execute()).toEqual([]);
      expect(await db.selectFrom('config_overlay').selectAll().execute()).toEqual([]);
      expect(await getStateVersion(db)).toBe(0);
    });

    it('treats a change that changes nothing as a no-op (no version, no audit)', async () => {
      const { overlay, audit, settings } = repos();
      await overlay.createProvider('acme', { baseUrl: 'http://a' }, 'admin');
      const again = await overlay.patchProvider('acme', { baseUrl: 'http://a' }, 'admin');
      expect(again).toEqual({ changed: false, version: 1, auditId: null });
      await settings.set('platformName', 'Gateway', 'admin');
      expect(await settings.set('platformName', 'Gateway', 'admin')).toMatchObject({ changed: false, version: 2 });
      expect((await audit.listAudit()).total).toBe(2);
    });

    it('keeps versions unique and every write when changes race', async () => {
      const { overlay } = repos();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => overlay.createModel(`p/m${i}`, { type: 'language' }, 'admin')),
      );
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(Object.keys((await overlay.getOverlay()).models)).toHaveLength(20);
      // A second connection sees the same version.
      const other = await t().reopen();
      expect(await getStateVersion(other.db)).toBe(20);
    });

    it('stores settings, bumps the version and never audits the password hash', async () => {
      const { settings, audit, overlay } = repos();
      expect(await settings.get('platformName')).toBeUndefined();
      expect(await settings.getPlatformName('Default')).toBe('Default');
      await settings.set('platformName', 'My Gateway', 'admin');
      await settings.set('adminPasswordHash', 'scrypt$SECRET-HASH-VALUE', 'admin');
      await settings.set('activeModels', { language: 'a/b', vision: null }, 'admin');
      expect(await settings.get('platformName')).toBe('My Gateway');
      expect(await settings.get('adminPasswordHash')).toBe('scrypt$SECRET-HASH-VALUE');
      expect(await settings.getActiveModels()).toEqual({ language: 'a/b', vision: null });
      expect((await overlay.getOverlay()).activeModels).toEqual({ language: 'a/b', vision: null });
      expect(await settings.getAll()).toEqual({ platformName: 'My Gateway', activeModels: { language: 'a/b', vision: null } });
      expect(await overlay.getStateVersion()).toBe(3);
      const log = await audit.listAudit(1, 10);
      expect(JSON.stringify(log)).not.toContain('SECRET-HASH-VALUE');
      const rows = await t().gdb.db.selectFrom('config_audit').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain('SECRET-HASH-VALUE');
      expect(log.data.find((e) => e.target === 'adminPasswordHash')?.diff.changes[0]).toMatchObject({ after: '[redacted]' });
    });

    it('records audit entries newest first with paging, diff and snapshot', async () => {
      const { overlay, audit } = repos();
      await overlay.createProvider('p1', { baseUrl: 'http://1' }, 'alice');
      await overlay.createProvider('p2', { baseUrl: 'http://2' }, 'bob');
      await overlay.patchProvider('p1', { description: 'one' }, 'alice');
      const first = await audit.listAudit(1, 2);
      expect(first.total).toBe(3);
      expect(first.data.map((e) => e.version)).toEqual([3, 2]);
      expect(first.data[0]).toMatchObject({ actor: 'alice', action: 'provider.update', target: 'p1' });
      expect(first.data[0].time).toBeGreaterThan(1_700_000_000_000);
      expect(first.data[0].diff.changes).toEqual([
        {
          kind: 'provider',
          key: 'p1',
          before: { data: { baseUrl: 'http://1' }, deleted: false },
          after: { data: { baseUrl: 'http://1', description: 'one' }, deleted: false },
        },
      ]);
      const second = await audit.listAudit(2, 2);
      expect(second.data.map((e) => e.version)).toEqual([1]);
      const entry = await audit.getAudit(second.data[0].id);
      expect(entry?.snapshot.providers).toEqual({ p1: { data: { baseUrl: 'http://1' }, deleted: false } });
      expect(await audit.getAudit(99_999)).toBeNull();
    });

    it('rolls back to an audit snapshot as a new version and audits the rollback', async () => {
      const { overlay, audit } = repos();
      await overlay.createProvider('p1', { baseUrl: 'http://1' }, 'admin');
      await overlay.createModel('p1/a', { type: 'language' }, 'admin');
      const target = await overlay.setActiveModel('language', 'p1/a', 'admin'); // version 3
      await overlay.deleteProvider('p1', 'admin');
      await overlay.createProvider('p2', { baseUrl: 'http://2' }, 'admin');
      await overlay.setActiveModel('language', null, 'admin'); // version 6
      const expected = (await audit.getAudit(target.auditId!))!.snapshot;

      const result = await audit.rollbackTo(target.auditId!, 'carol');
      expect(result).toMatchObject({ changed: true, version: 7 });
      expect(await overlay.getOverlay()).toEqual(expected);
      expect((await overlay.getOverlay()).activeModels.language).toBe('p1/a');
      const latest = (await audit.listAudit(1, 1)).data[0];
      expect(latest).toMatchObject({ version: 7, actor: 'carol', action: 'config.rollback' });
      expect(latest.diff.changes.map((c) => `${c.kind}:${c.key}`)).toEqual([
        'provider:p1',
        'provider:p2',
        'setting:activeModels.language',
      ]);
      // History is intact and the rollback itself can be rolled back.
      expect((await audit.listAudit()).total).toBe(7);
      const undo = await audit.rollbackTo((await audit.listAudit(1, 2)).data[1].id, 'carol');
      expect(undo.version).toBe(8);
      expect(Object.keys((await overlay.getOverlay()).providers).sort()).toEqual(['p1', 'p2']);
      expect((await overlay.getOverlay()).providers.p1.deleted).toBe(true);

      await expectGatewayError(audit.rollbackTo(12345, 'carol'), 404, 'audit_entry_not_found');
      expect(await audit.rollbackTo(latest.id + 1, 'carol')).toMatchObject({ changed: false, version: 8 });
    });

    it('replaces the whole overlay on import and rejects non-object definitions', async () => {
      const { overlay } = repos();
      await overlay.createProvider('old', { baseUrl: 'http://old' }, 'admin');
      await overlay.change({ actor: 'admin', action: 'config.import', target: 'config' }, (draft) =>
        draft.replaceAll({
          providers: { fresh: { data: { baseUrl: 'http://fresh' }, deleted: false } },
          models: { 'fresh/m': { data: { type: 'vision' }, deleted: false } },
          activeModels: { language: null, vision: 'fresh/m' },
        }),
      );
      const state = await overlay.getOverlay();
      expect(Object.keys(state.providers)).toEqual(['fresh']);
      expect(state.activeModels.vision).toBe('fresh/m');
      await expectGatewayError(
        overlay.createProvider('bad', ['not', 'an', 'object'] as never, 'admin'),
        400,
        'invalid_overlay_entry',
      );
      expect(await overlay.getStateVersion()).toBe(2);
    });
  });
});
