const ag = await import('@cinder/autograd');
const T = await import('@cinder/tensor');
const mode = process.argv[2];
const x = T.randn([4], { requiresGrad: true }); const one = T.tensor(1); const g4 = T.randn([4]);
for (let r=0;r<3;r++){ const t0=process.hrtime.bigint(); for(let i=0;i<1e5;i++){
  if (mode==='apply') { const s = x.sum(); s.gradFn.apply([one]); }
  else if (mode==='applyng') { const s = x.sum(); ag.noGrad(() => s.gradFn.apply([one])); }
  else if (mode==='expand') { ag.noGrad(() => one.expand([4])); }
  else if (mode==='expand2') { ag.noGrad(() => one.reshape([1]).expand([4])); }
  else if (mode==='grad') ag.grad(x.sum(), x, { gradOutputs: [one] });
} const t1=process.hrtime.bigint(); console.log(mode, Number(t1-t0)/1e5/1e3,'us'); }
