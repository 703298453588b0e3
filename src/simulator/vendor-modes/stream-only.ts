import type { VendorMode } from './index.js';

/**
 * DashScope's stream-only models (Alibaba Cloud Model Studio): QwQ and QVQ answer only
 * streams ("QwQ and QVQ are streaming-only", Model Studio's text-generation FAQ). A
 * request without `stream: true` gets HTTP 400 in the OpenAI-style envelope with code
 * `invalid_parameter_error` and the message below — its wording, trailing space
 * included, as users quote it from the compatible-mode endpoint (e.g. the reports in
 * FoundationAgents/OpenManus#330 and infiniflow/ragflow#5912, qwq-plus and qwq-32b).
 * A model whose id says `stream-only` behaves the same, for tests of the rule itself.
 */
const STREAM_ONLY_MODEL = /^(qwq|qvq)|stream-only/i;
export const STREAM_ONLY_MESSAGE = 'This model only support stream mode, please enable the stream parameter to access the model. ';

let sequence = 0;

export const streamOnlyMode: VendorMode = {
  check(model, body) {
    if (body.stream === true || !STREAM_ONLY_MODEL.test(model)) return null;
    sequence += 1;
    const id = `sim-stream-only-${sequence}`;
    return {
      status: 400,
      body: {
        error: { code: 'invalid_parameter_error', param: null, message: STREAM_ONLY_MESSAGE, type: 'invalid_request_error' },
        id: `chatcmpl-${id}`,
        request_id: id,
      },
    };
  },
};
