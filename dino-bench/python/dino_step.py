#!/usr/bin/env python3
"""PyTorch half of dino4j's side-by-side step benchmark (``dino-bench/side-by-side.sh``).

One DINO training step as facebookresearch/dino ``main_dino.py`` takes it, on the same network, batch and crops
as dino4j's ``StepHarness``: teacher forward (no grad) on the 2 global crops, student forward on all crops
(crops of one resolution batched together, the head run once on the concatenated features, as the official
``MultiCropWrapper``), the official pair-loop DINO loss (Caron et al. 2021, Eq. 1: teacher view i, student view
j != i, p_t = softmax((z_t - c)/tau_t), p_s = softmax(z_s/tau_s)), finite-loss check, backward, per-tensor
gradient clipping (norm 3), AdamW with the official parameter groups (no weight decay on biases and 1-d tensors),
EMA of the teacher, center update.

Networks (3x3 convolutions, no residual blocks, global average pooling; head 512-512-128, l2 norm,
weight-normalised last layer to K):
  peer   32 (stride 1) -> 64 (s2) -> 128 (s2)
  proto   8 (s1) -> 32 (s2) -> 64 (s2) -> 128 (s2)

Modes:
  step   median wall time of --steps steps after --warmup steps on one fixed batch (no augmentation)
  loop   images/s of a training loop over the batches read from --crops-dir (the crops dino4j's loader made)

Prints one JSON object on stdout. Needs Debian's python3-torch (``apt-get install python3-torch``), run with
/usr/bin/python3; set OMP_WAIT_POLICY=PASSIVE and preload tcmalloc as the harness does.
"""
import argparse
import glob
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NETWORKS = {
    "peer": [(32, 1), (64, 2), (128, 2)],
    "proto": [(8, 1), (32, 2), (64, 2), (128, 2)],
}


def backbone(net, norm, in_ch, groups):
    layers, c = [], in_ch
    for out, stride in NETWORKS[net]:
        layers.append(nn.Conv2d(c, out, 3, stride, 1, bias=False))
        layers.append(nn.GroupNorm(groups, out) if norm == "gn" else nn.BatchNorm2d(out))
        layers.append(nn.ReLU(inplace=True))
        c = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), c


class DINOHead(nn.Module):
    """The official DINOHead: MLP (optional BatchNorm, GELU), l2-normalised bottleneck, weight-normalised last
    layer, g fixed at 1 when ``norm_last_layer``."""

    def __init__(self, in_dim, out_dim, hidden, bottleneck, nlayers=3, use_bn=False, norm_last_layer=True):
        super().__init__()
        dims = [in_dim] + [hidden] * (nlayers - 1) + [bottleneck]
        mods = []
        for i in range(nlayers):
            mods.append(nn.Linear(dims[i], dims[i + 1]))
            if i < nlayers - 1:
                if use_bn:
                    mods.append(nn.BatchNorm1d(dims[i + 1]))
                mods.append(nn.GELU())
        self.mlp = nn.Sequential(*mods)
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def forward(self, x):
        x = F.normalize(self.mlp(x), dim=-1, p=2)
        return self.last_layer(x)


class MultiCrop(nn.Module):
    """Backbone once per crop resolution, head once on all features (the official MultiCropWrapper)."""

    def __init__(self, backbone_, head):
        super().__init__()
        self.backbone, self.head = backbone_, head

    def forward(self, crops):
        return self.head(torch.cat([self.backbone(c) for c in crops]))


class DINOLoss:
    """The official DINOLoss: pair loop over (teacher view i, student view j != i), center EMA."""

    def __init__(self, out_dim, ncrops, student_temp=0.1, center_momentum=0.9):
        self.ncrops, self.student_temp, self.m = ncrops, student_temp, center_momentum
        self.center = torch.zeros(1, out_dim)

    def __call__(self, student_output, teacher_output, teacher_temp):
        student_out = (student_output / self.student_temp).chunk(self.ncrops)
        teacher_out = F.softmax((teacher_output - self.center) / teacher_temp, dim=-1).detach().chunk(2)
        total, n = 0, 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                total += torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
                n += 1
        return total / n

    @torch.no_grad()
    def update_center(self, teacher_output):
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
        self.center = self.center * self.m + batch_center * (1 - self.m)


def param_groups(model):
    reg, no_reg = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_reg if name.endswith(".bias") or p.ndim == 1 else reg).append(p)
    return [{"params": reg}, {"params": no_reg, "weight_decay": 0.0}]


