const ag = await import('@cinder/autograd');
const T = await import('@cinder/tensor');
const mode = process.argv[2];
const x = T.randn([4], { requiresGrad: true }); const one = T.tensor(1);
for (let r=0;r<3;r++){ const t0=process.hrtime.bigint(); for(let i=0;i<1e5;i++){
  const s = x.sum(); const n = s.gradFn;
  if (mode==='direct') n.derivative({ grads: [one], inputs: [x], outputs: [s], attrs: n.attrs, needs: () => true });
  else if (mode==='apply') n.apply([one]);
  else if (mode==='getter') { let inputs; const ctx = { get inputs() { return (inputs ??= [x]); } }; ctx.inputs; }
  else if (mode==='release') { n.release(); }
} const t1=process.hrtime.bigint(); console.log(mode, Number(t1-t0)/1e5/1e3,'us'); }
