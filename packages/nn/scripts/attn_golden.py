"""Golden values of nn.MultiheadAttention and the Transformer layers for @cinder/nn's tests.

Run with PyTorch 1.13 (Debian's python3-torch):
    /usr/bin/python3 packages/nn/scripts/attn_golden.py
It writes packages/nn/test/golden/attention.json. Each case holds the constructor arguments (as the
Cinder constructor takes them), str(module), the module's state dict (PyTorch's keys, values rounded
to 3 decimals so the JSON stays small and exact), the inputs (`args`: input names in call order; an
input may be an alias of another, passed as the same tensor), the masks and other forward options,
the outputs, an upstream gradient per floating output, the gradients of the inputs and of every
parameter. Modules run in eval mode (dropout off) in float64.

PyTorch 1.13 predates a few options Cinder follows from PyTorch 2: `isCausal` (computed here with
the explicit causal mask), float key-padding masks next to a float attention mask (computed here by
merging the two masks into one 3-d additive mask, which is what PyTorch 2 does), and `bias=False`
on the Transformer layers (computed here with the Linear and LayerNorm biases zeroed and left out
of the state dict; MultiheadAttention itself has bias=False in 1.13).
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "golden", "attention.json")

torch.manual_seed(0)
CASES = []


def rnd(*shape, lo=-1.0, hi=1.0):
    v = torch.rand(tuple(shape), dtype=torch.float64) * (hi - lo) + lo
    return torch.round(v * 1000) / 1000


def enc(t):
    vals = t.detach().reshape(-1).tolist()
    if t.is_floating_point():
        # JSON has no NaN or infinities: they are written as strings.
        vals = [float(f"{v:.10g}") if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf")) for v in vals]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": vals}


def randomize(module, zero_bias=False):
    """Rounded random values for every parameter (the default init zeroes several biases)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if zero_bias and name.endswith("bias"):
                p.zero_()
            else:
                p.copy_(rnd(*p.shape, lo=-0.6, hi=0.6))


def add(name, kind, ctor, module, args, inputs, fwd, call, drop_keys=(), tol=None):
    """inputs: name -> tensor or the name of another input (an alias); fwd: option name -> value,
    where tensors are stored under `tensors` and referenced as {"t": name}; call(module, ins) runs
    PyTorch and returns a tensor or a tuple (output, weights or None)."""
    module.eval()
    ins = {}
    for k, v in inputs.items():
        ins[k] = ins[v] if isinstance(v, str) else v.detach().clone().requires_grad_(True)
    res = call(module, ins)
    outs = list(res) if isinstance(res, tuple) else [res]
    ups, total = [], 0
    for o in outs:
        if o is None:
            ups.append(None)
            continue
        u = rnd(*o.shape)
        ups.append(enc(u))
        # Fully masked rows give NaN in PyTorch; keep them out of the loss.
        total = total + (torch.nan_to_num(o, nan=0.0) * u).sum()
    total.backward()
    tensors = {}
    opts = {}
    for k, v in fwd.items():
        if isinstance(v, torch.Tensor):
            tensors[k] = enc(v)
            opts[k] = {"t": k}
        else:
            opts[k] = v
    sd = {k: v for k, v in module.state_dict().items() if k not in drop_keys}
    text = str(module)
    if drop_keys:
        # bias=False built with zeroed biases: PyTorch 2 prints its Linear layers without bias.
        text = text.replace("bias=True", "bias=False")
    case = {
        "name": name, "kind": kind, "ctor": ctor, "repr": text,
        "state": {k: enc(v) for k, v in sd.items()},
        "args": args,
        "inputs": {k: (v if isinstance(v, str) else enc(v)) for k, v in inputs.items()},
        "tensors": tensors, "opts": opts,
        "outputs": [None if o is None else enc(o) for o in outs],
        "upstream": ups,
        "grads": {k: enc(t.grad) for k, t in ins.items() if not isinstance(inputs[k], str)},
        "paramGrads": {k: enc(p.grad) for k, p in module.named_parameters() if k not in drop_keys},
    }
    if tol is not None:
        case["tol"] = tol
    CASES.append(case)


def causal_bool(L, S):
    return torch.ones(L, S, dtype=torch.bool).triu(1)


# ---- MultiheadAttention ------------------------------------------------------------------------

E, H, L, S, N = 6, 3, 3, 4, 2


def mha(**kw):
    m = nn.MultiheadAttention(E, H, dtype=torch.float64, **kw)
    randomize(m)
    return m


def mha_call(**kw):
    return lambda m, i: m(i["query"], i["key"], i["value"], **kw)


