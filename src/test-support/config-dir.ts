// Shared by the config loader's tests: a throwaway config directory and the ConfigError text.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../config/yaml-source.js';

/** A fresh directory with `models.yaml` and `providers/<name>` files (each test its own). */
export const tempConfig = (modelsYaml: string, providers: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), 'skgw-config-'));
  mkdirSync(join(dir, 'providers'));
  writeFileSync(join(dir, 'models.yaml'), modelsYaml);
  for (const [name, text] of Object.entries(providers)) writeFileSync(join(dir, 'providers', name), text);
  return dir;
};

/** The message of the ConfigError `fn` throws; fails the test if it throws nothing or something else. */
export const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};
