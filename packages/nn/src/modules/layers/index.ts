/** The layer classes of torch.nn. */
export { type FactoryOptions } from './common.js';
export { Identity, Linear, Bilinear, type LinearLayerOptions } from './linear.js';
export { Dropout, Dropout2d, type DropoutLayerOptions } from './dropout.js';
export { LayerNorm, type LayerNormLayerOptions } from './normalization.js';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type RNNCellOptions, type CellLayerOptions } from './rnn.js';
