/**
 * The gateway's one error family. The class still lives in src/server/errors.ts (54
 * modules import it from there); protocol codecs import it from here so they never
 * depend on the server layer, and each protocol renders its own envelope.
 */
export { GatewayError, isGatewayError, badRequest, type GatewayErrorOptions } from '../server/errors.js';
