"""Golden values of torch.nn's layer classes for @cinder/nn's layer tests.

Run with PyTorch 1.13 (Debian's python3-torch):
    /usr/bin/python3 packages/nn/scripts/layers_golden.py
It writes packages/nn/test/golden/layers.json, read by test/layersGolden.test.ts through the
generic harness test/moduleGolden.ts.

Each case names the Cinder class and its constructor call (`ctor`: cls, positional args, camelCase
opts, or a static factory), whether the module is converted to float64 (`double`), the PyTorch
state dict it starts from (PyTorch's key spelling: the test loads it through nn.fromTorchKeys),
str(module), and one or more steps. A step sets train/eval mode, calls forward with `args`
(tensors encoded as {shape, dtype, values}; other values as they are), and records the outputs
(the tensor leaves of the result, in order), a random upstream gradient per floating output, the
gradients of the inputs that require them, the parameters' gradients (PyTorch names) and the
state dict after the step (running statistics, renormalized embedding rows).
"""
import json
import math
import os
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "golden", "layers.json")

torch.manual_seed(0)
CASES = []


def rnd(*shape, dtype=torch.float64, lo=-2.0, hi=2.0):
    """Uniform values rounded to 3 decimals, so the JSON stays small (and exact)."""
    v = torch.rand(tuple(shape), dtype=torch.float64) * (hi - lo) + lo
    return (torch.round(v * 1000) / 1000).to(dtype)


def uniq(*shape, dtype=torch.float64):
    """Distinct values (no ties for max pooling), spaced 0.01 apart around 0, shuffled."""
    n = math.prod(shape)
    return ((torch.randperm(n).to(torch.float64) - n / 2) / 100).reshape(shape).to(dtype)


def enc(t):
    vals = t.detach().reshape(-1).tolist()
    if t.is_floating_point():
        vals = [v if not math.isfinite(v) else float(f"{v:.12g}") for v in vals]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": vals}


def encv(v):
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, (list, tuple)):
        return [encv(e) for e in v]
    return v


def leaves(v):
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        return [t for e in v for t in leaves(e)]
    return []


def clone_tree(v):
    if isinstance(v, torch.Tensor):
        return v.detach().clone()
    if isinstance(v, (list, tuple)):
        return [clone_tree(e) for e in v]
    return v


def camel(k):
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), k)


def spec(cls, *args, **kw):
    """The Cinder constructor call: the same positional args, PyTorch's kwargs in camelCase."""
    return {"cls": cls, "args": encv(list(args)), "opts": {camel(k): encv(v) for k, v in kw.items()}}


def both(cls, *args, **kw):
    """(torch module, Cinder ctor spec) for a class whose constructors take the same arguments."""
    return getattr(nn, cls)(*args, **kw), spec(cls, *args, **kw)


def step(*args, mode="train", grad=True, nograd=()):
    """A forward call. Floating tensor leaves require grad unless grad=False or listed in nograd."""
    return {"args": list(args), "mode": mode, "grad": grad, "nograd": set(nograd)}


def add(name, built, steps, double=True, perturb=False, tol=None):
    m, ctor = built
    if double:
        m = m.double()
    if perturb:
        # Non-default parameters, so the parameters' gradients are checked against non-trivial values.
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(rnd(*p.shape, dtype=p.dtype, lo=-1.5, hi=1.5))
    state0 = {k: enc(v) for k, v in m.state_dict().items()}
    recs = []
    for s in steps:
        m.train(s["mode"] == "train")
        m.zero_grad(set_to_none=True)
        ins = clone_tree(s["args"])
        flat = leaves(ins)
        req = []
        for i, t in enumerate(flat):
            r = s["grad"] and t.is_floating_point() and i not in s["nograd"]
            if r:
                t.requires_grad_(True)
            req.append(bool(r))
        out = m(*ins)
        outs = leaves(out)
        ups, total = [], None
        for o in outs:
            if o.is_floating_point() and o.requires_grad:
                u = rnd(*o.shape, dtype=o.dtype)
                ups.append(enc(u))
                total = (o * u).sum() if total is None else total + (o * u).sum()
            else:
                ups.append(None)
        if total is not None:
            total.backward()
        recs.append({
            "mode": s["mode"],
            "args": encv(s["args"]),
            "requiresGrad": req,
            "outputs": [enc(o) for o in outs],
            "upstream": ups,
            "inputGrads": [enc(t.grad) if r and t.grad is not None else None for t, r in zip(flat, req)],
            "paramGrads": {k: (enc(p.grad) if p.grad is not None else None) for k, p in m.named_parameters()},
            "state": {k: enc(v) for k, v in m.state_dict().items()},
        })
    case = {"name": name, "ctor": ctor, "double": double, "state": state0, "repr": str(m), "steps": recs}
    if tol is not None:
        case["tol"] = tol
    CASES.append(case)


