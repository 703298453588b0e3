import type { ActiveKind, Model } from '../../api/types';

/** Whether a model can serve as the active model of a kind (a multimodal chat model can be both). */
export const canServe = (model: Model, kind: ActiveKind) =>
  kind === 'vision'
    ? model.type === 'vision' || model.types.includes('vision')
    : model.type === 'language' || model.type === 'reasoning' || model.types.includes('language');

export const modelTypes = (model: Model) => Array.from(new Set([model.type, ...model.types]));

export const TYPE_COLORS: Record<string, string> = {
  language: 'indigo',
  vision: 'grape',
  embedding: 'cyan',
  reasoning: 'orange',
};
