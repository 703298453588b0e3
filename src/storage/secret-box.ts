import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GatewayError } from '../server/errors.js';

export interface SecretBox {
  /** AES-256-GCM; returns `v1:<iv>:<tag>:<ciphertext>` (base64 parts). */
  seal(plaintext: string, associatedData?: string): string;
  /** Throws `secret_box_invalid` when the value was tampered with or sealed with another key. */
  open(sealed: string, associatedData?: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const invalid = (message: string) => new GatewayError(message, { status: 500, code: 'secret_box_invalid' });

export const createSecretBox = (key: Buffer): SecretBox => {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new Error(`The secret key must be ${KEY_BYTES} bytes.`);
  }
  const secret = Buffer.from(key);
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
    },
    open(sealed, associatedData) {
      const parts = typeof sealed === 'string' ? sealed.split(':') : [];
      if (parts.length !== 4 || parts[0] !== VERSION) throw invalid('Sealed secret has an unknown format.');
      const [, ivText, tagText, dataText] = parts;
      const iv = Buffer.from(ivText, 'base64');
      const tag = Buffer.from(tagText, 'base64');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw invalid('Sealed secret has an unknown format.');
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new GatewayError('Sealed secret failed authentication (tampered, or sealed with another key).', {
          status: 500,
          code: 'secret_box_invalid',
          cause: error,
        });
      }
    },
  };
};

const KEY_FILE = 'secret.key';
// A fixed salt is deliberate: the same passphrase must yield the same key on every
// start and every worker. It only stretches a passphrase; real keys should be 32 random bytes.
const PASSPHRASE_SALT = 'sk-llm-gateway/secret-key/v1';

const decodeKeyText = (text: string): Buffer | null => {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return null;
};

const readKeyFile = async (file: string): Promise<Buffer> => {
  const key = decodeKeyText(await readFile(file, 'utf8'));
  if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex characters).`);
  // Tighten permissions if someone loosened them; ignore filesystems that cannot.
  await chmod(file, 0o600).catch(() => undefined);
  return key;
};

const isCode = (error: unknown, code: string) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/**
 * The key that seals provider keys: from `env` (64 hex chars or base64 of 32 bytes;
 * any other string is stretched with scrypt), else `${dataDir}/secret.key`, generated
 * once with mode 0600 and reused afterwards.
 */
export const loadSecretKey = async (options: { env?: string; dataDir: string }): Promise<Buffer> => {
  const env = options.env?.trim();
  if (env) return decodeKeyText(env) ?? scryptSync(env, PASSPHRASE_SALT, KEY_BYTES);

  const file = path.join(options.dataDir, KEY_FILE);
  try {
    return await readKeyFile(file);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  // Write a temp file and hard-link it into place: the link is atomic and fails if
  // another process won the race, so nobody ever reads a half-written key.
  const temp = path.join(options.dataDir, `.${KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  await writeFile(temp, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    if (!isCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return readKeyFile(file);
};
