/** Devices: 'cpu', 'cuda', 'cuda:N'. A tensor's device is always 'cpu' or 'cuda:N'. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

export function parseDevice(d: unknown, op: string): Device {
  if (d === 'cpu' || d === 'cuda') return d;
  if (typeof d === 'string' && /^cuda:\d+$/.test(d)) return d as Device;
  throw new TypeError(`${op}: unknown device ${JSON.stringify(d)} (expected 'cpu', 'cuda' or 'cuda:N')`);
}

/** The canonical form of a device: 'cuda' is device 0, as in PyTorch with no current device set. */
export function canonicalDevice(d: unknown, op: string): Device {
  const p = parseDevice(d, op);
  if (p === 'cuda') return 'cuda:0';
  if (p !== 'cpu') return `cuda:${Number(p.slice(5))}` as Device;
  return p;
}

/** The native index of a canonical device: -1 for the CPU, N for 'cuda:N'. */
export function deviceIndex(d: Device): number {
  return d === 'cpu' ? -1 : d === 'cuda' ? 0 : Number(d.slice(5));
}

/**
 * Throws when the tensors of one op are not all on one device, naming the op and both devices.
 * Returns the common device ('cpu' when there are no tensors).
 */
export function checkSameDevice(op: string, tensors: readonly ({ readonly device: Device } | undefined)[]): Device {
  const n = tensors.length;
  let d: Device | undefined;
  for (let i = 0; i < n; i++) {
    const e = tensors[i]?.device;
    if (e === undefined) continue;
    if (d === undefined) d = e;
    else if (e !== d) {
      throw new Error(
        `${op}: expected all tensors to be on the same device, but found tensors on ${d} and ${e} ` +
          `(move them with .to('${d}') or .to('${e}'))`,
      );
    }
  }
  return d ?? 'cpu';
}
