#!/usr/bin/env python3
"""PyTorch reference run of a dino4j recipe on an image folder: the same DINO training, written as a PyTorch
researcher writes it, to tell what the recipe can reach from what dino4j reaches with it.

Reads a dino4j run's resolved ``config.yaml`` (after ``run.adaptToData``: batch, learning rate, teacher momentum,
warm-up as that run used them) and trains the same network on the same folder the way facebookresearch/dino
``main_dino.py`` does (Caron et al. 2021):

* data: ``DIR/train/<class>/*.png`` (training images) and ``DIR/test/<class>/*.png`` (k-NN queries), read as grey or
  RGB (``data.channels``), resized to ``data.imageSize``; shuffled every epoch, last partial batch dropped;
* views: the official ``DataAugmentationDINO`` on torchvision/PIL with the config's crop settings: RandomResizedCrop
  (bilinear, as dino4j's crops) → horizontal flip → ColorJitter (p) → RandomGrayscale (RGB only) → PIL Gaussian blur
  (radius ~ U(blurSigmaMin, blurSigmaMax), p per view) → solarisation (p per view) → normalisation;
* network: the small CNN of ``model.small-resnet`` (3×3 convolutions without bias, GroupNorm, ReLU, He-normal
  fan-in init; stem at stride 1, one stride-2 convolution per stage plus ``blocksPerStage`` residual blocks;
  average pooling to a ``poolGrid``² grid) and the official DINOHead (``use_bn``, weight-normalised last layer);
* step, in main_dino.py's order: schedules (lr warm-up then cosine, wd cosine, teacher momentum cosine λ₀ → 1,
  τ_t linear warm-up then constant) → teacher forward on the 2 global views (no grad) → student forward on all views
  → the official DINOLoss (pairs i ≠ j of −Σ p_t log p_s) → finite-loss check → backward → per-tensor clip →
  last layer's gradients cancelled in the first ``freezeLastLayer`` epochs → AdamW → EMA → centre;
* evaluation: weighted k-NN (k ``run.knnK``, T ``run.knnTemperature``, cosine; official ``knn_classifier``) of the
  teacher backbone's features, memory = the training images, queries = the test images, both un-augmented; the same
  for raw (normalised) pixels and for the network before training; the online k-NN every ``run.knnEveryEpochs``.

Prints one JSON object (also written to ``--out``). Needs Debian's python3-torch, python3-torchvision and
python3-yaml (``apt-get install python3-torch python3-torchvision python3-yaml``); run with /usr/bin/python3.

    /usr/bin/python3 dino-bench/python/dino_train_ref.py --config runs/fm1000/config.yaml --data data/fm1000 --threads 1
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml
from PIL import Image, ImageFilter, ImageOps
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dino_step import DINOHead, DINOLoss, MultiCrop, clip_gradients, param_groups  # noqa: E402

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


# ----------------------------------------------------------------------------------------------------------- data
def read_folder(root, channels, size):
    """One folder per class (sorted names = labels): (list of PIL images, int64 labels, class names)."""
    if not os.path.isdir(root):
        sys.exit(f"--data: no folder {root}")
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not classes:
        sys.exit(f"--data: {root} has no class folders")
    images, labels = [], []
    for label, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, c))):
            if f.lower().endswith(IMAGE_SUFFIXES):
                with Image.open(os.path.join(root, c, f)) as im:
                    im = im.convert("L" if channels == 1 else "RGB")
                    if im.size != (size, size):
                        im = im.resize((size, size), Image.BILINEAR)
                    images.append(im.copy())
                labels.append(label)
    return images, torch.tensor(labels), classes


class Blur:
    """The official utils.GaussianBlur: PIL's GaussianBlur with radius ~ U(lo, hi), with probability p."""

    def __init__(self, p, lo, hi):
        self.p, self.lo, self.hi = p, lo, hi

    def __call__(self, img):
        if random.random() >= self.p:
            return img
        return img.filter(ImageFilter.GaussianBlur(radius=random.uniform(self.lo, self.hi)))


class Solarize:
    """The official utils.Solarization: PIL's solarize (threshold 128) with probability p."""

    def __init__(self, p):
        self.p = p

    def __call__(self, img):
        return ImageOps.solarize(img) if random.random() < self.p else img


class MultiCropViews:
    """The official DataAugmentationDINO with dino4j's crop settings (``data.crops``)."""

    def __init__(self, data):
        cr, ch = data["crops"], data["channels"]
        if cr.get("rotationDegrees", 0.0) != 0.0:
            sys.exit("--config: data.crops.rotationDegrees must be 0 (rotation is not in the official recipe)")
        j = cr["jitter"]
        flip_jitter = [transforms.RandomHorizontalFlip(cr["flipP"]),
                       transforms.RandomApply([transforms.ColorJitter(j["brightness"], j["contrast"], j["saturation"],
                                                                      j["hue"])], p=j["p"])]
        if ch == 3:
            flip_jitter.append(transforms.RandomGrayscale(cr["grayscaleP"]))
        norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize(data["crops"]["normalization"]["mean"],
                                                                               data["crops"]["normalization"]["std"])])
        ratio = (cr["ratioMin"], cr["ratioMax"])
        lo, hi = cr["blurSigmaMin"], cr["blurSigmaMax"]

        def view(spec):
            return transforms.Compose(
                [transforms.RandomResizedCrop(spec["size"], scale=(spec["scaleMin"], spec["scaleMax"]), ratio=ratio,
                                              interpolation=transforms.InterpolationMode.BILINEAR)]
                + flip_jitter + [Blur(spec["blurP"], lo, hi), Solarize(spec["solarizeP"]), norm])

        self.global1, self.global2, self.local = view(cr["global1"]), view(cr["global2"]), view(cr["local"])
        self.num_local = cr["numLocal"]
        self.plain = norm

    def __call__(self, img):
        return [self.global1(img), self.global2(img)] + [self.local(img) for _ in range(self.num_local)]