x = rnd(L, N, E)
mem = rnd(S, N, E)
kpm = torch.tensor([[False, False, True, False], [False, True, False, False]])
kpm_self = torch.tensor([[False, False, True], [False, False, False]])
add("self-attention (packed q/k/v), weights averaged", "mha", {"embedDim": E, "numHeads": H, "opts": {}},
    mha(), ["query", "key", "value"], {"query": x, "key": "query", "value": "query"}, {},
    mha_call())
add("cross-attention (key is value), bool key padding mask, per-head weights", "mha",
    {"embedDim": E, "numHeads": H, "opts": {}}, mha(), ["query", "key", "value"],
    {"query": x, "key": mem, "value": "key"}, {"keyPaddingMask": kpm, "averageAttnWeights": False},
    mha_call(key_padding_mask=kpm, average_attn_weights=False))
fmask = rnd(L, S, lo=-2, hi=1)
add("distinct q/k/v, float 2-d mask, needWeights false", "mha", {"embedDim": E, "numHeads": H, "opts": {}},
    mha(), ["query", "key", "value"], {"query": x, "key": mem, "value": rnd(S, N, E)},
    {"attnMask": fmask, "needWeights": False}, mha_call(attn_mask=fmask, need_weights=False))
bmask3 = torch.rand(N * H, L, S) < 0.3
bmask3[:, :, 0] = False
add("bool 3-d mask and bool key padding mask", "mha", {"embedDim": E, "numHeads": H, "opts": {}}, mha(),
    ["query", "key", "value"], {"query": x, "key": mem, "value": "key"},
    {"attnMask": bmask3, "keyPaddingMask": kpm}, mha_call(attn_mask=bmask3, key_padding_mask=kpm))
add("kdim 5, vdim 3 (separate projection weights), bool 2-d mask", "mha",
    {"embedDim": E, "numHeads": H, "opts": {"kdim": 5, "vdim": 3}},
    mha(kdim=5, vdim=3), ["query", "key", "value"], {"query": x, "key": rnd(S, N, 5), "value": rnd(S, N, 3)},
    {"attnMask": causal_bool(L, S)}, mha_call(attn_mask=causal_bool(L, S)))
add("bias false, batchFirst", "mha", {"embedDim": E, "numHeads": H, "opts": {"bias": False, "batchFirst": True}},
    mha(bias=False, batch_first=True), ["query", "key", "value"],
    {"query": rnd(N, L, E), "key": rnd(N, S, E), "value": "key"}, {"keyPaddingMask": kpm},
    mha_call(key_padding_mask=kpm))
add("batchFirst self-attention", "mha", {"embedDim": E, "numHeads": H, "opts": {"batchFirst": True}},
    mha(batch_first=True), ["query", "key", "value"],
    {"query": rnd(N, L, E), "key": "query", "value": "query"}, {"attnMask": causal_bool(L, L)},
    mha_call(attn_mask=causal_bool(L, L)))
add("addBiasKv and addZeroAttn with a float mask and a bool key padding mask", "mha",
    {"embedDim": E, "numHeads": H, "opts": {"addBiasKv": True, "addZeroAttn": True}},
    mha(add_bias_kv=True, add_zero_attn=True), ["query", "key", "value"],
    {"query": x, "key": mem, "value": "key"}, {"attnMask": fmask, "keyPaddingMask": kpm},
    mha_call(attn_mask=fmask, key_padding_mask=kpm))
add("addBiasKv alone, self-attention", "mha", {"embedDim": E, "numHeads": H, "opts": {"addBiasKv": True}},
    mha(add_bias_kv=True), ["query", "key", "value"], {"query": x, "key": "query", "value": "query"}, {},
    mha_call())
m3 = rnd(H, L, S, lo=-1, hi=0.5)
add("unbatched, 3-d float mask [H, L, S], 1-d key padding mask", "mha", {"embedDim": E, "numHeads": H, "opts": {}},
    mha(), ["query", "key", "value"], {"query": rnd(L, E), "key": rnd(S, E), "value": "key"},
    {"attnMask": m3, "keyPaddingMask": torch.tensor([False, True, False, False])},
    mha_call(attn_mask=m3, key_padding_mask=torch.tensor([False, True, False, False])))
fkpm = torch.tensor([[0.0, -0.5, 0.0, float("-inf")], [0.25, 0.0, 0.0, 0.0]], dtype=torch.float64)
add("float key padding mask alone", "mha", {"embedDim": E, "numHeads": H, "opts": {}}, mha(),
    ["query", "key", "value"], {"query": x, "key": mem, "value": "key"}, {"keyPaddingMask": fkpm},
    mha_call(key_padding_mask=fkpm))
