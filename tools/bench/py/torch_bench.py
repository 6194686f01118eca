"""PyTorch side of tools/bench: the same workloads as the TypeScript suites, printed as JSON.

Run by tools/bench (src/peers.ts) with Debian's python3-torch; PyTorch keeps its default threading.
"""
import json
import sys
import time

import torch


def best_of(fn, repeats, inner):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def conv2d_case(case):
    """Forward, or backward with input and weight gradients (what a training step computes)."""
    n, cin, cout, h, k = case["n"], case["cin"], case["cout"], case["h"], case["k"]
    stride, pad = case["stride"], case["pad"]
    x = torch.randn(n, cin, h, h)
    w = torch.randn(cout, cin, k, k)
    b = torch.randn(cout) if case["bias"] else None
    if case["kind"] == "conv2d_fwd":
        fn = lambda: torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad)
    else:
        gy = torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad).normal_()
        fn = lambda: torch.ops.aten.convolution_backward(
            gy, x, w, None, [stride, stride], [pad, pad], [1, 1], False, [0, 0], 1, [True, True, False])
    fn()
    return best_of(fn, case["repeats"], case["inner"])


def nn_case(case):
    """@cinder/nn's fused kernels: the same calls as tools/bench/src/nn.ts."""
    F = torch.nn.functional
    shape, kind = case["shape"], case["kind"]
    if kind == "nn_ce":
        x = torch.randn(*shape, requires_grad=True)
        t = torch.randint(0, shape[1], (shape[0],))
        fn = lambda: torch.autograd.grad(F.cross_entropy(x, t), [x])
    elif kind == "nn_maxpool":
        x = torch.randn(*shape, requires_grad=case["backward"])
        if case["backward"]:
            gy = torch.randn(shape[0], shape[1], shape[2] // 2, shape[3] // 2)
            fn = lambda: torch.autograd.grad(F.max_pool2d(x, 2), [x], gy)
        else:
            fn = lambda: F.max_pool2d(x, 2)
    else:
        c = shape[1]
        x = torch.randn(*shape, requires_grad=case["backward"])
        w = torch.ones(c, requires_grad=case["backward"])
        b = torch.zeros(c, requires_grad=case["backward"])
        rm, rv = torch.zeros(c), torch.ones(c)
        if case["backward"]:
            gy = torch.randn(*shape)
            fn = lambda: torch.autograd.grad(F.batch_norm(x, rm, rv, w, b, training=True), [x, w, b], gy)
        else:
            fn = lambda: F.batch_norm(x, rm, rv, w, b, training=True)
    fn()
    return best_of(fn, case["repeats"], case["inner"])


def main():
    spec = json.loads(sys.argv[1])
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "results": {}}
    for case in spec:
        kind = case["kind"]
        if kind == "matmul":
            m, k, n = case["m"], case["k"], case["n"]
            dt = torch.float32 if case["dtype"] == "float32" else torch.float64
            a = torch.randn(m, k, dtype=dt)
            b = torch.randn(k, n, dtype=dt)
            t = best_of(lambda: torch.mm(a, b), case["repeats"], case["inner"])
        elif kind in ("matmul_nt", "matmul_tn"):
            # a @ w.T (a linear layer's forward) and g.T @ x (its weight gradient), without copies.
            m, k, n = case["m"], case["k"], case["n"]
            dt = torch.float32 if case["dtype"] == "float32" else torch.float64
            if kind == "matmul_nt":
                a = torch.randn(m, k, dtype=dt)
                w = torch.randn(n, k, dtype=dt)
                t = best_of(lambda: torch.matmul(a, w.t()), case["repeats"], case["inner"])
            else:
                g = torch.randn(k, m, dtype=dt)
                x = torch.randn(k, n, dtype=dt)
                t = best_of(lambda: torch.matmul(g.t(), x), case["repeats"], case["inner"])
        elif kind == "bmm":
            bsz, m, k, n = case["b"], case["m"], case["k"], case["n"]
            a = torch.randn(bsz, m, k)
            b = torch.randn(bsz, k, n)
            t = best_of(lambda: torch.bmm(a, b), case["repeats"], case["inner"])
        elif kind == "add_new":
            a = torch.randn(case["n"])
            b = torch.randn(case["n"])
            t = best_of(lambda: torch.add(a, b), case["repeats"], case["inner"])
        elif kind == "add_out":
            a = torch.randn(case["n"])
            b = torch.randn(case["n"])
            c = torch.empty(case["n"])
            t = best_of(lambda: torch.add(a, b, out=c), case["repeats"], case["inner"])
        elif kind == "sum":
            a = torch.randn(case["n"])
            t = best_of(lambda: a.sum(), case["repeats"], case["inner"])
        elif kind == "exp":
            a = torch.randn(case["n"])
            t = best_of(lambda: torch.exp(a), case["repeats"], case["inner"])
        elif kind == "tiny_add":
            a = torch.randn(4)
            b = torch.randn(4)
            t = best_of(lambda: torch.add(a, b), case["repeats"], case["inner"])
        elif kind == "ag_small":
            x = torch.randn(4, requires_grad=True)
            y = torch.randn(4, requires_grad=True)
            t = best_of(lambda: (x * y + x).sum().backward(), case["repeats"], case["inner"])
        elif kind == "ag_record":
            x = torch.randn(4, requires_grad=True)
            y = torch.randn(4)
            t = best_of(lambda: torch.add(x, y), case["repeats"], case["inner"])
        elif kind in ("conv2d_fwd", "conv2d_bwd"):
            t = conv2d_case(case)
        elif kind.startswith("nn_"):
            t = nn_case(case)
        else:
            continue
        out["results"][case["id"]] = t
    print(json.dumps(out))


if __name__ == "__main__":
    main()
