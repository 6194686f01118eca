"""Golden values of torch.nn.functional for @cinder/nn's F tests.

Run with PyTorch 1.13 (Debian's python3-torch):
    /usr/bin/python3 packages/nn/scripts/functional_golden.py
It writes packages/nn/test/golden/functional.json: for each case the inputs, the outputs, an
upstream gradient per floating output and the gradients of the floating inputs, plus the state
some functions update in place (`state`: input index -> its value after the call: running
statistics, renormalized embedding rows).

Each case names the Cinder call (`fn`, positional `args` where {"t": i} stands for input i, and
camelCase `opts`, where {"t": i} may appear as a value too) next to the PyTorch call that produced
the values. PyTorch 1.13 has no F.scaled_dot_product_attention: its cases are computed with the
formula PyTorch 2 documents (softmax(q k^T * scale + mask) v, bool masks keep True positions).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "golden", "functional.json")

torch.manual_seed(0)
CASES = []


def rnd(*shape, dtype=torch.float64, lo=-2.0, hi=2.0):
    """Uniform values rounded to 3 decimals, so the JSON stays small (and exact)."""
    v = torch.rand(tuple(shape), dtype=torch.float64) * (hi - lo) + lo
    return (torch.round(v * 1000) / 1000).to(dtype)


def enc(t):
    vals = t.detach().reshape(-1).tolist()
    if t.is_floating_point():
        vals = [v if not math.isfinite(v) else float(f"{v:.12g}") for v in vals]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": vals}


def add(name, fn, args, opts, inputs, torch_call, grad=True, state=None, tol=None, fixed=()):
    """inputs: list of tensors; torch_call(*inputs) -> tensor or tuple of tensors. Floating
    inputs get gradients, except those listed in `fixed` (class weights PyTorch does not
    differentiate)."""
    ins = [t.detach().clone() for t in inputs]
    for i, t in enumerate(ins):
        if grad and t.is_floating_point() and i not in fixed:
            t.requires_grad_(True)
    res = torch_call(*ins)
    outs = list(res) if isinstance(res, (tuple, list)) else [res]
    ups = []
    total = 0
    for o in outs:
        if o.is_floating_point() and o.requires_grad:
            u = rnd(*o.shape, dtype=o.dtype)
            ups.append(enc(u))
            total = total + (o * u).sum()
        else:
            ups.append(None)
    grads = []
    if grad and not isinstance(total, int):
        total.backward()
        for t in ins:
            grads.append(enc(t.grad) if t.is_floating_point() and t.grad is not None else None)
    case = {
        "name": name, "fn": fn, "args": args, "opts": opts,
        "inputs": [enc(t) for t in inputs],
        "outputs": [enc(o) for o in outs],
        "upstream": ups,
        "grads": grads,
        "fixed": list(fixed),
    }
    if state is not None:
        case["state"] = {str(k): enc(v) for k, v in state(ins).items()}
    if tol is not None:
        case["tol"] = tol
    CASES.append(case)


T = lambda i: {"t": i}  # noqa: E731

# ---- cross entropy ----------------------------------------------------------------------------

x = rnd(6, 5)
t = torch.tensor([0, 4, 2, 2, 1, 3])
w = rnd(5, lo=0.2, hi=2.0)
add("crossEntropy default", "crossEntropy", [T(0), T(1)], {}, [x, t], lambda x, t: F.cross_entropy(x, t))
add("crossEntropy weight", "crossEntropy", [T(0), T(1)], {"weight": T(2)}, [x, t, w],
    lambda x, t, w: F.cross_entropy(x, t, weight=w), fixed=(2,))
ti = torch.tensor([0, -100, 2, 7, 1, 7])
add("crossEntropy ignoreIndex 7, weight, smoothing 0.2", "crossEntropy", [T(0), T(1)],
    {"weight": T(2), "ignoreIndex": 7, "labelSmoothing": 0.2}, [x, torch.tensor([0, 4, 2, 7, 1, 7]), w],
    lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=7, label_smoothing=0.2), fixed=(2,))
add("crossEntropy default ignoreIndex -100, smoothing, sum", "crossEntropy", [T(0), T(1)],
    {"labelSmoothing": 0.1, "reduction": "sum"}, [x, torch.tensor([0, -100, 2, 2, -100, 3])],
    lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1, reduction="sum"))
add("crossEntropy weight, smoothing, none", "crossEntropy", [T(0), T(1)],
    {"weight": T(2), "labelSmoothing": 0.3, "reduction": "none", "ignoreIndex": 2}, [x, t, w],
    lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.3, reduction="none", ignore_index=2), fixed=(2,))
xn = rnd(2, 4, 3, 2)
tn = torch.tensor([[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 2], [1, 0]]])
wn = rnd(4, lo=0.5, hi=1.5)
add("crossEntropy [N, C, d1, d2], weight, ignore, smoothing", "crossEntropy", [T(0), T(1)],
    {"weight": T(2), "ignoreIndex": 1, "labelSmoothing": 0.15}, [xn, tn, wn],
    lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=1, label_smoothing=0.15), fixed=(2,))
add("crossEntropy [N, C, d1, d2], none", "crossEntropy", [T(0), T(1)], {"reduction": "none"}, [xn, tn],
    lambda x, t: F.cross_entropy(x, t, reduction="none"))
p = torch.softmax(rnd(6, 5), 1)
add("crossEntropy probabilities, weight, smoothing", "crossEntropy", [T(0), T(1)],
    {"weight": T(2), "labelSmoothing": 0.25}, [x, p, w],
    lambda x, p, w: F.cross_entropy(x, p, weight=w, label_smoothing=0.25), fixed=(2,))
pn = torch.softmax(rnd(2, 4, 3, 2), 1)
add("crossEntropy probabilities [N, C, d1, d2], none", "crossEntropy", [T(0), T(1)], {"reduction": "none"}, [xn, pn],
    lambda x, p: F.cross_entropy(x, p, reduction="none"))
add("crossEntropy unbatched", "crossEntropy", [T(0), T(1)], {"labelSmoothing": 0.1}, [rnd(5), torch.tensor(3)],
    lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1))
add("crossEntropy float32", "crossEntropy", [T(0), T(1)], {"weight": T(2), "labelSmoothing": 0.1},
    [x.float(), t, w.float()], lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1), fixed=(2,))
add("nllLoss weight, ignoreIndex", "nllLoss", [T(0), T(1)], {"weight": T(2), "ignoreIndex": 2},
    [torch.log_softmax(x, 1), t, w], lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=2), fixed=(2,))
add("nllLoss [N, C, d1, d2], none", "nllLoss", [T(0), T(1)], {"reduction": "none"}, [xn, tn],
    lambda x, t: F.nll_loss(x, t, reduction="none"))

# ---- pooling ----------------------------------------------------------------------------------

xp = rnd(1, 2, 7, 6)
add("maxPool2d k3 s2 p1 ceil, indices", "maxPool2d", [T(0), 3],
    {"stride": 2, "padding": 1, "ceilMode": True, "returnIndices": True}, [xp],
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True))
add("maxPool2d k[2,3] s[2,1] dilation 2 ceil", "maxPool2d", [T(0), [2, 3]],
    {"stride": [2, 1], "dilation": 2, "ceilMode": True, "returnIndices": True}, [xp],
    lambda x: F.max_pool2d(x, (2, 3), stride=(2, 1), dilation=2, ceil_mode=True, return_indices=True))
add("maxPool2d unbatched, k2", "maxPool2d", [T(0), 2], {}, [rnd(3, 5, 4)], lambda x: F.max_pool2d(x, 2))
add("maxPool1d k3 s2 p1 ceil, indices", "maxPool1d", [T(0), 3],
    {"stride": 2, "padding": 1, "ceilMode": True, "returnIndices": True}, [rnd(2, 3, 8)],
    lambda x: F.max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True))
add("avgPool2d k3 s2 p1 ceil, countIncludePad false", "avgPool2d", [T(0), 3],
    {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}, [xp],
    lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False))
add("avgPool2d k3 s2 p1 ceil, countIncludePad", "avgPool2d", [T(0), 3],
    {"stride": 2, "padding": 1, "ceilMode": True}, [xp],
    lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True))
add("avgPool2d k[3,2] p[1,1] divisorOverride 5", "avgPool2d", [T(0), [3, 2]],
    {"padding": [1, 1], "divisorOverride": 5}, [xp],
    lambda x: F.avg_pool2d(x, (3, 2), padding=(1, 1), divisor_override=5))
add("avgPool1d k4 s3 p2 ceil, countIncludePad false", "avgPool1d", [T(0), 4],
    {"stride": 3, "padding": 2, "ceilMode": True, "countIncludePad": False}, [rnd(2, 3, 11)],
    lambda x: F.avg_pool1d(x, 4, stride=3, padding=2, ceil_mode=True, count_include_pad=False))
add("adaptiveAvgPool2d [3, 4]", "adaptiveAvgPool2d", [T(0), [3, 4]], {}, [rnd(2, 3, 7, 5)],
    lambda x: F.adaptive_avg_pool2d(x, (3, 4)))
add("adaptiveMaxPool2d [4, 3], indices", "adaptiveMaxPool2d", [T(0), [4, 3]], {"returnIndices": True}, [rnd(2, 3, 7, 5)],
    lambda x: F.adaptive_max_pool2d(x, (4, 3), return_indices=True))
add("maxPool2d float32", "maxPool2d", [T(0), 3], {"stride": 2, "padding": 1, "ceilMode": True}, [xp.float()],
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True))

# ---- interpolate and pad ----------------------------------------------------------------------

xi = rnd(1, 2, 4, 3)
for ac in (False, True):
    add(f"interpolate bilinear size [5, 7] alignCorners {ac}", "interpolate", [T(0)],
        {"size": [5, 7], "mode": "bilinear", "alignCorners": ac}, [xi],
        lambda x, ac=ac: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=ac))
    add(f"interpolate bilinear scaleFactor 1.7 alignCorners {ac}", "interpolate", [T(0)],
        {"scaleFactor": 1.7, "mode": "bilinear", "alignCorners": ac}, [xi],
        lambda x, ac=ac: F.interpolate(x, scale_factor=1.7, mode="bilinear", align_corners=ac))
add("interpolate bilinear downsample [3, 2]", "interpolate", [T(0)], {"size": [3, 2], "mode": "bilinear"}, [xi],
    lambda x: F.interpolate(x, size=(3, 2), mode="bilinear"))
add("interpolate nearest size [7, 5]", "interpolate", [T(0)], {"size": [7, 5]}, [xi],
    lambda x: F.interpolate(x, size=(7, 5)))
add("interpolate nearest scaleFactor [2.5, 1.5]", "interpolate", [T(0)], {"scaleFactor": [2.5, 1.5]}, [xi],
    lambda x: F.interpolate(x, scale_factor=(2.5, 1.5)))
add("interpolate nearest scaleFactor 2", "interpolate", [T(0)], {"scaleFactor": 2}, [xi],
    lambda x: F.interpolate(x, scale_factor=2))
add("interpolate linear 1-d size 7 alignCorners", "interpolate", [T(0)], {"size": 7, "mode": "linear", "alignCorners": True},
    [rnd(2, 2, 4)], lambda x: F.interpolate(x, size=7, mode="linear", align_corners=True))
add("interpolate nearest 1-d scaleFactor 1.5", "interpolate", [T(0)], {"scaleFactor": 1.5}, [rnd(2, 2, 5)],
    lambda x: F.interpolate(x, scale_factor=1.5))
add("interpolate bilinear float32", "interpolate", [T(0)], {"size": [5, 7], "mode": "bilinear"}, [xi.float()],
    lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"))
add("interpolate area", "interpolate", [T(0)], {"size": [3, 2], "mode": "area"}, [rnd(1, 2, 7, 5)],
    lambda x: F.interpolate(x, size=(3, 2), mode="area"))

xq = rnd(1, 2, 4, 5)
add("pad reflect [2, 1, 3, 0]", "pad", [T(0), [2, 1, 3, 0]], {"mode": "reflect"}, [xq],
    lambda x: F.pad(x, (2, 1, 3, 0), mode="reflect"))
add("pad replicate [1, 3, 2, 4]", "pad", [T(0), [1, 3, 2, 4]], {"mode": "replicate"}, [xq],
    lambda x: F.pad(x, (1, 3, 2, 4), mode="replicate"))
add("pad circular [2, 1, 1, 3]", "pad", [T(0), [2, 1, 1, 3]], {"mode": "circular"}, [xq],
    lambda x: F.pad(x, (2, 1, 1, 3), mode="circular"))
add("pad reflect 1-d [3, 2]", "pad", [T(0), [3, 2]], {"mode": "reflect"}, [rnd(2, 3, 5)],
    lambda x: F.pad(x, (3, 2), mode="reflect"))
add("pad replicate 3-d [1, 2, 0, 1, 2, 1]", "pad", [T(0), [1, 2, 0, 1, 2, 1]], {"mode": "replicate"}, [rnd(1, 2, 3, 2, 3)],
    lambda x: F.pad(x, (1, 2, 0, 1, 2, 1), mode="replicate"))
add("pad constant 2.5 with negative amounts", "pad", [T(0), [1, -2, -1, 2, 1, 0]], {"value": 2.5}, [xq],
    lambda x: F.pad(x, (1, -2, -1, 2, 1, 0), value=2.5))

# ---- normalization ----------------------------------------------------------------------------

xb = rnd(4, 3, 5, lo=-1, hi=3)
rm0 = rnd(3, lo=-0.5, hi=0.5)
rv0 = rnd(3, lo=0.5, hi=1.5)
wb = rnd(3, lo=0.5, hi=1.5)
bb = rnd(3)


def bn_train(x, w, b):
    rm, rv = rm0.clone(), rv0.clone()
    y = F.batch_norm(x, rm, rv, weight=w, bias=b, training=True, momentum=0.3, eps=1e-4)
    bn_train.state = {3: rm, 4: rv}  # input index -> its value after the call
    return y


add("batchNorm training, running statistics, momentum 0.3", "batchNorm", [T(0), T(3), T(4)],
    {"weight": T(1), "bias": T(2), "training": True, "momentum": 0.3, "eps": 1e-4}, [xb, wb, bb, rm0, rv0],
    lambda x, w, b, rm, rv: bn_train(x, w, b), state=lambda ins: bn_train.state)
add("batchNorm evaluation", "batchNorm", [T(0), T(3), T(4)], {"weight": T(1), "bias": T(2)}, [xb, wb, bb, rm0, rv0],
    lambda x, w, b, rm, rv: F.batch_norm(x, rm.detach(), rv.detach(), weight=w, bias=b))
add("batchNorm 4-d training, no affine", "batchNorm", [T(0), None, None], {"training": True},
    [rnd(3, 2, 3, 4)], lambda x: F.batch_norm(x, None, None, training=True))
add("batchNorm float32", "batchNorm", [T(0), None, None], {"training": True, "weight": T(1)}, [xb.float(), wb.float()],
    lambda x, w: F.batch_norm(x, None, None, weight=w, training=True))
add("layerNorm [4, 5] with affine", "layerNorm", [T(0), [4, 5]], {"weight": T(1), "bias": T(2), "eps": 1e-3},
    [rnd(3, 4, 5), rnd(4, 5), rnd(4, 5)], lambda x, w, b: F.layer_norm(x, (4, 5), weight=w, bias=b, eps=1e-3))
add("layerNorm [5] no affine", "layerNorm", [T(0), [5]], {}, [rnd(2, 3, 5)], lambda x: F.layer_norm(x, (5,)))
add("groupNorm 3 groups with affine", "groupNorm", [T(0), 3], {"weight": T(1), "bias": T(2)},
    [rnd(2, 6, 4), rnd(6), rnd(6)], lambda x, w, b: F.group_norm(x, 3, weight=w, bias=b))
add("groupNorm 2 groups 4-d", "groupNorm", [T(0), 2], {"eps": 1e-3}, [rnd(3, 4, 2, 3)],
    lambda x: F.group_norm(x, 2, eps=1e-3))
irm0 = rnd(3, lo=-0.5, hi=0.5)
irv0 = rnd(3, lo=0.5, hi=1.5)


def in_train(x, w, b):
    rm, rv = irm0.clone(), irv0.clone()
    y = F.instance_norm(x, rm, rv, weight=w, bias=b, use_input_stats=True, momentum=0.2)
    in_train.state = {3: rm, 4: rv}
    return y


add("instanceNorm with running statistics", "instanceNorm", [T(0)],
    {"runningMean": T(3), "runningVar": T(4), "weight": T(1), "bias": T(2), "momentum": 0.2},
    [rnd(2, 3, 5), rnd(3), rnd(3), irm0, irv0], lambda x, w, b, rm, rv: in_train(x, w, b),
    state=lambda ins: in_train.state)

# ---- attention --------------------------------------------------------------------------------


def sdpa(q, k, v, mask=None, causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    s = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    if mask is not None:
        bias = bias.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else bias + mask
    return torch.softmax(q @ k.transpose(-2, -1) * s + bias, dim=-1) @ v


q, k, v = rnd(2, 2, 4, 3), rnd(2, 2, 5, 3), rnd(2, 2, 5, 2)
add("scaledDotProductAttention", "scaledDotProductAttention", [T(0), T(1), T(2)], {}, [q, k, v], sdpa)
bmask = torch.rand(4, 5) > 0.3
bmask[:, 0] = True
add("scaledDotProductAttention bool mask", "scaledDotProductAttention", [T(0), T(1), T(2)], {"attnMask": T(3)},
    [q, k, v, bmask], lambda q, k, v, m: sdpa(q, k, v, mask=m))
add("scaledDotProductAttention float mask, scale 0.3", "scaledDotProductAttention", [T(0), T(1), T(2)],
    {"attnMask": T(3), "scale": 0.3}, [q, k, v, rnd(4, 5)], lambda q, k, v, m: sdpa(q, k, v, mask=m, scale=0.3))
add("scaledDotProductAttention causal", "scaledDotProductAttention", [T(0), T(1), T(2)], {"isCausal": True},
    [q, rnd(2, 2, 4, 3), rnd(2, 2, 4, 2)], lambda q, k, v: sdpa(q, k, v, causal=True))

# ---- embedding --------------------------------------------------------------------------------

emb = rnd(7, 3)
idx = torch.tensor([[1, 3, 3], [0, 6, 1]])


def emb_call(w, i):
    w2 = w.detach().clone()
    y = F.embedding(i, w2, max_norm=1.5)
    emb_call.state = {0: w2}
    return y


add("embedding paddingIdx 3", "embedding", [T(1), T(0)], {"paddingIdx": 3}, [emb, idx],
    lambda w, i: F.embedding(i, w, padding_idx=3))
add("embedding scaleGradByFreq", "embedding", [T(1), T(0)], {"scaleGradByFreq": True}, [emb, idx],
    lambda w, i: F.embedding(i, w, scale_grad_by_freq=True))
add("embedding maxNorm 1.5 renormalizes the looked-up rows", "embedding", [T(1), T(0)], {"maxNorm": 1.5}, [emb, idx],
    emb_call, grad=False, state=lambda ins: emb_call.state)

# ---- other losses -----------------------------------------------------------------------------

a, b = rnd(4, 3), rnd(4, 3)
prob = torch.rand(4, 3, dtype=torch.float64) * 0.9 + 0.05
tgt = torch.rand(4, 3, dtype=torch.float64)
add("binaryCrossEntropy weight", "binaryCrossEntropy", [T(0), T(1)], {"weight": T(2)}, [prob, tgt, rnd(3, lo=0.5, hi=2)],
    lambda x, t, w: F.binary_cross_entropy(x, t, weight=w), fixed=(2,))
add("binaryCrossEntropyWithLogits weight, posWeight, sum", "binaryCrossEntropyWithLogits", [T(0), T(1)],
    {"weight": T(2), "posWeight": T(3), "reduction": "sum"}, [a * 5, tgt, rnd(4, 1, lo=0.5, hi=2), rnd(3, lo=0.5, hi=3)],
    lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction="sum"), fixed=(2, 3))
lp = torch.log_softmax(a, 1)
add("klDiv batchmean", "klDiv", [T(0), T(1)], {"reduction": "batchmean"}, [lp, torch.softmax(b, 1)],
    lambda x, t: F.kl_div(x, t, reduction="batchmean"))
add("klDiv logTarget, none", "klDiv", [T(0), T(1)], {"reduction": "none", "logTarget": True}, [lp, torch.log_softmax(b, 1)],
    lambda x, t: F.kl_div(x, t, reduction="none", log_target=True))
add("smoothL1Loss beta 0.5", "smoothL1Loss", [T(0), T(1)], {"beta": 0.5}, [a, b], lambda x, t: F.smooth_l1_loss(x, t, beta=0.5))
add("huberLoss delta 0.7, none", "huberLoss", [T(0), T(1)], {"delta": 0.7, "reduction": "none"}, [a, b],
    lambda x, t: F.huber_loss(x, t, delta=0.7, reduction="none"))
add("mseLoss sum", "mseLoss", [T(0), T(1)], {"reduction": "sum"}, [a, b], lambda x, t: F.mse_loss(x, t, reduction="sum"))
add("l1Loss", "l1Loss", [T(0), T(1)], {}, [a, b], lambda x, t: F.l1_loss(x, t))
small = rnd(4, 3) * 1e-5
add("cosineSimilarity dim 1 (one row of tiny norm)", "cosineSimilarity", [T(0), T(1)], {"dim": 1},
    [torch.cat([a[:3], small[:1]]), b], lambda x, y: F.cosine_similarity(x, y, dim=1))
add("cosineSimilarity broadcast dim 0, eps 0.5", "cosineSimilarity", [T(0), T(1)], {"dim": 0, "eps": 0.5},
    [a, b[:, :1]], lambda x, y: F.cosine_similarity(x, y, dim=0, eps=0.5))
add("pairwiseDistance p 3 keepdim", "pairwiseDistance", [T(0), T(1)], {"p": 3, "keepdim": True}, [a, b],
    lambda x, y: F.pairwise_distance(x, y, p=3, keepdim=True))
add("marginRankingLoss margin 0.5", "marginRankingLoss", [T(0), T(1), T(2)], {"margin": 0.5},
    [rnd(5), rnd(5), torch.tensor([1.0, -1, 1, -1, 1], dtype=torch.float64)],
    lambda x, y, t: F.margin_ranking_loss(x, y, t, margin=0.5), tol=None)
add("tripletMarginLoss swap, p 1.5", "tripletMarginLoss", [T(0), T(1), T(2)], {"swap": True, "p": 1.5, "margin": 2},
    [rnd(4, 5), rnd(4, 5), rnd(4, 5)], lambda x, y, z: F.triplet_margin_loss(x, y, z, swap=True, p=1.5, margin=2))

# ---- activations ------------------------------------------------------------------------------

xa0 = rnd(3, 4, lo=-4, hi=4)
xa = xa0.clone()
# The kinks, where PyTorch's gradients are one-sided (hardswish's differ between its vectorised
# and scalar loops at 3, so it gets the input without them).
xa[0, :3] = torch.tensor([-3.0, 3.0, 0.0], dtype=torch.float64)
for fn, tfn, opts in [
    ("gelu", lambda x: F.gelu(x, approximate="tanh"), {"approximate": "tanh"}),
    ("elu", lambda x: F.elu(x, alpha=0.7), {"alpha": 0.7}),
    ("selu", F.selu, {}),
    ("celu", lambda x: F.celu(x, alpha=1.3), {"alpha": 1.3}),
    ("mish", F.mish, {}),
    ("softplus", lambda x: F.softplus(x, beta=2, threshold=3), {"beta": 2, "threshold": 3}),
    ("hardswish", F.hardswish, {}),
    ("hardsigmoid", F.hardsigmoid, {}),
    ("leakyRelu", lambda x: F.leaky_relu(x, 0.2), {"negativeSlope": 0.2}),
    ("hardtanh", lambda x: F.hardtanh(x, -2.0, 1.5), {"minVal": -2.0, "maxVal": 1.5}),
    ("logsigmoid", F.logsigmoid, {}),
    ("softsign", F.softsign, {}),
]:
    # PyTorch 1.13 computes celu's and hardsigmoid's float64 gradients with float32 constants
    # (1 / alpha, 1 / 6): they are accurate to about 1e-7 only.
    add(f"{fn}", fn, [T(0)], opts, [xa0 if fn == "hardswish" else xa], tfn, tol=1e-7 if fn in ("celu", "hardsigmoid") else None)
add("relu6 at its kinks", "relu6", [T(0)], {}, [torch.tensor([-1.0, 0.0, 2.5, 6.0, 7.0], dtype=torch.float64)], F.relu6)
add("glu dim 0", "glu", [T(0), 0], {}, [rnd(4, 3)], lambda x: F.glu(x, 0))
add("bilinear", "bilinear", [T(0), T(1), T(2)], {"bias": T(3)}, [rnd(2, 3, 4), rnd(2, 3, 5), rnd(6, 4, 5), rnd(6)],
    lambda x1, x2, w, b: F.bilinear(x1, x2, w, b))
add("linear 3-d input", "linear", [T(0), T(1)], {"bias": T(2)}, [rnd(2, 3, 4), rnd(5, 4), rnd(5)],
    lambda x, w, b: F.linear(x, w, b))

# ---- convolution (thin wrappers over @cinder/tensor's ops) -----------------------------------

add("conv2d bias, stride 2, padding 1, groups 2", "conv2d", [T(0), T(1)], {"bias": T(2), "stride": 2, "padding": 1, "groups": 2},
    [rnd(2, 4, 6, 5), rnd(6, 2, 3, 3), rnd(6)], lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2))
add("conv1d padding same, dilation 2", "conv1d", [T(0), T(1)], {"padding": "same", "dilation": 2},
    [rnd(2, 3, 7), rnd(4, 3, 3)], lambda x, w: F.conv1d(x, w, padding="same", dilation=2))
add("convTranspose2d bias, stride 2, padding 1, outputPadding 1", "convTranspose2d", [T(0), T(1)],
    {"bias": T(2), "stride": 2, "padding": 1, "outputPadding": 1}, [rnd(2, 3, 4, 3), rnd(3, 2, 3, 3), rnd(2)],
    lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)}")