# ---- linear, dropout, layer norm (already in main) -----------------------------------------------
add("Linear", both("Linear", 4, 3), [step(rnd(2, 4))])
add("Linear 3-d input, no bias", both("Linear", 3, 2, bias=False), [step(rnd(2, 2, 3))])
add("Bilinear", both("Bilinear", 3, 2, 4), [step(rnd(5, 3), rnd(5, 2))])
add("Identity", both("Identity"), [step(rnd(2, 3))])
add("LayerNorm", both("LayerNorm", [2, 3]), [step(rnd(4, 2, 3))], perturb=True)
add("LayerNorm no bias eps", both("LayerNorm", 4, eps=1e-3, elementwise_affine=False), [step(rnd(3, 4))])
add("Dropout in eval", both("Dropout", 0.3), [step(rnd(3, 4), mode="eval")])
add("Dropout2d in eval", both("Dropout2d", 0.4), [step(rnd(2, 3, 2, 2), mode="eval")])

# ---- convolution ---------------------------------------------------------------------------------
add("Conv1d stride padding", both("Conv1d", 2, 4, 3, stride=2, padding=1), [step(rnd(2, 2, 7))])
add("Conv1d same reflect dilation no bias", both("Conv1d", 2, 3, 3, padding="same", dilation=2, bias=False, padding_mode="reflect"),
    [step(rnd(1, 2, 8))])
add("Conv1d unbatched valid", both("Conv1d", 3, 2, 2, padding="valid"), [step(rnd(3, 5))])
add("Conv2d groups asymmetric", both("Conv2d", 4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2), [step(rnd(2, 4, 5, 6))])
add("Conv2d circular", both("Conv2d", 2, 3, 3, padding=1, padding_mode="circular"), [step(rnd(1, 2, 4, 4))])
add("Conv2d replicate unbatched", both("Conv2d", 2, 2, (2, 3), padding=(1, 2), padding_mode="replicate"), [step(rnd(2, 4, 5))])
add("Conv2d same even kernel", both("Conv2d", 1, 2, (2, 4), padding="same"), [step(rnd(1, 1, 4, 5))])
add("Conv3d", both("Conv3d", 2, 2, 2, padding=1), [step(rnd(1, 2, 3, 3, 2))])
add("ConvTranspose1d", both("ConvTranspose1d", 2, 3, 3, stride=2, padding=1, output_padding=1), [step(rnd(2, 2, 4))])
add("ConvTranspose2d groups dilation", both("ConvTranspose2d", 4, 2, 3, stride=2, groups=2, dilation=2, bias=False),
    [step(rnd(1, 4, 3, 2))])
add("ConvTranspose2d outputSize", both("ConvTranspose2d", 2, 3, 3, stride=2, padding=1),
    [step(rnd(1, 2, 3, 4), [6, 8]), step(rnd(1, 2, 3, 4), [1, 3, 5, 7])])
add("ConvTranspose3d", both("ConvTranspose3d", 2, 2, 2, stride=(1, 2, 1)), [step(rnd(1, 2, 2, 2, 2))])

# ---- pooling -------------------------------------------------------------------------------------
add("MaxPool1d indices ceil padding", both("MaxPool1d", 3, stride=2, padding=1, return_indices=True, ceil_mode=True), [step(uniq(2, 2, 8))])
add("MaxPool1d dilation", both("MaxPool1d", 2, dilation=2), [step(uniq(2, 7))])
add("MaxPool2d", both("MaxPool2d", 2), [step(uniq(1, 2, 4, 5))])
add("MaxPool2d full options", both("MaxPool2d", (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), ceil_mode=True, return_indices=True),
    [step(uniq(1, 2, 5, 6))])
