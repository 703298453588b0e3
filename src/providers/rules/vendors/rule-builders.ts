import type { ParameterRule } from '../rule-types.js';

/** Small builders for the vendor files: one parameter rule each, with its source. */
export const clamp = (param: string, min: number, max: number, why: string): ParameterRule => ({ kind: 'clamp', param, min, max, why });
export const drop = (param: string, why: string, when?: 'thinking' | 'not-thinking'): ParameterRule => ({ kind: 'drop', param, why, ...(when ? { when } : {}) });
