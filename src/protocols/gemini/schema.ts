import { isObject, type Json } from '../request-checks.js';

/**
 * JSON Schema → the OpenAPI subset Gemini's `responseSchema` and function `parameters`
 * take (https://ai.google.dev/api/caching#Schema). Keywords it rejects
 * (`additionalProperties`, `$schema`, `const`, …) are dropped or rewritten, since
 * clients written for OpenAI send them freely.
 */
const KEPT = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);
const MAX_DEPTH = 32;

export const toGeminiSchema = (schema: unknown, depth = 0): Json => {
  if (!isObject(schema) || depth > MAX_DEPTH) return {};
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const') out.enum = [value];
    else if (!KEPT.has(key)) continue;
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, toGeminiSchema(inner, depth + 1)]));
    } else if (key === 'items') out.items = toGeminiSchema(value, depth + 1);
    else if (key === 'anyOf' && Array.isArray(value)) out.anyOf = value.map((inner) => toGeminiSchema(inner, depth + 1));
    else if (key === 'type' && Array.isArray(value)) {
      // ["string","null"] → type string, nullable.
      const types = value.filter((item) => item !== 'null');
      out.type = types[0] ?? 'string';
      if (types.length < value.length) out.nullable = true;
    } else out[key] = value;
  }
  if (Array.isArray(out.enum) && out.type === undefined) out.type = 'string';
  return out;
};
