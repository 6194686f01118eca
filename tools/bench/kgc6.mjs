const ag = await import('@cinder/autograd');
const T = await import('@cinder/tensor');
const mode = process.argv[2];
const x = T.randn([4], { requiresGrad: true }); const one = T.tensor(1); const xd = T.randn([4]);
for (let r=0;r<3;r++){ const t0=process.hrtime.bigint(); for(let i=0;i<1e5;i++){
  if (mode==='sumx') { const s = x.sum(); }
  else if (mode==='sumx_keep') { const s = x.sum(); s.gradFn.saved; }
  else if (mode==='sum_unsq') { const s = x.sum(); one.unsqueeze(0).expand([4]); }
  else if (mode==='sumxd') { xd.sum(); one.unsqueeze(0).expand([4]); }
  else if (mode==='two') { x.sum(); xd.sum(); }
  else if (mode==='twoo') { x.sum(); one.add(one); }
} const t1=process.hrtime.bigint(); console.log(mode, Number(t1-t0)/1e5/1e3,'us'); }
