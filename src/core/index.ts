export * from './finish-reason.js';
export * from './gateway-error.js';
export * from './neutral-request.js';
export * from './neutral-response.js';
export * from './stream-part.js';
export * from './usage.js';
