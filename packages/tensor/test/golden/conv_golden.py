"""Writes conv_golden.json: convolutions computed by PyTorch, for test/conv.test.ts.

Run from this directory with Debian's python3-torch: /usr/bin/python3 conv_golden.py
Each case holds its float64 inputs, the options in Cinder's spelling, PyTorch's output, and for
the forward convolutions the input and weight gradients for a given output gradient.
"""
import json
import warnings

import torch
import torch.nn.functional as F

torch.manual_seed(20261125)
# PyTorch notes that even kernels with padding="same" copy the input; that is expected here.
warnings.filterwarnings("ignore", message="Using padding='same'")


def flat(t):
    # 13 significant digits keep the file small; the test compares to 1e-9 relative.
    return [float(f"{v:.13g}") for v in t.detach().reshape(-1).tolist()]


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def forward_case(name, fn, x, w, b, opts, torch_opts):
    x = x.clone().requires_grad_(True)
    w = w.clone().requires_grad_(True)
    y = fn(x, w, b, **torch_opts)
    gy = randn(*y.shape)
    y.backward(gy)
    return {
        "name": name, "op": fn.__name__, "opts": opts,
        "x": {"shape": list(x.shape), "data": flat(x)},
        "w": {"shape": list(w.shape), "data": flat(w)},
        "b": None if b is None else {"shape": list(b.shape), "data": flat(b)},
        "y": {"shape": list(y.shape), "data": flat(y)},
        "gy": {"shape": list(gy.shape), "data": flat(gy)},
        "gx": flat(x.grad), "gw": flat(w.grad),
    }


cases = [
    forward_case("conv2d stride, padding, dilation, bias", F.conv2d, randn(2, 3, 7, 6), randn(4, 3, 3, 2), randn(4),
                 {"stride": [2, 1], "padding": [1, 0], "dilation": [1, 2]},
                 {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}),
    forward_case("conv2d groups 2, padding 'same' with an even kernel", F.conv2d, randn(1, 4, 6, 6), randn(6, 2, 4, 3),
                 None, {"padding": "same", "groups": 2}, {"padding": "same", "groups": 2}),
    forward_case("conv2d 36 output channels (GEMM path)", F.conv2d, randn(1, 3, 5, 6), randn(36, 3, 3, 3), randn(36),
                 {"padding": 1}, {"padding": 1}),
    forward_case("conv1d stride 3, groups 2", F.conv1d, randn(2, 4, 10), randn(6, 2, 3), None,
                 {"stride": 3, "padding": 2, "groups": 2}, {"stride": 3, "padding": 2, "groups": 2}),
    forward_case("conv3d", F.conv3d, randn(1, 2, 4, 5, 4), randn(3, 2, 2, 3, 2), randn(3),
                 {"stride": [1, 2, 1], "padding": 1}, {"stride": (1, 2, 1), "padding": 1}),
    forward_case("conv_transpose2d stride 2, output padding 1", F.conv_transpose2d, randn(2, 4, 3, 4),
                 randn(4, 3, 3, 3), randn(3), {"stride": 2, "padding": 1, "outputPadding": 1},
                 {"stride": 2, "padding": 1, "output_padding": 1}),
    forward_case("conv_transpose2d groups 2, dilation 2, output padding 1", F.conv_transpose2d, randn(1, 4, 3, 3),
                 randn(4, 2, 2, 3), None, {"groups": 2, "dilation": 2, "outputPadding": 1},
                 {"groups": 2, "dilation": 2, "output_padding": 1}),
    forward_case("conv_transpose1d", F.conv_transpose1d, randn(2, 3, 5), randn(3, 2, 4), randn(2),
                 {"stride": 3, "padding": 1, "outputPadding": 2}, {"stride": 3, "padding": 1, "output_padding": 2}),
    forward_case("conv_transpose3d", F.conv_transpose3d, randn(1, 2, 2, 3, 2), randn(2, 3, 2, 2, 3), None,
                 {"stride": [2, 1, 2], "padding": [0, 1, 1]}, {"stride": (2, 1, 2), "padding": (0, 1, 1)}),
]

with open("conv_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
