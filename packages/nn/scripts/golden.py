"""Golden trajectories of torch.optim (optimizers and lr schedulers) for @cinder/nn's tests.

Run with PyTorch 1.13 (Debian's python3-torch): /usr/bin/python3 packages/nn/scripts/golden.py
It writes packages/nn/test/golden/optim.json and lrScheduler.json. The cases are written with
Cinder's option names (camelCase); this script maps them to PyTorch's.
"""
import json
import math
import os
import re

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "golden")

SPECIAL = {"tMult": "T_mult", "lineSearchFn": "line_search_fn"}


def snake(name):
    if name in SPECIAL:
        return SPECIAL[name]
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_opts(opts):
    out = {}
    for k, v in opts.items():
        if k == "lineSearchFn":
            v = {"strongWolfe": "strong_wolfe", None: None}[v]
        if k == "betas":
            v = tuple(v)
        out[snake(k)] = v
    return out


DTYPES = {"float32": torch.float32, "float64": torch.float64}

# ---- optimizers -------------------------------------------------------------------------------
#
# Each case: two parameters of shapes [2, 3] and [3]; at step k the gradient of parameter i is
# G[k][i] + 0.5 * p (G from the file), except where `skip` lists [step, param] (no gradient).

OPTIM_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.2, "weightDecay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": [0.8, 0.9], "weightDecay": 0.1, "eps": 1e-6}),
    ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "amsgrad": True, "maximize": True, "weightDecay": 0.01}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.05, "weightDecay": 0.1, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "weightDecay": 0.1}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.1, "initialAccumulatorValue": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-6, "maximize": True}),
]
STEPS = 6
SHAPES = [[2, 3], [3]]


def run_optim(name, opts, dtype, groups=None, skip=()):
    g = torch.Generator().manual_seed(1234)
    dt = DTYPES[dtype]
    params = [torch.randn(s, generator=g, dtype=torch.float64).to(dt).requires_grad_() for s in SHAPES]
    init = [p.detach().tolist() for p in params]
    G = [[torch.randn(s, generator=g, dtype=torch.float64).to(dt) for s in SHAPES] for _ in range(STEPS)]
    cls = getattr(torch.optim, name)
    if groups is None:
        opt = cls(params, **torch_opts(opts))
    else:
        opt = cls([dict(params=[params[i] for i in grp["params"]], **torch_opts(grp["options"])) for grp in groups],
                  **torch_opts(opts))
    traj = []
    for k in range(STEPS):
        for i, p in enumerate(params):
            p.grad = None if [k, i] in skip else (G[k][i] + 0.5 * p.detach())
        opt.step()
        traj.append([p.detach().tolist() for p in params])
    return {
        "optimizer": name, "options": opts, "dtype": dtype, "shapes": SHAPES, "params": init,
        "grads": [[x.tolist() for x in row] for row in G], "trajectory": traj,
        **({"groups": groups} if groups is not None else {}), **({"skip": [list(s) for s in skip]} if skip else {}),
    }


def optim_cases():
    cases = [run_optim(n, o, "float32") for n, o in OPTIM_CASES]
    cases += [run_optim(n, o, "float64") for n, o in (OPTIM_CASES[2], OPTIM_CASES[7], OPTIM_CASES[13], OPTIM_CASES[15])]
    # Parameter groups with their own options, and parameters without gradients at some steps.
    cases.append(run_optim("SGD", {"lr": 0.01, "momentum": 0.5}, "float32",
                           groups=[{"params": [0], "options": {"lr": 0.1}}, {"params": [1], "options": {"momentum": 0.9}}]))
    cases.append(run_optim("Adam", {"lr": 0.01}, "float32", skip=[[1, 1], [2, 1], [4, 0]]))
    return cases


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def lbfgs_cases():
    out = []
    for opts in ({"lr": 1, "maxIter": 5}, {"lr": 1, "maxIter": 8, "lineSearchFn": "strongWolfe"},
                 {"lr": 0.5, "maxIter": 4, "historySize": 3, "lineSearchFn": "strongWolfe"}):
        x = torch.tensor([-1.2, 1.0, -0.5, 0.8, 1.5, 0.3], dtype=torch.float64, requires_grad=True)
        init = x.detach().tolist()
        opt = torch.optim.LBFGS([x], **torch_opts(opts))
        evals = [0]

        def closure():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            evals[0] += 1
            return loss

        traj, losses, counts = [], [], []
        for _ in range(6):
            losses.append(float(opt.step(closure)))
            traj.append(x.detach().tolist())
            counts.append(evals[0])
        out.append({"options": opts, "params": init, "trajectory": traj, "losses": losses, "evals": counts,
                    "funcEvals": opt.state[x]["func_evals"], "nIter": opt.state[x]["n_iter"]})
    return out


