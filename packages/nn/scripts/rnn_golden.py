"""Golden values of torch.nn's recurrent layers for @cinder/nn's RNN tests.

Run with PyTorch 1.13 (Debian's python3-torch):
    /usr/bin/python3 packages/nn/scripts/rnn_golden.py
It writes packages/nn/test/golden/rnn.json. Each case builds a float64 layer (`layer`, positional
`args`, camelCase `opts`), gives its state dict (PyTorch's keys; values rounded to 3 decimals so
they are exact in JSON), an input and optionally an initial state `hx`, then records the outputs
(output, h_n and for the LSTM c_n; a cell's new state), a random upstream gradient for each, and
the gradients of the input, of hx and of every parameter (by PyTorch key), plus str(module).
"""
import json
import math
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "golden", "rnn.json")

torch.manual_seed(0)
CASES = []


def rnd(*shape, lo=-1.0, hi=1.0):
    v = torch.rand(tuple(shape), dtype=torch.float64) * (hi - lo) + lo
    return torch.round(v * 1000) / 1000


def enc(t):
    vals = [float(f"{v:.10g}") if math.isfinite(v) else v for v in t.detach().reshape(-1).tolist()]
    return {"shape": list(t.shape), "values": vals}


def add(name, layer, args, opts, torch_module, x, hx):
    m = torch_module.double()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(rnd(*p.shape))
    m.eval()
    x = x.clone().requires_grad_(True)
    if hx is None:
        hxs = None
    elif isinstance(hx, tuple):
        hxs = tuple(h.clone().requires_grad_(True) for h in hx)
    else:
        hxs = hx.clone().requires_grad_(True)
    res = m(x) if hxs is None else m(x, hxs)
    # Flatten (output, h_n), (output, (h_n, c_n)), h' or (h', c').
    if isinstance(res, torch.Tensor):
        outs = [res]
    else:
        outs = []
        for r in res:
            outs.extend(list(r) if isinstance(r, tuple) else [r])
    ups = [rnd(*o.shape) for o in outs]
    total = sum((o * u).sum() for o, u in zip(outs, ups))
    total.backward()
    if hxs is None:
        ghx = None
    elif isinstance(hxs, tuple):
        ghx = [enc(h.grad) for h in hxs]
    else:
        ghx = enc(hxs.grad)
    CASES.append({
        "name": name, "layer": layer, "args": args, "opts": opts, "repr": str(m),
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "input": enc(x),
        "hx": None if hx is None else ([enc(h) for h in hx] if isinstance(hx, tuple) else enc(hx)),
        "outputs": [enc(o) for o in outs],
        "upstream": [enc(u) for u in ups],
        "gradInput": enc(x.grad),
        "gradHx": ghx,
        "gradParams": {k: enc(p.grad) for k, p in m.named_parameters()},
    })


IN, H, T, N = 2, 3, 3, 2
P = 2  # projection size


def seq_case(cls_name, extra_opts, numLayers, bidirectional, batchFirst, with_hx, batched=True, proj=0):
    cls = getattr(nn, cls_name)
    kw = dict(num_layers=numLayers, bidirectional=bidirectional, batch_first=batchFirst)
    opts = {"numLayers": numLayers, "bidirectional": bidirectional, "batchFirst": batchFirst}
    for k, v in extra_opts.items():
        kw[k] = v
        opts["".join(w if i == 0 else w.capitalize() for i, w in enumerate(k.split("_")))] = v
    if proj:
        kw["proj_size"] = proj
        opts["projSize"] = proj
    m = cls(IN, H, **kw)
    D = 2 if bidirectional else 1
    if batched:
        x = rnd(N, T, IN) if batchFirst else rnd(T, N, IN)
        hshape = (numLayers * D, N)
    else:
        x = rnd(T, IN)
        hshape = (numLayers * D,)
    hx = None
    if with_hx:
        hsize = proj if proj else H
        hx = (rnd(*hshape, hsize), rnd(*hshape, H)) if cls_name == "LSTM" else rnd(*hshape, H)
    name = (f"{cls_name}{extra_opts} L{numLayers} {'bi' if bidirectional else 'uni'}"
            f"{' batchFirst' if batchFirst else ''}{' hx' if with_hx else ''}{'' if batched else ' unbatched'}"
            f"{f' proj{proj}' if proj else ''}")
    add(name, cls_name, [IN, H], opts, m, x, hx)


for L in (1, 2):
    for bi in (False, True):
        for bf in (False, True):
            for hx in (False, True):
                seq_case("LSTM", {}, L, bi, bf, hx)
                seq_case("GRU", {}, L, bi, bf, hx)
                seq_case("RNN", {}, L, bi, bf, hx)
seq_case("RNN", {"nonlinearity": "relu"}, 2, True, False, True)
seq_case("RNN", {"nonlinearity": "relu", "bias": False}, 1, False, True, False)
seq_case("LSTM", {"bias": False}, 2, False, False, True)
seq_case("GRU", {"bias": False}, 1, True, True, True)
seq_case("LSTM", {"dropout": 0.5}, 2, False, False, False)  # eval mode: no dropout
for bf in (False, True):
    seq_case("LSTM", {}, 2, True, bf, True, batched=False)
    seq_case("GRU", {}, 1, False, bf, bf, batched=False)
    seq_case("RNN", {}, 2, False, bf, True, batched=False)
seq_case("LSTM", {}, 1, False, False, True, proj=P)
seq_case("LSTM", {}, 2, True, True, False, proj=P)
seq_case("LSTM", {}, 2, True, False, True, batched=False, proj=P)

# ---- cells ------------------------------------------------------------------------------------

for cls_name, kw in (("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}), ("GRUCell", {}),
                     ("GRUCell", {"bias": False}), ("LSTMCell", {"bias": False})):
    for batched in (True, False):
        for with_hx in (True, False):
            m = getattr(nn, cls_name)(IN, H, **kw)
            x = rnd(N, IN) if batched else rnd(IN)
            hs = (N, H) if batched else (H,)
            hx = None
            if with_hx:
                hx = (rnd(*hs), rnd(*hs)) if cls_name == "LSTMCell" else rnd(*hs)
            name = f"{cls_name}{kw}{' hx' if with_hx else ''}{'' if batched else ' unbatched'}"
            add(name, cls_name, [IN, H], dict(kw), m, x, hx)

with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
print(f"{len(CASES)} cases -> {OUT}")
