/** The layer classes of torch.nn. */
export { type FactoryOptions } from './common.js';
export { Identity, Linear, Bilinear, type LinearLayerOptions } from './linear.js';
export { Dropout, Dropout2d, type DropoutLayerOptions } from './dropout.js';
export {
  LayerNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, GroupNorm, LocalResponseNorm,
  type LayerNormLayerOptions, type BatchNormLayerOptions, type GroupNormLayerOptions, type LocalResponseNormLayerOptions,
} from './normalization.js';
export {
  Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  type ConvLayerOptions, type ConvTransposeLayerOptions, type ConvSizeArg, type ConvPaddingMode,
} from './conv.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
  type MaxPoolLayerOptions, type AvgPoolLayerOptions, type PoolSize,
} from './pooling.js';
export { Flatten, Unflatten } from './flatten.js';
export {
  ReLU, ReLU6, LeakyReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Softplus, Softsign, Hardtanh, Hardswish, Hardsigmoid, Sigmoid,
  Tanh, LogSigmoid, Softmax, LogSoftmax, Softmin, Softmax2d, GLU, PReLU, Threshold,
  type InplaceLayerOptions, type SoftplusLayerOptions, type PReLULayerOptions,
} from './activation.js';
export { Embedding, type EmbeddingLayerOptions, type FromPretrainedOptions } from './sparse.js';
export {
  L1Loss, MSELoss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  MarginRankingLoss, TripletMarginLoss, type LossLayerOptions, type LossReduction, type CrossEntropyLossOptions,
  type TripletMarginLossOptions,
} from './loss.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleLayerOptions } from './upsampling.js';
export {
  ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad2d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, type PadSize,
} from './padding.js';
export { CosineSimilarity, PairwiseDistance } from './distance.js';
export {
  MultiheadAttention, NonDynamicallyQuantizableLinear, TransformerEncoderLayer, TransformerEncoder,
  TransformerDecoderLayer, TransformerDecoder, Transformer,
  type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions, type TransformerActivation,
  type TransformerLayerOptions, type TransformerEncoderLayerForwardOptions, type TransformerDecoderLayerForwardOptions,
  type TransformerStackOptions, type TransformerEncoderForwardOptions, type TransformerOptions, type TransformerForwardOptions,
} from './transformer.js';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type RNNCellOptions, type CellLayerOptions } from './rnn.js';
