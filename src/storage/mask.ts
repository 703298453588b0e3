/** `…abcd`: the only form in which a secret ever leaves storage. */
export const maskLast4 = (last4: string): string => `\u2026${last4}`;

export const lastFour = (secret: string): string => secret.slice(-4);
