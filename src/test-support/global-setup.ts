/**
 * Vitest global setup: before any test runs, the gateway's tables are created in the test
 * database's `public` schema, as an operator's earlier install (or another deployment)
 * would have left them. Every test opens its own schema, so the suite proves it neither
 * reads nor trips over tables that live elsewhere in the same database.
 */
import { openDatabase } from '../storage/database.js';
import { PG_TEST_URL } from './test-databases.js';

export default async function setup(): Promise<void> {
  try {
    const handle = await openDatabase({ databaseUrl: PG_TEST_URL, dataDir: '/tmp' });
    await handle.close();
  } catch (error) {
    // PostgreSQL unreachable: the storage tests report it themselves (and fail under CI).
    if (process.env.CI) throw error;
  }
}
