import type { ApiCaller } from '../server/api-auth.js';

/** Whose conversation a replayed reasoning belongs to: the virtual key, else the master/anonymous caller as such. */
export const replayOwner = (caller: ApiCaller): string => caller.keyId ?? `(${caller.kind})`;
