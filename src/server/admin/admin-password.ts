import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../../config/env.js';
import type { SettingsRepository } from '../../storage/index.js';
import { constantTimeEqual } from '../api-auth.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password-hash.js';

/** `generated` (first start, no env password) or `admin` (changed in the console). */
export const PASSWORD_SOURCE_SETTING = 'adminPasswordSource';
export const INITIAL_PASSWORD_FILE = 'initial-admin-password.txt';

type PasswordSource = 'generated' | 'admin';

/** 24 URL-safe characters; never starting with `-`, which a shell or CLI would take for an option. */
const generatePassword = (): string => {
  for (;;) {
    const password = randomBytes(18).toString('base64url');
    if (!password.startsWith('-')) return password;
  }
};

/**
 * Which password opens the admin console:
 * 1. a password changed in the console (scrypt hash in settings) always wins;
 * 2. else `ADMIN_PASSWORD`, else the master key;
 * 3. else the password generated on the first start (its hash is stored; the plain text
 *    is printed once to stderr (not the log) and written to `<dataDir>/initial-admin-password.txt`, mode 0600).
 * A generated password gives way to an env password set later, so an operator who
 * adds ADMIN_PASSWORD after a first start is not locked out by a forgotten one.
 */
export class AdminPassword {
  constructor(
    private readonly settings: RuntimeSettings,
    private readonly store: SettingsRepository,
    private readonly logger: Logger,
    private readonly terminal: (text: string) => void = (text) => void process.stderr.write(text),
  ) {}

  private get envPassword(): string | null {
    return this.settings.adminPassword ?? this.settings.masterKey ?? null;
  }

  private get initialFile(): string {
    return join(this.settings.dataDir, INITIAL_PASSWORD_FILE);
  }

  async verify(candidate: unknown): Promise<boolean> {
    if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_PASSWORD_LENGTH) return false;
    const hash = await this.store.get('adminPasswordHash');
    const source = (await this.store.get(PASSWORD_SOURCE_SETTING)) as PasswordSource | undefined;
    const env = this.envPassword;
    if (typeof hash === 'string' && hash && (source !== 'generated' || !env)) return verifyPassword(candidate, hash);
    return env ? constantTimeEqual(candidate, env) : false;
  }

  /** Stores the new password's hash; from now on it wins over the environment. */
  async change(newPassword: string, actor: string): Promise<void> {
    const hash = await hashPassword(newPassword);
    await this.store.set(PASSWORD_SOURCE_SETTING, 'admin', actor);
    await this.store.set('adminPasswordHash', hash, actor);
    // The generated password no longer opens anything; don't leave it lying around.
    rmSync(this.initialFile, { force: true });
  }

  /**
   * First start without ADMIN_PASSWORD or a master key: make a password so the console
   * can be reached at all. The file is created exclusively, so of several workers
   * starting together exactly one generates (and logs) it and the others adopt it.
   */
  async ensureInitialPassword(): Promise<void> {
    if (this.envPassword) {
      // The environment's password replaces a generated one: that file opens nothing now.
      if ((await this.store.get(PASSWORD_SOURCE_SETTING)) !== 'admin') rmSync(this.initialFile, { force: true });
      return;
    }
    const existing = await this.store.get('adminPasswordHash');
    if (typeof existing === 'string' && existing) return;
    mkdirSync(this.settings.dataDir, { recursive: true, mode: 0o700 });
    let password = generatePassword();
    let generated = true;
    try {
      writeFileSync(this.initialFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      generated = false;
      password = await this.readInitialFile();
    }
    await this.store.set(PASSWORD_SOURCE_SETTING, 'generated', 'system');
    await this.store.set('adminPasswordHash', await hashPassword(password), 'system');
    if (generated) {
      // Once, to the terminal, on a line of its own (easy to copy); never into the JSON log,
      // which is shipped and kept.
      this.terminal(
        `\nNo ADMIN_PASSWORD or GATEWAY_MASTER_KEY is set, so an admin password was generated (also saved in ${this.initialFile}, ` +
          `readable by this user only). Log in at /admin and change it:\n${password}\n\n`,
      );
      this.logger.warn(
        { file: this.initialFile },
        'An admin password was generated and printed to the terminal (stderr); it is also in the file named here until the password is changed.',
      );
    } else {
      this.logger.warn({ file: this.initialFile }, 'using the initial admin password saved in the data folder');
    }
  }

  /** True while the console opens with the generated password (the login page says where it is). */
  async usesGeneratedPassword(): Promise<boolean> {
    if (this.envPassword) return false;
    return (await this.store.get(PASSWORD_SOURCE_SETTING)) === 'generated';
  }

  /** Another worker may have created the file a moment ago and not written it yet. */
  private async readInitialFile(): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const text = readFileSync(this.initialFile, 'utf8').trim();
      if (text) return text;
      await sleep(20);
    }
    throw new Error(`${this.initialFile} is empty; delete it and restart to generate a new admin password`);
  }
}