# ---- lr schedulers ----------------------------------------------------------------------------

SCHED_CASES = [
    {"cls": "StepLR", "args": [3], "opts": {"gamma": 0.5}, "steps": 12},
    {"cls": "StepLR", "args": [2], "opts": {}, "steps": 8, "lrs": [0.1, 0.02]},
    {"cls": "MultiStepLR", "args": [[2, 5, 5, 9]], "opts": {"gamma": 0.3}, "steps": 12},
    {"cls": "ExponentialLR", "args": [0.9], "opts": {}, "steps": 10, "lrs": [0.1, 1.0]},
    {"cls": "CosineAnnealingLR", "args": [6], "opts": {"etaMin": 0.001}, "steps": 20},
    {"cls": "CosineAnnealingLR", "args": [4], "opts": {}, "steps": 10, "lrs": [0.5, 0.05]},
    {"cls": "CosineAnnealingWarmRestarts", "args": [3], "opts": {"tMult": 2, "etaMin": 0.01}, "steps": 25},
    {"cls": "CosineAnnealingWarmRestarts", "args": [4], "opts": {}, "steps": 10},
    {"cls": "CosineAnnealingWarmRestarts", "args": [2], "opts": {"tMult": 3}, "epochs": [0.5, 1.25, 2, 3.5, 7.9, 8.1, 9, 20.5, 26, 1]},
    {"cls": "CosineAnnealingWarmRestarts", "args": [3], "opts": {}, "epochs": [0.5, 2.9, 3, 4.5, 11]},
    {"cls": "OneCycleLR", "args": [0.1], "opts": {"totalSteps": 20}, "steps": 19},
    {"cls": "OneCycleLR", "args": [[0.1, 0.5]], "opts": {"epochs": 3, "stepsPerEpoch": 5, "annealStrategy": "linear", "pctStart": 0.4}, "steps": 14, "lrs": [0.1, 0.1]},
    {"cls": "OneCycleLR", "args": [1.0], "opts": {"totalSteps": 30, "threePhase": True, "divFactor": 10.0, "finalDivFactor": 100.0}, "steps": 29, "optimizer": "Adam"},
    {"cls": "OneCycleLR", "args": [0.2], "opts": {"totalSteps": 10, "cycleMomentum": False}, "steps": 9, "optimizer": "Adam"},
    {"cls": "LinearLR", "args": [], "opts": {}, "steps": 8},
    {"cls": "LinearLR", "args": [], "opts": {"startFactor": 0.25, "endFactor": 0.75, "totalIters": 4}, "steps": 8, "lrs": [0.1, 0.2]},
    {"cls": "ConstantLR", "args": [], "opts": {"factor": 0.5, "totalIters": 3}, "steps": 6},
    {"cls": "PolynomialLR", "args": [], "opts": {"totalIters": 6, "power": 2.0}, "steps": 8},
    {"cls": "LambdaLR", "args": ["0.95 ** e"], "opts": {}, "steps": 10},
    {"cls": "LambdaLR", "args": [["1 / (e + 1)", "0.5 ** e"]], "opts": {}, "steps": 6, "lrs": [0.1, 0.3]},
    {"cls": "MultiplicativeLR", "args": ["0.9 + 0.01 * e"], "opts": {}, "steps": 6},
    {"cls": "SequentialLR", "schedulers": [{"cls": "LinearLR", "args": [], "opts": {"startFactor": 0.1, "totalIters": 3}},
                                           {"cls": "ExponentialLR", "args": [0.9], "opts": {}}], "milestones": [3], "steps": 10},
    {"cls": "SequentialLR", "schedulers": [{"cls": "ConstantLR", "args": [], "opts": {"factor": 0.1, "totalIters": 2}},
                                           {"cls": "CosineAnnealingLR", "args": [5], "opts": {}},
                                           {"cls": "StepLR", "args": [2], "opts": {"gamma": 0.5}}], "milestones": [2, 8], "steps": 14},
    {"cls": "ChainedScheduler", "schedulers": [{"cls": "ConstantLR", "args": [], "opts": {"factor": 0.1, "totalIters": 2}},
                                               {"cls": "ExponentialLR", "args": [0.9], "opts": {}}], "steps": 6},
    {"cls": "ReduceLROnPlateau", "opts": {"patience": 2}, "metrics": [5, 4, 4, 4, 4, 3, 3.5, 3.2, 3.1, 3.0, 3.0, 3.0, 3.0, 3.0]},
    {"cls": "ReduceLROnPlateau", "opts": {"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2, "threshold": 0.1,
                                          "thresholdMode": "abs", "minLr": [0.02, 0.001]},
     "metrics": [1, 1.05, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5], "lrs": [0.1, 0.01]},
    {"cls": "ReduceLROnPlateau", "opts": {"patience": 0, "threshold": 0.01, "eps": 0.004}, "metrics": [1, 1, 1, 1, 1, 1]},
]