# -------------------------------------------------------------------------------------------------------- network
def conv_gn(c_in, c_out, stride, groups, relu=True):
    mods = [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.GroupNorm(groups, c_out)]
    return nn.Sequential(*(mods + [nn.ReLU(inplace=True)] if relu else mods))


class Block(nn.Module):
    """Residual block: conv-GN-ReLU, conv-GN, + input, ReLU."""

    def __init__(self, c, groups):
        super().__init__()
        self.body = nn.Sequential(conv_gn(c, c, 1, groups), conv_gn(c, c, 1, groups, relu=False))

    def forward(self, x):
        return F.relu(self.body(x) + x)


class SmallResNet(nn.Module):
    """dino4j's ``small-resnet``: [B, C, H, W] → [B, g² · widths[-1]] (grid cells row-major, channels last)."""

    def __init__(self, m, in_ch):
        super().__init__()
        groups, c = m["groups"], m["stem"]
        layers = [conv_gn(in_ch, c, 1, groups)]
        for w in m["widths"]:
            layers.append(conv_gn(c, w, 2, groups))
            layers += [Block(w, groups) for _ in range(m["blocksPerStage"])]
            c = w
        self.body = nn.Sequential(*layers)
        self.grid = m.get("poolGrid", 1)
        self.dim = self.grid * self.grid * c
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x):
        h = F.adaptive_avg_pool2d(self.body(x), self.grid)
        return h.permute(0, 2, 3, 1).flatten(1)


def build(config, in_ch):
    m = config["model"]
    if m["backbone"] != "small-resnet":
        sys.exit(f"--config: model.backbone must be small-resnet, got {m['backbone']}")
    bb = SmallResNet(m["small-resnet"], in_ch)
    h = m["head"]
    head = DINOHead(bb.dim, h["outDim"], h["hiddenDim"], h["bottleneckDim"], h["nLayers"], use_bn=h["useBn"],
                    norm_last_layer=h["normLastLayer"])
    return MultiCrop(bb, head)


# ------------------------------------------------------------------------------------------------------ schedules
def cosine(base, final, epochs, iters, warmup_iters=0, start_warmup=0.0):
    """The official utils.cosine_scheduler, per iteration."""
    warm = np.linspace(start_warmup, base, warmup_iters) if warmup_iters > 0 else np.array([])
    t = np.arange(epochs * iters - warmup_iters)
    sched = final + 0.5 * (base - final) * (1 + np.cos(np.pi * t / len(t)))
    return np.concatenate((warm, sched))


# ------------------------------------------------------------------------------------------------------------ k-NN
@torch.no_grad()
def features(backbone, images, plain, batch=256):
    out = []
    for i in range(0, len(images), batch):
        out.append(backbone(torch.stack([plain(im) for im in images[i:i + batch]])))
    return F.normalize(torch.cat(out), dim=1)


@torch.no_grad()
def knn(train_f, train_y, test_f, test_y, k, t, classes):
    """The official eval_knn.knn_classifier (weighted vote exp(sim / T) of the k nearest by cosine): top-1."""
    sims = test_f @ train_f.T
    top, idx = sims.topk(k, dim=1)
    votes = torch.zeros(len(test_f), classes).scatter_add_(1, train_y[idx], (top / t).exp())
    return (votes.argmax(1) == test_y).float().mean().item()


def entropy(p):
    return -(p * p.clamp_min(1e-30).log()).sum(-1)


