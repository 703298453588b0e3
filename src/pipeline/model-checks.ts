import { GatewayError } from '../core/gateway-error.js';
import type { CatalogModel } from '../router/model-catalog.js';

const visionRefusal = (model: CatalogModel, catalogModels: readonly CatalogModel[]) => {
  const seeing = catalogModels.filter((m) => m.seesImages && m.status === 'usable').map((m) => m.key);
  return new GatewayError(
    `The model \`${model.key}\` cannot see images. ${
      seeing.length > 0 ? `Models that can: ${seeing.slice(0, 20).join(', ')}${seeing.length > 20 ? ', …' : ''}.` : 'No vision model is usable on this gateway.'
    }`,
    { status: 400, code: 'model_not_vision_capable', param: 'model', details: { vision_models: seeing } },
  );
};

/** Throws when a model cannot answer a chat request (images it cannot see, an embedding-only model). */
export const chatCapabilityCheck = (withImages: boolean, catalogModels: readonly CatalogModel[]) => (model: CatalogModel) => {
  if (withImages && !model.seesImages) throw visionRefusal(model, catalogModels);
  if (model.types.length === 1 && model.types[0] === 'embedding') {
    throw new GatewayError(`The model \`${model.key}\` is an embedding model; use /v1/embeddings.`, {
      status: 400,
      code: 'model_not_chat_capable',
      param: 'model',
    });
  }
};

/** The OpenAI request's output cap (max_tokens / max_completion_tokens); null when it sets none. */
export const requestedMaxOutput = (body: Record<string, unknown>): number | null => {
  const value = body.max_tokens ?? body.max_completion_tokens;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
};