add("AvgPool1d", both("AvgPool1d", 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [step(rnd(2, 2, 8))])
add("AvgPool2d divisor", both("AvgPool2d", 3, stride=2, padding=1, divisor_override=5), [step(rnd(1, 2, 5, 5))])
add("AvgPool2d unbatched", both("AvgPool2d", (2, 3)), [step(rnd(2, 4, 6))])
add("AdaptiveAvgPool1d", both("AdaptiveAvgPool1d", 3), [step(rnd(2, 2, 7))])
add("AdaptiveAvgPool2d None", both("AdaptiveAvgPool2d", (None, 3)), [step(rnd(1, 2, 4, 7))])
add("AdaptiveMaxPool1d indices", both("AdaptiveMaxPool1d", 4, return_indices=True), [step(uniq(2, 2, 9))])
add("AdaptiveMaxPool2d indices", both("AdaptiveMaxPool2d", (2, 3), return_indices=True), [step(uniq(1, 2, 5, 7))])

# ---- flatten -------------------------------------------------------------------------------------
add("Flatten", both("Flatten"), [step(rnd(2, 3, 2, 2))])
add("Flatten 0..1", both("Flatten", 0, 1), [step(rnd(2, 3, 2))])
add("Unflatten", both("Unflatten", 1, (2, 3)), [step(rnd(2, 6))])

# ---- activations ---------------------------------------------------------------------------------
x34 = lambda: rnd(3, 4, lo=-4.0, hi=4.0)
for cls in ["ReLU", "SELU", "SiLU", "Mish", "Softsign", "Hardswish", "Sigmoid", "Tanh", "LogSigmoid", "Hardtanh"]:
    add(cls, both(cls), [step(x34())])
# PyTorch's float64 backward kernels of hardsigmoid and celu use float32 constants (1/6, 1/alpha):
# their gradients are good to about 3e-8 only.
add("Hardsigmoid", both("Hardsigmoid"), [step(x34())], tol=1e-7)
add("ReLU6", both("ReLU6"), [step(rnd(3, 4, lo=-8.0, hi=8.0))])
add("LeakyReLU 0.2", both("LeakyReLU", 0.2), [step(x34())])
add("ELU 0.7", both("ELU", 0.7), [step(x34())])
add("CELU 1.3", both("CELU", 1.3), [step(x34())], tol=1e-7)
add("GELU", both("GELU"), [step(x34())])
add("GELU tanh", both("GELU", approximate="tanh"), [step(x34())])
add("Softplus beta threshold", both("Softplus", beta=2, threshold=3), [step(x34())])
add("Hardtanh range", both("Hardtanh", -0.5, 1.5), [step(x34())])
add("Threshold", both("Threshold", 0.1, 20.0), [step(x34())])
add("Softmax dim 1", both("Softmax", 1), [step(rnd(2, 3, 2))])
add("Softmax implicit dim", both("Softmax"), [step(rnd(3, 2, 2))])
add("LogSoftmax", both("LogSoftmax", -1), [step(rnd(2, 5))])
add("Softmin", both("Softmin", 0), [step(rnd(3, 2))])
add("Softmax2d", both("Softmax2d"), [step(rnd(2, 3, 2, 2))])
add("GLU", both("GLU"), [step(rnd(3, 4))])
add("GLU dim 0", both("GLU", 0), [step(rnd(4, 3))])
add("PReLU", both("PReLU"), [step(x34())])
add("PReLU channels", both("PReLU", 3, init=0.1), [step(rnd(2, 3, 4))], perturb=True)

# ---- normalization -------------------------------------------------------------------------------
add("BatchNorm1d running stats", both("BatchNorm1d", 3),
    [step(rnd(4, 3)), step(rnd(5, 3, lo=-1.0, hi=3.0)), step(rnd(2, 3), mode="eval")], perturb=True)
add("BatchNorm1d 3-d momentum", both("BatchNorm1d", 2, momentum=0.3, eps=1e-3), [step(rnd(3, 2, 4)), step(rnd(2, 2, 3)), step(rnd(2, 2, 3), mode="eval")],
    perturb=True)
add("BatchNorm2d cumulative average", both("BatchNorm2d", 3, momentum=None),
    [step(rnd(2, 3, 2, 2)), step(rnd(2, 3, 2, 2, lo=0.0, hi=4.0)), step(rnd(3, 3, 1, 2)), step(rnd(1, 3, 2, 2), mode="eval")])
add("BatchNorm2d no affine", both("BatchNorm2d", 2, affine=False), [step(rnd(2, 2, 3, 3)), step(rnd(1, 2, 2, 2), mode="eval")])
add("BatchNorm1d no running stats", both("BatchNorm1d", 3, track_running_stats=False),
    [step(rnd(4, 3)), step(rnd(3, 3), mode="eval")], perturb=True)
add("BatchNorm3d", both("BatchNorm3d", 2), [step(rnd(2, 2, 2, 2, 2)), step(rnd(1, 2, 2, 1, 2), mode="eval")], perturb=True)
add("InstanceNorm1d", both("InstanceNorm1d", 3), [step(rnd(2, 3, 5))])
add("InstanceNorm1d unbatched", both("InstanceNorm1d", 3), [step(rnd(3, 4))])
add("InstanceNorm2d affine running stats", both("InstanceNorm2d", 2, affine=True, track_running_stats=True),
    [step(rnd(2, 2, 3, 3)), step(rnd(3, 2, 2, 2)), step(rnd(1, 2, 2, 3), mode="eval")], perturb=True)
add("InstanceNorm3d affine", both("InstanceNorm3d", 2, affine=True), [step(rnd(1, 2, 2, 2, 3))], perturb=True)
add("GroupNorm", both("GroupNorm", 2, 4), [step(rnd(3, 4, 5))], perturb=True)
add("GroupNorm no affine eps", both("GroupNorm", 3, 6, eps=1e-3, affine=False), [step(rnd(2, 6, 2, 2))])
add("LocalResponseNorm", both("LocalResponseNorm", 3), [step(rnd(2, 5, 4))])
add("LocalResponseNorm 4-d", both("LocalResponseNorm", 2, alpha=0.01, beta=0.5, k=2.0), [step(rnd(2, 4, 3, 3))])

# ---- embedding -----------------------------------------------------------------------------------
idx = torch.tensor([[1, 2, 4], [4, 3, 9]])
add("Embedding paddingIdx", both("Embedding", 10, 3, padding_idx=1), [step(idx)])
add("Embedding negative paddingIdx scaleGradByFreq", both("Embedding", 6, 2, padding_idx=-1, scale_grad_by_freq=True),
    [step(torch.tensor([0, 2, 2, 5, 2]))])
add("Embedding maxNorm", both("Embedding", 5, 4, max_norm=1.0, norm_type=1.5), [step(torch.tensor([[0, 3], [3, 4]]))])
pre = rnd(4, 3)
add("Embedding.fromPretrained trainable",
    (nn.Embedding.from_pretrained(pre.clone(), freeze=False), {"cls": "Embedding", "static": "fromPretrained", "args": [enc(pre)], "opts": {"freeze": False}}),
    [step(torch.tensor([3, 0, 3]))], double=False)
add("Embedding.fromPretrained frozen",
    (nn.Embedding.from_pretrained(pre.clone(), padding_idx=0), {"cls": "Embedding", "static": "fromPretrained", "args": [enc(pre)], "opts": {"paddingIdx": 0}}),
    [step(torch.tensor([1, 0]))], double=False)

# ---- losses --------------------------------------------------------------------------------------
add("MSELoss", both("MSELoss"), [step(rnd(3, 4), rnd(3, 4))])
add("L1Loss sum", both("L1Loss", reduction="sum"), [step(rnd(3, 4), rnd(3, 4), nograd=[1])])
add("SmoothL1Loss beta", both("SmoothL1Loss", beta=0.5), [step(rnd(3, 4), rnd(3, 4), nograd=[1])])
add("HuberLoss none", both("HuberLoss", delta=0.7, reduction="none"), [step(rnd(3, 4), rnd(3, 4), nograd=[1])])
cw = rnd(4, lo=0.2, hi=2.0)
add("CrossEntropyLoss weight smoothing ignore", both("CrossEntropyLoss", weight=cw, label_smoothing=0.1, ignore_index=2),
    [step(rnd(5, 4), torch.tensor([0, 2, 3, 1, 3]))])
add("CrossEntropyLoss probabilities", both("CrossEntropyLoss", reduction="sum"), [step(rnd(3, 4), F.softmax(rnd(3, 4), 1), nograd=[1])])
add("CrossEntropyLoss 4-d", both("CrossEntropyLoss"), [step(rnd(2, 3, 2, 2), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]]))])
add("NLLLoss weight ignore", both("NLLLoss", weight=cw, ignore_index=1), [step(F.log_softmax(rnd(5, 4), 1), torch.tensor([0, 1, 3, 2, 3]))])
add("BCELoss weight", both("BCELoss", weight=rnd(4, lo=0.5, hi=1.5)), [step(rnd(3, 4, lo=0.05, hi=0.95), rnd(3, 4, lo=0.0, hi=1.0), nograd=[1])])
add("BCEWithLogitsLoss posWeight", both("BCEWithLogitsLoss", weight=rnd(3, 4, lo=0.5, hi=1.5), pos_weight=rnd(4, lo=0.5, hi=3.0)),
    [step(rnd(3, 4), rnd(3, 4, lo=0.0, hi=1.0), nograd=[1])])
