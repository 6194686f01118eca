// The `nn` namespace: Module, Parameter, the containers, and torch.nn.init as nn.init.
export {
  Module, type StateDict, type StateDictOptions, type LoadStateDictOptions, type LoadStateDictResult,
  type NamedMembersOptions, type ZeroGradOptions, type ToTarget,
} from './module.js';
export { Parameter } from './parameter.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { ParameterList, ParameterDict } from './parameterContainers.js';
export { RemovableHandle, type ForwardHook, type ForwardPreHook, type HookOptions } from './hooks.js';
export { type SummaryOptions } from './summary.js';
export { deepCopy } from './copy.js';
export { fromTorchKeys, toTorchKeys, torchKeyToCinder, cinderKeyToTorch } from './torchKeys.js';
export * as init from '../init.js';
export * from './layers/index.js';