merged = (fmask.unsqueeze(0) + fkpm.view(N, 1, 1, S)).expand(N, H, L, S).reshape(N * H, L, S)
add("float mask and float key padding mask (added, as in PyTorch 2)", "mha",
    {"embedDim": E, "numHeads": H, "opts": {}}, mha(), ["query", "key", "value"],
    {"query": x, "key": mem, "value": "key"}, {"attnMask": fmask, "keyPaddingMask": fkpm},
    mha_call(attn_mask=merged))
add("isCausal without a mask (the causal mask)", "mha", {"embedDim": E, "numHeads": H, "opts": {}}, mha(),
    ["query", "key", "value"], {"query": x, "key": "query", "value": "query"},
    {"isCausal": True, "needWeights": False}, mha_call(attn_mask=causal_bool(L, L), need_weights=False))
full_row = torch.tensor([[False, False, False, False], [True, True, True, True]])
add("a fully masked batch row gives NaN", "mha", {"embedDim": E, "numHeads": H, "opts": {}}, mha(),
    ["query", "key", "value"], {"query": x, "key": mem, "value": "key"}, {"keyPaddingMask": full_row},
    mha_call(key_padding_mask=full_row))

# ---- encoder and decoder layers ----------------------------------------------------------------

D, NH, FF = 4, 2, 6
src = rnd(4, N, D)
tgt = rnd(3, N, D)
src_kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
tgt_kpm = torch.tensor([[False, False, False], [False, False, True]])
smask = rnd(4, 4, lo=-1, hi=0.5)


def enc_layer(zero_bias=False, **kw):
    m = nn.TransformerEncoderLayer(D, NH, dim_feedforward=FF, dtype=torch.float64, **kw)
    randomize(m, zero_bias)
    return m


def bias_keys(m):
    return tuple(k for k, _ in m.named_parameters() if k.endswith("bias"))


add("encoder layer, post-norm relu, float mask, bool key padding mask", "encoderLayer",
    {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF}}, enc_layer(), ["src"], {"src": src},
    {"srcMask": smask, "srcKeyPaddingMask": src_kpm},
    lambda m, i: m(i["src"], src_mask=smask, src_key_padding_mask=src_kpm))
add("encoder layer, normFirst gelu batchFirst, layerNormEps 1e-3, dropout 0.2", "encoderLayer",
    {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "normFirst": True, "activation": "gelu",
                                        "batchFirst": True, "layerNormEps": 1e-3, "dropout": 0.2}},
    enc_layer(norm_first=True, activation="gelu", batch_first=True, layer_norm_eps=1e-3, dropout=0.2),
    ["src"], {"src": rnd(N, 4, D)}, {"srcKeyPaddingMask": src_kpm},
    lambda m, i: m(i["src"], src_key_padding_mask=src_kpm))
m_nb = enc_layer(zero_bias=True)
add("encoder layer, bias false", "encoderLayer", {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "bias": False}},
    m_nb, ["src"], {"src": src}, {}, lambda m, i: m(i["src"]), drop_keys=bias_keys(m_nb))
add("encoder layer, unbatched, tanh activation (a function), isCausal", "encoderLayer",
    {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "activation": "tanh"}},
    enc_layer(activation=torch.tanh), ["src"], {"src": rnd(4, D)}, {"isCausal": True},
    lambda m, i: m(i["src"], src_mask=causal_bool(4, 4)))


def enc_stack(norm, layers=2, **kw):
    layer = nn.TransformerEncoderLayer(D, NH, dim_feedforward=FF, dtype=torch.float64, **kw)
    m = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(D, dtype=torch.float64) if norm else None)
    randomize(m)
    return m


add("encoder, 2 layers and a final norm, masks", "encoder",
    {"layer": {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF}}, "numLayers": 2, "norm": True},
    enc_stack(True), ["src"], {"src": src}, {"mask": smask, "srcKeyPaddingMask": src_kpm},
    lambda m, i: m(i["src"], mask=smask, src_key_padding_mask=src_kpm))
add("encoder, 2 normFirst batchFirst layers, no norm", "encoder",
    {"layer": {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "normFirst": True, "batchFirst": True}},
     "numLayers": 2, "norm": False},
    enc_stack(False, 2, norm_first=True, batch_first=True), ["src"], {"src": rnd(N, 4, D)}, {},
    lambda m, i: m(i["src"]))

tmask = nn.Transformer.generate_square_subsequent_mask(3).to(torch.float64)
mmask = torch.tensor([[False, False, True, False], [False, False, False, True], [False, False, False, False]])


def dec_layer(zero_bias=False, **kw):
    m = nn.TransformerDecoderLayer(D, NH, dim_feedforward=FF, dtype=torch.float64, **kw)
    randomize(m, zero_bias)
    return m


