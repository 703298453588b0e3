import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { createSecretBox, loadSecretKey } from './secret-box.js';

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips text (including unicode) with a fresh IV each time', () => {
    const secret = 'sk-live-ünïcødé-🔑-1234';
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('1234');
    expect(box.open(a)).toBe(secret);
    expect(box.open(b)).toBe(secret);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const sealed = box.seal('provider-secret-value');
    const [version, iv, tag, data] = sealed.split(':');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 0x01;
      return bytes.toString('base64');
    };
    for (const tampered of [
      [version, iv, tag, flip(data)],
      [version, iv, flip(tag), data],
      [version, flip(iv), tag, data],
    ]) {
      expect(() => box.open(tampered.join(':'))).toThrow(GatewayError);
    }
    expect(() => box.open(`v2:${iv}:${tag}:${data}`)).toThrow(/unknown format/);
    expect(() => box.open('garbage')).toThrow(/unknown format/);
  });

  it('refuses a value sealed with another key or for other associated data', () => {
    const sealed = box.seal('value', 'provider-key:a');
    expect(box.open(sealed, 'provider-key:a')).toBe('value');
    expect(() => box.open(sealed, 'provider-key:b')).toThrow(/failed authentication/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'provider-key:a')).toThrow(/failed authentication/);
    try {
      createSecretBox(randomBytes(32)).open(sealed, 'provider-key:a');
    } catch (error) {
      expect((error as GatewayError).code).toBe('secret_box_invalid');
      expect((error as GatewayError).message).not.toContain('value');
    }
  });

  it('requires a 32-byte key', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('loadSecretKey', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'skgw-key-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates secret.key once with mode 0600 and reuses it', async () => {
    const dir = path.join(dataDir, 'nested', 'data');
    const first = await loadSecretKey({ dataDir: dir });
    expect(first).toHaveLength(32);
    const file = path.join(dir, 'secret.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('hex'));
    const second = await loadSecretKey({ dataDir: dir, env: '' });
    expect(second.equals(first)).toBe(true);
  });

  it('agrees on one key when several processes start at once', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSecretKey({ dataDir })));
    for (const key of keys) expect(key.equals(keys[0])).toBe(true);
  });

  it('tightens loose permissions on an existing key file and rejects a malformed one', async () => {
    const file = path.join(dataDir, 'secret.key');
    const key = randomBytes(32);
    await writeFile(file, key.toString('hex'));
    await chmod(file, 0o644);
    expect((await loadSecretKey({ dataDir })).equals(key)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, 'not a key');
    await expect(loadSecretKey({ dataDir })).rejects.toThrow(/32-byte key/);
  });

  it('takes the key from the environment: hex, base64, or a passphrase stretched with scrypt', async () => {
    const key = randomBytes(32);
    expect((await loadSecretKey({ env: key.toString('hex'), dataDir })).equals(key)).toBe(true);
    expect((await loadSecretKey({ env: key.toString('base64'), dataDir })).equals(key)).toBe(true);
    expect((await loadSecretKey({ env: key.toString('base64url'), dataDir })).equals(key)).toBe(true);
    const derived = await loadSecretKey({ env: 'correct horse battery staple', dataDir });
    expect(derived).toHaveLength(32);
    expect(derived.equals(await loadSecretKey({ env: 'correct horse battery staple', dataDir }))).toBe(true);
    expect(derived.equals(scryptSync('other', 'sk-llm-gateway/secret-key/v1', 32))).toBe(false);
    // The environment wins: no key file is written.
    await expect(stat(path.join(dataDir, 'secret.key'))).rejects.toThrow();
  });
});
