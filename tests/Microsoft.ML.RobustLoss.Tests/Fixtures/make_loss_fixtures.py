#!/usr/bin/env python3
"""Reference values for the RobustLoss losses, computed with Debian's python3-torch in float64.

Writes loss_fixtures.json next to this script: for each case the inputs, the mean loss and its gradient with
respect to the logits (classification) or predictions (regression). The C# tests recompute each case with
TorchSharp and compare to 1e-5. Run:  /usr/bin/python3 make_loss_fixtures.py
The formulas are written out here on purpose (not taken from a library) so they can be read against the C#.
"""
import json, math, os
import torch
import torch.nn.functional as F

torch.manual_seed(5)
DT = torch.float64
B, K = 6, 4
LOGITS = (torch.randn(B, K, dtype=DT) * 2).tolist()
TARGETS = [0, 1, 3, 2, 3, 0]
COUNTS = [500, 120, 30, 5]          # training class counts (long tail)


def inv_freq(counts):
    w = torch.tensor([1.0 / max(c, 1) for c in counts], dtype=DT)
    return w * len(counts) / w.sum()


def effective_number(counts, beta):
    w = torch.tensor([(1 - beta) / (1 - beta ** max(c, 1)) for c in counts], dtype=DT)
    return w * len(counts) / w.sum()


def weighted_ce(z, y, weight=None, smoothing=0.0):
    return F.cross_entropy(z, y, weight=weight, label_smoothing=smoothing)


def focal(z, y, gamma, alpha=None):
    logp = F.log_softmax(z, 1).gather(1, y[:, None])[:, 0]
    p = logp.exp()
    a = torch.ones_like(p) if alpha is None else alpha[y]
    return (-a * (1 - p) ** gamma * logp).mean()


def ldam(z, y, counts, max_margin, s, weight=None):
    m = torch.tensor([1.0 / max(c, 1) ** 0.25 for c in counts], dtype=DT)
    m = m * (max_margin / m.max())
    onehot = F.one_hot(y, z.shape[1]).to(DT)
    return F.cross_entropy(s * (z - onehot * m[None, :]), y, weight=weight)


def balanced_softmax(z, y, counts):
    return F.cross_entropy(z + torch.log(torch.tensor([max(c, 1) for c in counts], dtype=DT))[None, :], y)


def logit_adjusted(z, y, counts, tau):
    n = torch.tensor([max(c, 1) for c in counts], dtype=DT)
    return F.cross_entropy(z + tau * torch.log(n / n.sum())[None, :], y)


EQL_BETA = [[1, 1, 0, 1], [1, 0, 1, 1], [1, 1, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 1]]


def eql(z, y, counts, lam, beta):
    # Softmax equalization loss (Tan et al. 2020, sec. 3.3, for classification without a background class):
    # -log(exp(z_y) / sum_k w_k exp(z_k)), w_k = 1 - beta_k T_lambda(f_k) (1 - y_k), beta_k ~ Bernoulli(gamma) given here.
    n = torch.tensor(counts, dtype=DT)
    tail = (n / n.sum() < lam).to(DT)
    onehot = F.one_hot(y, z.shape[1]).to(DT)
    w = 1 - torch.tensor(beta, dtype=DT) * tail[None, :] * (1 - onehot)
    return F.cross_entropy(z.masked_fill(w == 0, float('-inf')), y)


def binary_focal(z, y, gamma, alpha):
    p = torch.sigmoid(z)
    logp, log1mp = F.logsigmoid(z), F.logsigmoid(-z)
    a = torch.where(y > 0, torch.full_like(z, alpha), torch.full_like(z, 1 - alpha)) if alpha >= 0 else torch.ones_like(z)
    pt = torch.where(y > 0, p, 1 - p)
    logpt = torch.where(y > 0, logp, log1mp)
    return (-a * (1 - pt) ** gamma * logpt).mean()


def asl(z, y, gamma_pos, gamma_neg, clip):
    p = torch.sigmoid(z)
    pm = torch.clamp(p - clip, min=0) if clip > 0 else p
    pos = (1 - p) ** gamma_pos * F.logsigmoid(z)
    neg = pm ** gamma_neg * torch.log(torch.clamp(1 - pm, min=1e-8))
    return -(y * pos + (1 - y) * neg).mean()


def case_cls(name, fn, **params):
    z = torch.tensor(LOGITS, dtype=DT, requires_grad=True)
    y = torch.tensor(TARGETS)
    loss = fn(z, y)
    loss.backward()
    return dict(name=name, params=params, logits=LOGITS, targets=TARGETS, counts=COUNTS,
                loss=loss.item(), grad=z.grad.tolist())


