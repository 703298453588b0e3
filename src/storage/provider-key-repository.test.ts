import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditRepository } from './audit-repository.js';
import { ProviderKeyRepository } from './provider-key-repository.js';
import { createSecretBox } from './secret-box.js';
import { getStateVersion } from './state-version.js';
import { dumpDatabase, testTargets, useTestDatabase } from '../test-support/test-databases.js';

const targets = await testTargets();

describe.each(targets)('provider keys on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const box = createSecretBox(randomBytes(32));
    const repo = () => new ProviderKeyRepository(t().gdb.db, { box });

    it('stores keys sealed, returns them decrypted only to the registry and masked elsewhere', async () => {
      const keys = repo();
      const secretA = `sk-vendor-a-${randomBytes(12).toString('hex')}WXYZ`;
      const secretB = `vendor-b-${randomBytes(12).toString('hex')}9876`;
      await keys.setKey('acme', secretA, 'admin');
      await keys.setKey('beta', `  ${secretB}\n`, 'admin');
      expect(await keys.getProviderKeys()).toEqual({ acme: secretA, beta: secretB });
      expect(await keys.listMasked()).toEqual({ acme: '…WXYZ', beta: '…9876' });
      expect(await keys.getMasked('acme')).toBe('…WXYZ');
      expect(await keys.getMasked('none')).toBeNull();

      const dump = await dumpDatabase(t());
      expect(dump).not.toContain(secretA);
      expect(dump).not.toContain(secretB);
      expect(dump).not.toContain(secretA.slice(0, 20));
    });

    it('replaces and deletes keys, bumping the version and auditing masked values only', async () => {
      const keys = repo();
      const audit = new AuditRepository(t().gdb.db);
      await keys.setKey('acme', 'first-secret-1111', 'admin');
      await keys.setKey('acme', 'second-secret-2222', 'admin');
      expect(await keys.getProviderKeys()).toEqual({ acme: 'second-secret-2222' });
      expect(await keys.deleteKey('acme', 'admin')).toMatchObject({ changed: true, version: 3 });
      expect(await keys.deleteKey('acme', 'admin')).toMatchObject({ changed: false, version: 3 });
      expect(await keys.getProviderKeys()).toEqual({});
      expect(await getStateVersion(t().gdb.db)).toBe(3);
      const log = await audit.listAudit();
      expect(log.data.map((e) => e.action)).toEqual(['provider_key.delete', 'provider_key.set', 'provider_key.set']);
      expect(log.data[1].diff.changes[0]).toMatchObject({ before: '…1111', after: '…2222' });
      expect(JSON.stringify(await t().gdb.db.selectFrom('config_audit').selectAll().execute())).not.toMatch(/secret/);
    });

    it('rejects empty keys and refuses rows sealed with another key or moved between providers', async () => {
      const keys = repo();
      await expect(keys.setKey('acme', '   ', 'admin')).rejects.toMatchObject({ status: 400 });
      await keys.setKey('acme', 'acme-secret-aaaa', 'admin');
      await keys.setKey('beta', 'beta-secret-bbbb', 'admin');
      const { db } = t().gdb;
      const acme = await db.selectFrom('provider_keys').select('sealed').where('provider', '=', 'acme').executeTakeFirstOrThrow();
      await db.updateTable('provider_keys').set({ sealed: acme.sealed }).where('provider', '=', 'beta').execute();
      await expect(keys.getProviderKeys()).rejects.toMatchObject({ code: 'secret_box_invalid' });
      const skipped: string[] = [];
      expect(await keys.getProviderKeys({ onUndecryptable: (p) => skipped.push(p) })).toEqual({ acme: 'acme-secret-aaaa' });
      expect(skipped).toEqual(['beta']);
      const otherBox = new ProviderKeyRepository(db, { box: createSecretBox(randomBytes(32)) });
      await expect(otherBox.getProviderKeys()).rejects.toThrow(/failed authentication/);
    });
  });
});