def clip_gradients(model, clip):
    for p in model.parameters():
        if p.grad is not None:
            norm = p.grad.data.norm(2)
            coef = clip / (norm + 1e-6)
            if coef < 1:
                p.grad.data.mul_(coef)


class Step:
    def __init__(self, a):
        torch.manual_seed(a.seed)
        bb, d = backbone(a.net, a.norm, a.channels, a.groups)
        self.student = MultiCrop(bb, DINOHead(d, a.k, a.hidden, a.bottleneck))
        bb_t, _ = backbone(a.net, a.norm, a.channels, a.groups)
        self.teacher = MultiCrop(bb_t, DINOHead(d, a.k, a.hidden, a.bottleneck))
        self.teacher.load_state_dict(self.student.state_dict())
        for p in self.teacher.parameters():
            p.requires_grad = False
        self.loss = DINOLoss(a.k, 2 + a.local_crops)
        self.opt = torch.optim.AdamW(param_groups(self.student))
        self.lr, self.wd, self.momentum, self.tau_t, self.clip = 5e-4, 0.04, 0.996, 0.04, 3.0

    def __call__(self, globals_, locals_):
        for i, g in enumerate(self.opt.param_groups):  # schedules
            g["lr"] = self.lr
            if i == 0:
                g["weight_decay"] = self.wd
        teacher_output = self.teacher([globals_])  # no grad: the teacher's parameters do not require it
        crops = [globals_] if locals_ is None else [globals_, locals_]
        student_output = self.student(crops)
        loss = self.loss(student_output, teacher_output, self.tau_t)
        if not math.isfinite(loss.item()):
            sys.exit("loss is not finite")
        self.opt.zero_grad()
        loss.backward()
        clip_gradients(self.student, self.clip)
        self.opt.step()
        with torch.no_grad():
            for ps, pt in zip(self.student.parameters(), self.teacher.parameters()):
                pt.data.mul_(self.momentum).add_((1 - self.momentum) * ps.detach().data)
        self.loss.update_center(teacher_output)
        return loss.item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["step", "loop"], default="step")
    ap.add_argument("--net", choices=sorted(NETWORKS), default="peer")
    ap.add_argument("--norm", choices=["gn", "bn"], default="gn")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--global-size", type=int, default=28)
    ap.add_argument("--local-size", type=int, default=12)
    ap.add_argument("--local-crops", type=int, default=6)
    ap.add_argument("--groups", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--bottleneck", type=int, default=128)
    ap.add_argument("--k", type=int, default=4096)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--crops", help="step mode: a .npz with arrays 'globals' and 'locals' (else seeded normal noise)")
    ap.add_argument("--crops-dir", help="loop mode: a folder of batch-*.npz files (arrays 'globals', 'locals')")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    step = Step(a)
    out = {"framework": "pytorch", "version": torch.__version__, "mode": a.mode, "net": a.net, "norm": a.norm,
           "threads": a.threads, "batch": a.batch}
    if a.mode == "step":
        if a.crops:
            z = np.load(a.crops)
            g, l = torch.from_numpy(z["globals"]), torch.from_numpy(z["locals"]) if z["locals"].size else None
        else:
            gen = torch.Generator().manual_seed(a.seed)
            g = torch.randn(2 * a.batch, a.channels, a.global_size, a.global_size, generator=gen)
            l = (torch.randn(a.local_crops * a.batch, a.channels, a.local_size, a.local_size, generator=gen)
                 if a.local_crops else None)
        times = []
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            step(g, l)
            if i >= a.warmup:
                times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        out.update(step_s=med, min_s=min(times), max_s=max(times), images_per_s=a.batch / med)
    else:
        files = sorted(glob.glob(os.path.join(a.crops_dir, "batch-*.npz")))
        if not files:
            sys.exit("no batch-*.npz in " + str(a.crops_dir))
        batches = []
        for f in files:
            z = np.load(f)
            batches.append((torch.from_numpy(z["globals"]), torch.from_numpy(z["locals"]) if z["locals"].size else None))
        for g, l in batches[:a.warmup]:
            step(g, l)
        t0 = time.perf_counter()
        n = 0
        for g, l in batches[a.warmup:]:
            step(g, l)
            n += g.shape[0] // 2
        secs = time.perf_counter() - t0
        out.update(steps=len(batches) - a.warmup, seconds=secs, images_per_s=n / secs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
