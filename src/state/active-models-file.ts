import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActiveModelRef } from '../config/types.js';

export interface ActiveModels {
  language: ActiveModelRef | null;
  vision: ActiveModelRef | null;
}

/** Where the active-model choice lives between restarts when no database is in use. */
export interface ActiveModelsStore {
  load(): ActiveModels | null;
  save(active: ActiveModels): void;
}

/** A JSON file in the data dir, written atomically (temp file + rename). */
export const createActiveModelsFile = (dataDir: string): ActiveModelsStore => {
  const path = join(dataDir, 'active-models.json');
  return {
    load() {
      if (!existsSync(path)) return null;
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as ActiveModels;
        return { language: parsed.language ?? null, vision: parsed.vision ?? null };
      } catch {
        return null;
      }
    },
    save(active) {
      mkdirSync(dataDir, { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(active, null, 2)}\n`);
      renameSync(temp, path);
    },
  };
};