# ------------------------------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True, help="a dino4j run's resolved config.yaml")
    ap.add_argument("--data", required=True, help="image folder with train/ and test/ class folders")
    ap.add_argument("--seed", type=int, default=None, help="default: the config's run.seed")
    ap.add_argument("--epochs", type=int, default=None, help="default: the config's run.epochs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", help="also write the JSON here")
    a = ap.parse_args()
    with open(a.config) as f:
        cfg = yaml.safe_load(f)
    d, o, te, r = cfg["data"], cfg["optim"], cfg["teacher"], cfg["run"]
    seed = r["seed"] if a.seed is None else a.seed
    epochs = r["epochs"] if a.epochs is None else a.epochs
    torch.set_num_threads(a.threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

    ch, size = d["channels"], d["imageSize"]
    train_x, train_y, classes = read_folder(os.path.join(a.data, "train"), ch, size)
    test_x, test_y, test_classes = read_folder(os.path.join(a.data, "test"), ch, size)
    if test_classes != classes:
        sys.exit(f"--data: test classes {test_classes} differ from train classes {classes}")
    views = MultiCropViews(d)
    batch = d["batchSize"]
    iters = len(train_x) // batch
    if iters == 0:
        sys.exit(f"--data: {len(train_x)} training images, fewer than one batch of {batch}")

    student, teacher = build(cfg, ch), build(cfg, ch)
    teacher.load_state_dict(student.state_dict())
    for p in teacher.parameters():
        p.requires_grad = False
    k, t_knn, nc = r["knnK"], r["knnTemperature"], len(classes)

    def evaluate(backbone):
        return knn(features(backbone, train_x, views.plain), train_y, features(backbone, test_x, views.plain),
                   test_y, k, t_knn, nc)

    raw = knn(F.normalize(torch.stack([views.plain(im) for im in train_x]).flatten(1), dim=1), train_y,
              F.normalize(torch.stack([views.plain(im) for im in test_x]).flatten(1), dim=1), test_y, k, t_knn, nc)
    random_init = evaluate(teacher.backbone)

    ncrops = 2 + d["crops"]["numLocal"]
    loss_fn = DINOLoss(cfg["model"]["head"]["outDim"], ncrops, te["studentTemp"], te["centerMomentum"])
    opt = torch.optim.AdamW(param_groups(student), betas=(o["beta1"], o["beta2"]), eps=o["eps"])
    peak = o["lr"] * batch / 256.0
    lr_s = cosine(peak, o["minLr"], epochs, iters, int(round(o["warmupEpochs"] * iters)))
    wd_s = cosine(o["weightDecay"], o["weightDecayEnd"], epochs, iters)
    mom_s = cosine(te["momentumTeacher"], 1.0, epochs, iters)
    wt = min(te["warmupTeacherTempEpochs"], epochs)
    tau_s = np.concatenate((np.linspace(te["warmupTeacherTemp"], te["teacherTemp"], wt),
                            np.ones(epochs - wt) * te["teacherTemp"]))

    online, log = [], []
    t0 = time.perf_counter()
    it = 0
    for epoch in range(epochs):
        order = torch.randperm(len(train_x))
        losses, ents = [], []
        for b in range(iters):
            idx = order[b * batch:(b + 1) * batch].tolist()
            per_image = [views(train_x[i]) for i in idx]
            crops = [torch.stack([v[c] for v in per_image]) for c in range(ncrops)]
            # crops of one resolution in one tensor, globals first (the official MultiCropWrapper's grouping)
            globals_ = torch.cat(crops[:2])
            student_in = [globals_] + ([torch.cat(crops[2:])] if ncrops > 2 else [])
            for i, g in enumerate(opt.param_groups):
                g["lr"] = lr_s[it]
                if i == 0:
                    g["weight_decay"] = wd_s[it]
            teacher_out = teacher([globals_])
            student_out = student(student_in)
            loss = loss_fn(student_out, teacher_out, tau_s[epoch])
            if not math.isfinite(loss.item()):
                sys.exit(f"loss is not finite at iteration {it}")
            opt.zero_grad()
            loss.backward()
            clip_gradients(student, o["clipGrad"])
            if epoch < o["freezeLastLayer"]:
                for n, p in student.named_parameters():
                    if "last_layer" in n:
                        p.grad = None
            opt.step()
            with torch.no_grad():
                m = mom_s[it]
                for ps, pt in zip(student.parameters(), teacher.parameters()):
                    pt.data.mul_(m).add_((1 - m) * ps.detach().data)
                ents.append(entropy(F.softmax((teacher_out - loss_fn.center) / tau_s[epoch], -1)).mean().item())
            loss_fn.update_center(teacher_out)
            losses.append(loss.item())
            it += 1
        row = {"epoch": epoch + 1, "loss": float(np.mean(losses)), "teacher_entropy": float(np.mean(ents)),
               "minutes": (time.perf_counter() - t0) / 60}
        every = r["knnEveryEpochs"]
        if every > 0 and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
            row["knn_top1"] = evaluate(teacher.backbone)
            online.append((row["knn_top1"], epoch + 1))
        log.append(row)
        print(json.dumps(row), file=sys.stderr)
    train_min = (time.perf_counter() - t0) / 60
    final = evaluate(teacher.backbone)
    best = max(online) if online else (final, epochs)
    out = {"framework": "pytorch", "version": torch.__version__, "config": os.path.abspath(a.config),
           "data": os.path.abspath(a.data), "seed": seed, "epochs": epochs, "batch": batch, "steps": it,
           "train_images": len(train_x), "queries": len(test_x), "k": k, "temperature": t_knn,
           "dino_top1": final, "best_online_top1": best[0], "best_online_epoch": best[1],
           "raw_pixels_top1": raw, "random_init_top1": random_init, "train_minutes": train_min,
           "final_teacher_entropy": log[-1]["teacher_entropy"], "ln_k": math.log(cfg["model"]["head"]["outDim"]),
           "epochs_log": log}
    text = json.dumps(out)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