add("KLDivLoss batchmean", both("KLDivLoss", reduction="batchmean"), [step(F.log_softmax(rnd(3, 4), 1), F.softmax(rnd(3, 4), 1), nograd=[1])])
add("KLDivLoss logTarget", both("KLDivLoss", log_target=True, reduction="sum"),
    [step(F.log_softmax(rnd(3, 4), 1), F.log_softmax(rnd(3, 4), 1), nograd=[1])])
add("MarginRankingLoss", both("MarginRankingLoss", margin=0.2), [step(rnd(6), rnd(6), torch.tensor([1.0, -1, 1, 1, -1, -1], dtype=torch.float64), nograd=[2])])
add("TripletMarginLoss p1 swap", both("TripletMarginLoss", margin=0.5, p=1.0, swap=True), [step(rnd(4, 3), rnd(4, 3), rnd(4, 3))])

# ---- upsampling, padding, distances --------------------------------------------------------------
add("Upsample nearest x2", both("Upsample", scale_factor=2), [step(rnd(1, 2, 3, 3))])
add("Upsample bilinear size alignCorners", both("Upsample", size=(5, 7), mode="bilinear", align_corners=True), [step(rnd(1, 2, 3, 4))])
add("Upsample bilinear x1.5", both("Upsample", scale_factor=1.5, mode="bilinear"), [step(rnd(1, 1, 4, 4))])
add("Upsample linear size", both("Upsample", size=5, mode="linear"), [step(rnd(2, 1, 3))])
add("UpsamplingBilinear2d", both("UpsamplingBilinear2d", scale_factor=2), [step(rnd(1, 1, 2, 3))])
add("UpsamplingNearest2d", both("UpsamplingNearest2d", size=(4, 6)), [step(rnd(1, 1, 2, 3))])
add("ZeroPad2d", both("ZeroPad2d", (1, 2, 0, 1)), [step(rnd(1, 2, 2, 3))])
add("ConstantPad1d", both("ConstantPad1d", 2, 3.5), [step(rnd(2, 3))])
add("ConstantPad2d crop", both("ConstantPad2d", (1, -1, 2, 0), 1.5), [step(rnd(1, 3, 4))])
add("ConstantPad3d", both("ConstantPad3d", 1, 2.0), [step(rnd(1, 1, 2, 2, 2))])
add("ReflectionPad1d", both("ReflectionPad1d", (1, 2)), [step(rnd(1, 2, 4))])
add("ReflectionPad2d", both("ReflectionPad2d", 1), [step(rnd(1, 1, 3, 3))])
add("ReflectionPad3d", both("ReflectionPad3d", (1, 0, 0, 1, 1, 1)), [step(rnd(1, 1, 2, 2, 3))])
add("ReplicationPad1d", both("ReplicationPad1d", 2), [step(rnd(2, 3))])
add("ReplicationPad2d", both("ReplicationPad2d", (1, 0, 2, 1)), [step(rnd(1, 2, 2, 3))])
add("ReplicationPad3d", both("ReplicationPad3d", 1), [step(rnd(1, 1, 2, 2, 2))])
add("CosineSimilarity", both("CosineSimilarity", dim=1), [step(rnd(3, 4), rnd(3, 4))])
add("PairwiseDistance", both("PairwiseDistance", p=1.5, keepdim=True), [step(rnd(3, 4), rnd(3, 4))])


def main():
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