def make_lambda(src):
    return lambda e: eval(src, {}, {"e": e})


def build_sched(spec, opt):
    cls = getattr(torch.optim.lr_scheduler, spec["cls"])
    if spec["cls"] in ("SequentialLR",):
        subs = [build_sched(s, opt) for s in spec["schedulers"]]
        return cls(opt, subs, spec["milestones"])
    if spec["cls"] == "ChainedScheduler":
        return cls([build_sched(s, opt) for s in spec["schedulers"]])
    args = list(spec.get("args", []))
    if spec["cls"] in ("LambdaLR", "MultiplicativeLR"):
        args = [[make_lambda(a) for a in args[0]] if isinstance(args[0], list) else make_lambda(args[0])]
    return cls(opt, *args, **torch_opts(spec.get("opts", {})))


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


def sched_cases():
    out = []
    for spec in SCHED_CASES:
        lrs = spec.get("lrs", [0.1])
        params = [torch.zeros(1, requires_grad=True) for _ in lrs]
        kind = spec.get("optimizer", "SGD")
        groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
        opt = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9) if kind == "SGD" else torch.optim.Adam(groups, lr=lrs[0])
        sched = build_sched(spec, opt)
        seq = [[g["lr"] for g in opt.param_groups]]
        mom = [[momentum_of(g) for g in opt.param_groups]]
        if "metrics" in spec:
            for m in spec["metrics"]:
                opt.step()
                sched.step(m)
                seq.append([g["lr"] for g in opt.param_groups])
        elif "epochs" in spec:
            for e in spec["epochs"]:
                opt.step()
                sched.step(e)
                seq.append([g["lr"] for g in opt.param_groups])
        else:
            for _ in range(spec["steps"]):
                opt.step()
                sched.step()
                seq.append([g["lr"] for g in opt.param_groups])
                mom.append([momentum_of(g) for g in opt.param_groups])
        case = dict(spec, lrs=lrs, optimizer=kind, expected=seq)
        if spec["cls"] == "OneCycleLR":
            case["momentum"] = mom
        if hasattr(sched, "get_last_lr"):
            case["lastLr"] = sched.get_last_lr()
        out.append(case)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "packages/nn/scripts/golden.py", "torch": torch.__version__}
    with open(os.path.join(OUT, "optim.json"), "w") as f:
        json.dump({**meta, "cases": optim_cases(), "lbfgs": lbfgs_cases()}, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(OUT, "lrScheduler.json"), "w") as f:
        json.dump({**meta, "cases": sched_cases()}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
