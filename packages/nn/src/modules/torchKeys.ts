/**
 * State-dict keys between PyTorch and Cinder. A Cinder module's members are PyTorch's in camelCase
 * (`running_mean` -> `runningMean`, `weight_ih_l0` -> `weightIhL0`, `self_attn.in_proj_weight` ->
 * `selfAttn.inProjWeight`), so a PyTorch state dict loads once its keys are converted, segment by
 * segment; numeric segments (`layers.0`) are kept.
 * @example
 * ```ts
 * const sd = await load('resnet_from_torch.safetensors');   // keys as PyTorch wrote them
 * model.loadStateDict(nn.fromTorchKeys(sd));
 * ```
 */
import type { Tensor } from '@cinder/tensor';

/** `self_attn.in_proj_weight` -> `selfAttn.inProjWeight`. */
export function torchKeyToCinder(key: string): string {
  return key.split('.').map((seg) => seg.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join('.');
}

/** `selfAttn.inProjWeight` -> `self_attn.in_proj_weight`. */
export function cinderKeyToTorch(key: string): string {
  return key.split('.').map((seg) => seg.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join('.');
}

function mapKeys(sd: Record<string, Tensor>, f: (k: string) => string, what: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) {
    const nk = f(k);
    if (Object.prototype.hasOwnProperty.call(out, nk)) throw new Error(`${what}: keys collide after conversion: '${nk}'`);
    Object.defineProperty(out, nk, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A PyTorch state dict with its keys converted to Cinder's member names. */
export function fromTorchKeys(sd: Record<string, Tensor>): Record<string, Tensor> {
  return mapKeys(sd, torchKeyToCinder, 'fromTorchKeys');
}

/** A Cinder state dict with PyTorch's key spelling, for loading with torch.load / safetensors in Python. */
export function toTorchKeys(sd: Record<string, Tensor>): Record<string, Tensor> {
  return mapKeys(sd, cinderKeyToTorch, 'toTorchKeys');
}
