import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `bytes` random bytes (from the CSPRNG) as hex, drawn from a pooled buffer refilled 4 kB at a
 * time: `randomBytes` per call costs a system call each (OpenSSL's fork check, getpid), and a
 * Responses answer makes several ids.
 */
export const randomHex = (bytes: number): string => {
  if (bytes > POOL_BYTES) throw new RangeError(`randomHex takes at most ${POOL_BYTES} bytes`);
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
};
