/** Devices: 'cpu', 'cuda', 'cuda:N'. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

export function parseDevice(d: unknown, op: string): Device {
  if (d === 'cpu' || d === 'cuda') return d;
  if (typeof d === 'string' && /^cuda:\d+$/.test(d)) return d as Device;
  throw new TypeError(`${op}: unknown device ${JSON.stringify(d)} (expected 'cpu', 'cuda' or 'cuda:N')`);
}
