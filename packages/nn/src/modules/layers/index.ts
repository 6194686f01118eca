/** The layer classes of torch.nn. */
export { type FactoryOptions } from './common.js';
export { Identity, Linear, Bilinear, type LinearLayerOptions } from './linear.js';
export { Dropout, Dropout2d, type DropoutLayerOptions } from './dropout.js';
export { LayerNorm, type LayerNormLayerOptions } from './normalization.js';
export {
  MultiheadAttention, NonDynamicallyQuantizableLinear, TransformerEncoderLayer, TransformerEncoder,
  TransformerDecoderLayer, TransformerDecoder, Transformer,
  type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions, type TransformerActivation,
  type TransformerLayerOptions, type TransformerEncoderLayerForwardOptions, type TransformerDecoderLayerForwardOptions,
  type TransformerStackOptions, type TransformerEncoderForwardOptions, type TransformerOptions, type TransformerForwardOptions,
} from './transformer.js';
