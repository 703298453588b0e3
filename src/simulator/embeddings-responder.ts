import { badRequest } from '../server/errors.js';

const DEFAULT_DIMENSIONS = 16;
const MAX_DIMENSIONS = 8192;

/** Inputs normalised to text (token arrays are keyed by their ids) plus their token count. */
interface EmbeddingInput {
  key: string;
  tokens: number;
}

const isTokenArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number');

const readInputs = (input: unknown): EmbeddingInput[] => {
  if (typeof input === 'string') return [{ key: input, tokens: Math.ceil(input.length / 4) }];
  if (isTokenArray(input)) return [{ key: input.join(','), tokens: input.length }];
  if (Array.isArray(input) && input.length > 0) {
    return input.map((item) => {
      if (typeof item === 'string') return { key: item, tokens: Math.ceil(item.length / 4) };
      if (isTokenArray(item)) return { key: item.join(','), tokens: item.length };
      throw badRequest('input items must be strings or arrays of token ids', 'invalid_input', 'input');
    });
  }
  throw badRequest('input must be a string or a non-empty array', 'invalid_input', 'input');
};

/** FNV-1a, so equal inputs always embed to equal vectors across runs and processes. */
const hash = (text: string): number => {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0 || 1;
};

export const embedText = (key: string, model: string, dimensions: number): number[] => {
  let state = hash(`${model}\n${key}`);
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const value = (state / 0xffffffff) * 2 - 1;
    vector[index] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  // Round through float32 so float and base64 encodings describe the same numbers.
  for (let index = 0; index < dimensions; index += 1) vector[index] = Math.fround(vector[index] * scale);
  return vector;
};

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes. */
export const encodeFloat32Base64 = (vector: number[]): string => {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index], index * 4);
  return bytes.toString('base64');
};

export const buildEmbeddings = (body: unknown): Record<string, unknown> => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.', 'invalid_request');
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') {
    throw badRequest('you must provide a model parameter', 'missing_model', 'model');
  }
  let dimensions = DEFAULT_DIMENSIONS;
  if (record.dimensions !== undefined && record.dimensions !== null) {
    const requested = record.dimensions;
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > MAX_DIMENSIONS) {
      throw badRequest(`dimensions must be an integer between 1 and ${MAX_DIMENSIONS}`, 'invalid_dimensions', 'dimensions');
    }
    dimensions = requested;
  }
  const format = record.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw badRequest("encoding_format must be 'float' or 'base64'", 'invalid_encoding_format', 'encoding_format');
  }
  const inputs = readInputs(record.input);
  let tokens = 0;
  const data = inputs.map((input, index) => {
    tokens += input.tokens;
    const vector = embedText(input.key, record.model as string, dimensions);
    return { object: 'embedding', index, embedding: format === 'base64' ? encodeFloat32Base64(vector) : vector };
  });
  return { object: 'list', data, model: record.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
};