cases = [
    case_cls("ce", lambda z, y: weighted_ce(z, y)),
    case_cls("ce_smoothing", lambda z, y: weighted_ce(z, y, smoothing=0.1), smoothing=0.1),
    case_cls("weighted_ce_inverse", lambda z, y: weighted_ce(z, y, inv_freq(COUNTS)), weighting="inverse"),
    case_cls("weighted_ce_effective", lambda z, y: weighted_ce(z, y, effective_number(COUNTS, 0.99)), weighting="effective", beta=0.99),
    case_cls("focal", lambda z, y: focal(z, y, 2.0), gamma=2.0),
    case_cls("focal_alpha", lambda z, y: focal(z, y, 1.5, torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=DT)), gamma=1.5, alpha=[0.1, 0.2, 0.3, 0.4]),
    case_cls("cb_focal", lambda z, y: focal(z, y, 2.0, effective_number(COUNTS, 0.999)), gamma=2.0, beta=0.999),
    case_cls("ldam", lambda z, y: ldam(z, y, COUNTS, 0.5, 30.0), max_margin=0.5, scale=30.0),
    case_cls("ldam_drw", lambda z, y: ldam(z, y, COUNTS, 0.5, 30.0, effective_number(COUNTS, 0.9999)), max_margin=0.5, scale=30.0, beta=0.9999),
    case_cls("balanced_softmax", lambda z, y: balanced_softmax(z, y, COUNTS)),
    case_cls("logit_adjusted", lambda z, y: logit_adjusted(z, y, COUNTS, 1.5), tau=1.5),
    case_cls("equalization", lambda z, y: eql(z, y, COUNTS, 0.05, EQL_BETA), threshold=0.05, beta=EQL_BETA),
]

BZ = (torch.randn(8, dtype=DT) * 2).tolist()
BY = [1, 0, 0, 1, 1, 0, 0, 0]


def case_bin(name, fn, **params):
    z = torch.tensor(BZ, dtype=DT, requires_grad=True)
    loss = fn(z, torch.tensor(BY, dtype=DT))
    loss.backward()
    return dict(name=name, params=params, logits=BZ, targets=BY, loss=loss.item(), grad=z.grad.tolist())


cases += [
    case_bin("bce", lambda z, y: F.binary_cross_entropy_with_logits(z, y)),
    case_bin("binary_focal", lambda z, y: binary_focal(z, y, 2.0, 0.25), gamma=2.0, alpha=0.25),
    case_bin("binary_focal_noalpha", lambda z, y: binary_focal(z, y, 1.0, -1.0), gamma=1.0, alpha=-1.0),
    case_bin("asl", lambda z, y: asl(z, y, 1.0, 4.0, 0.05), gamma_pos=1.0, gamma_neg=4.0, clip=0.05),
]

RP = (torch.randn(7, dtype=DT) * 3).tolist()
RY = (torch.randn(7, dtype=DT) * 3).tolist()
RY[2] += 25.0                                              # an outlier


def huber(r, d):
    a = r.abs()
    return torch.where(a <= d, 0.5 * r * r, d * (a - 0.5 * d))


def case_reg(name, fn, preds=None, **params):
    preds = RP if preds is None else preds
    p = torch.tensor(preds, dtype=DT, requires_grad=True)
    loss = fn(p, torch.tensor(RY, dtype=DT))
    loss.backward()
    return dict(name=name, params=params, predictions=preds, targets=RY, loss=loss.item(), grad=p.grad.tolist())


QS = [0.1, 0.5, 0.9]
QP = (torch.randn(7, 3, dtype=DT) * 3).tolist()


def pinball(p, y):
    r = y[:, None] - p
    q = torch.tensor(QS, dtype=DT)[None, :]
    return torch.maximum(q * r, (q - 1) * r).mean()


def tukey(r, c):
    inside = (1 - (1 - (r / c) ** 2) ** 3) * c * c / 6
    return torch.where(r.abs() <= c, inside, torch.full_like(r, c * c / 6))


cases += [
    case_reg("squared", lambda p, y: ((p - y) ** 2).mean()),
    case_reg("huber", lambda p, y: huber(p - y, 1.5).mean(), delta=1.5),
    case_reg("pseudo_huber", lambda p, y: (2.0 ** 2 * (torch.sqrt(1 + ((p - y) / 2.0) ** 2) - 1)).mean(), delta=2.0),
    case_reg("tukey", lambda p, y: tukey(p - y, 4.685).mean(), c=4.685),
    case_reg("log_cosh", lambda p, y: torch.log(torch.cosh(p - y)).mean()),
    case_reg("quantile", pinball, preds=QP, quantiles=QS),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_fixtures.json")
with open(out, "w") as f:
    json.dump(dict(torch_version=torch.__version__, cases=cases), f, indent=1)
print(f"wrote {len(cases)} cases to {out} (torch {torch.__version__})")