add("decoder layer, post-norm, every mask", "decoderLayer", {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF}},
    dec_layer(), ["tgt", "memory"], {"tgt": tgt, "memory": src},
    {"tgtMask": tmask, "memoryMask": mmask, "tgtKeyPaddingMask": tgt_kpm, "memoryKeyPaddingMask": src_kpm},
    lambda m, i: m(i["tgt"], i["memory"], tgt_mask=tmask, memory_mask=mmask, tgt_key_padding_mask=tgt_kpm,
                   memory_key_padding_mask=src_kpm))
add("decoder layer, normFirst gelu batchFirst, tgtIsCausal", "decoderLayer",
    {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "normFirst": True, "activation": "gelu", "batchFirst": True}},
    dec_layer(norm_first=True, activation="gelu", batch_first=True), ["tgt", "memory"],
    {"tgt": rnd(N, 3, D), "memory": rnd(N, 4, D)}, {"tgtIsCausal": True, "memoryKeyPaddingMask": src_kpm},
    lambda m, i: m(i["tgt"], i["memory"], tgt_mask=causal_bool(3, 3), memory_key_padding_mask=src_kpm))
m_dnb = dec_layer(zero_bias=True)
add("decoder layer, bias false, unbatched", "decoderLayer",
    {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF, "bias": False}}, m_dnb, ["tgt", "memory"],
    {"tgt": rnd(3, D), "memory": rnd(4, D)}, {}, lambda m, i: m(i["tgt"], i["memory"]), drop_keys=bias_keys(m_dnb))

dlayer = nn.TransformerDecoderLayer(D, NH, dim_feedforward=FF, dtype=torch.float64)
dstack = nn.TransformerDecoder(dlayer, 2, norm=nn.LayerNorm(D, dtype=torch.float64))
randomize(dstack)
add("decoder, 2 layers and a final norm", "decoder",
    {"layer": {"dModel": D, "nhead": NH, "opts": {"dimFeedforward": FF}}, "numLayers": 2, "norm": True},
    dstack, ["tgt", "memory"], {"tgt": tgt, "memory": src},
    {"tgtMask": tmask, "memoryKeyPaddingMask": src_kpm},
    lambda m, i: m(i["tgt"], i["memory"], tgt_mask=tmask, memory_key_padding_mask=src_kpm))

tr = nn.Transformer(d_model=D, nhead=NH, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=FF, dtype=torch.float64)
randomize(tr)
add("transformer, 1 encoder and 2 decoder layers, masks", "transformer",
    {"opts": {"dModel": D, "nhead": NH, "numEncoderLayers": 1, "numDecoderLayers": 2, "dimFeedforward": FF}},
    tr, ["src", "tgt"], {"src": src, "tgt": tgt},
    {"tgtMask": tmask, "srcKeyPaddingMask": src_kpm, "memoryKeyPaddingMask": src_kpm, "tgtKeyPaddingMask": tgt_kpm},
    lambda m, i: m(i["src"], i["tgt"], tgt_mask=tmask, src_key_padding_mask=src_kpm, memory_key_padding_mask=src_kpm,
                   tgt_key_padding_mask=tgt_kpm))
trb = nn.Transformer(d_model=D, nhead=NH, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=FF,
                     batch_first=True, norm_first=True, activation="gelu", dtype=torch.float64)
randomize(trb)
add("transformer, batchFirst normFirst gelu", "transformer",
    {"opts": {"dModel": D, "nhead": NH, "numEncoderLayers": 1, "numDecoderLayers": 1, "dimFeedforward": FF,
              "batchFirst": True, "normFirst": True, "activation": "gelu"}},
    trb, ["src", "tgt"], {"src": rnd(N, 4, D), "tgt": rnd(N, 3, D)}, {"srcMask": smask},
    lambda m, i: m(i["src"], i["tgt"], src_mask=smask))

# Reprs of the default-sized modules (nothing to run).
REPRS = {
    "MultiheadAttention(16, 4)": str(nn.MultiheadAttention(16, 4)),
    "MultiheadAttention(16, 4, kdim 5, vdim 6, addBiasKv)": str(nn.MultiheadAttention(16, 4, kdim=5, vdim=6, add_bias_kv=True)),
    "TransformerEncoderLayer(16, 4, gelu)": str(nn.TransformerEncoderLayer(16, 4, activation="gelu")),
    "Transformer(16, 4, 1, 1, 32)": str(nn.Transformer(16, 4, 1, 1, 32)),
}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": CASES, "reprs": REPRS}, f, separators=(",", ":"))
print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)}")
