#!/usr/bin/env python3
"""PyTorch reference for dino4j's pretrained-model import (org.dino4j.core.pretrained).

The architectures of DINO's official checkpoints (facebookresearch/dino: ``vision_transformer.py`` ViT and
torchvision's ResNet-50), written here from the paper's and the official code's definitions, so that the
Java side can be checked against PyTorch without downloading any weights:

  fixtures OUT_DIR       small models of the same architectures with random weights (seeded), saved in every
                         layout dino4j reads (official hub state dict, full training checkpoint with teacher /
                         student / head / optimizer / args, Hugging Face ``facebook/dino-*`` names with separate
                         query/key/value; .pth and .safetensors), the inputs, and the expected outputs (CLS
                         feature after the final norm, rows of the last block's attention, ResNet pooled
                         features) at 224x224 and at 168x216 (bicubic position-embedding interpolation as the
                         official code), plus two images preprocessed with PIL as the official k-NN evaluation.
  check-export FILE ...  loads a file written by ``dino export`` into the official architecture and compares its
                         features with dino4j's (exit status 1 above the tolerance).
  speed ...              times ViT-S/16 at 224x224 (inference, batches streamed) and writes the weights and inputs
                         it used, so that dino4j can be timed on exactly the same ones (dino-bench/pretrained-speed.sh).

Needs torch (Debian: python3-torch) and numpy; PIL only for the preprocessing fixture. Nothing here is run by
dino4j at run time.
"""
import argparse
import collections
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


# ----------------------------------------------------------------------------------------- ViT (official)

class Mlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = act()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    """One fused qkv projection (3D outputs ordered q, k, v; heads contiguous inside each), softmax(q k^T / sqrt(d))."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(b, n, c)), att


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, eps, act):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act)

    def forward(self, x):
        y, att = self.attn(self.norm1(x))
        x = x + y
        return x + self.mlp(self.norm2(x)), att


class PatchEmbed(nn.Module):
    def __init__(self, patch, in_chans, dim):
        super().__init__()
        self.patch_size = patch
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    """DINO's ViT: CLS token + learned position embeddings (stored for a img_size grid), pre-norm blocks, final norm."""

    def __init__(self, patch=16, dim=384, depth=12, heads=6, mlp_ratio=4.0, img_size=224, in_chans=3, eps=1e-6,
                 act=nn.GELU):
        super().__init__()
        self.patch_embed = PatchEmbed(patch, in_chans, dim)
        n = (img_size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_ratio, eps, act) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=eps)

    def interpolate_pos_encoding(self, x, h, w):
        # As the official code: unchanged when the token count and the image are the same, else bicubic
        # interpolation of the patch grid with scale factors (g + 0.1) / sqrt(N) (output floor(g + 0.1) = g).
        npatch = x.shape[1] - 1
        n = self.pos_embed.shape[1] - 1
        if npatch == n and w == h:
            return self.pos_embed
        cls_pos = self.pos_embed[:, 0]
        grid = self.pos_embed[:, 1:]
        dim = x.shape[-1]
        side = int(math.sqrt(n))
        gh = h // self.patch_embed.patch_size + 0.1
        gw = w // self.patch_embed.patch_size + 0.1
        grid = F.interpolate(grid.reshape(1, side, side, dim).permute(0, 3, 1, 2),
                             scale_factor=(gh / math.sqrt(n), gw / math.sqrt(n)), mode='bicubic')
        assert int(gh) == grid.shape[-2] and int(gw) == grid.shape[-1]
        grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
        return torch.cat((cls_pos.unsqueeze(0), grid), dim=1)

    def tokens(self, x):
        b, _, h, w = x.shape
        t = self.patch_embed(x)
        t = torch.cat((self.cls_token.expand(b, -1, -1), t), dim=1)
        return t + self.interpolate_pos_encoding(t, h, w)

    def forward_with_attention(self, x):
        x = self.tokens(x)
        att = None
        for blk in self.blocks:
            x, att = blk(x)
        return self.norm(x)[:, 0], att

    def forward(self, x):
        return self.forward_with_attention(x)[0]


class DINOHead(nn.Module):
    """DINO's projection head: MLP (Linear-GELU-...-Linear), l2 normalisation, weight-normalised last layer."""

    def __init__(self, in_dim, out_dim, hidden=2048, bottleneck=256, nlayers=3):
        super().__init__()
        layers = [nn.Linear(in_dim, hidden), nn.GELU()]
        for _ in range(nlayers - 2):
            layers += [nn.Linear(hidden, hidden), nn.GELU()]
        layers.append(nn.Linear(hidden, bottleneck))
        self.mlp = nn.Sequential(*layers)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)

    def forward(self, x):
        return self.last_layer(F.normalize(self.mlp(x), dim=-1, p=2))


class MultiCropWrapper(nn.Module):
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head


# --------------------------------------------------------------------------------- ResNet (torchvision)

class Bottleneck(nn.Module):
    """torchvision's ResNet-50 block (stride on the 3x3 convolution), BatchNorm eps 1e-5."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        out = planes * 4
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        return F.relu(self.bn3(self.conv3(y)) + idt)


class ResNet(nn.Module):
    """torchvision.models.resnet50 with widths (64, 128, 256, 512) and blocks (3, 4, 6, 3); fc removed (DINO)."""

    def __init__(self, widths=(64, 128, 256, 512), blocks=(3, 4, 6, 3), stem=64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        inplanes = stem
        for i, (w, n) in enumerate(zip(widths, blocks)):
            layer = []
            for j in range(n):
                layer.append(Bottleneck(inplanes, w, (1 if i == 0 else 2) if j == 0 else 1))
                inplanes = w * 4
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(*layer))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, stride=2, padding=1)
        for i in range(1, 5):
            x = getattr(self, 'layer%d' % i)(x)
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


# ------------------------------------------------------------------------------------------- file formats

_ST_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
              torch.int64: 'I64', torch.int32: 'I32', torch.uint8: 'U8'}
_ST_TORCH = {v: k for k, v in _ST_DTYPES.items()}


def save_safetensors(tensors, path, metadata=None):
    """The safetensors layout: u64 header length, JSON header {name: {dtype, shape, data_offsets}}, raw data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {'dtype': _ST_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = metadata
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = collections.OrderedDict()
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        buf = bytearray(data[a:b])
        dt = _ST_TORCH[e['dtype']]
        if dt == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.uint8).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=dt) if len(buf) else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e['shape']).clone()
    return out, header.get('__metadata__', {})


def save_pth(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------- layouts

def hf_state_dict(vit_sd, depth):
    """Official ViT keys -> the Hugging Face ViTModel names of facebook/dino-* (separate query/key/value)."""
    out = collections.OrderedDict()
    out['embeddings.cls_token'] = vit_sd['cls_token']
    out['embeddings.position_embeddings'] = vit_sd['pos_embed']
    out['embeddings.patch_embeddings.projection.weight'] = vit_sd['patch_embed.proj.weight']
    out['embeddings.patch_embeddings.projection.bias'] = vit_sd['patch_embed.proj.bias']
    for i in range(depth):
        b, h = 'blocks.%d.' % i, 'encoder.layer.%d.' % i
        qw, kw, vw = vit_sd[b + 'attn.qkv.weight'].chunk(3, dim=0)
        qb, kb, vb = vit_sd[b + 'attn.qkv.bias'].chunk(3, dim=0)
        for n, w, bias in (('query', qw, qb), ('key', kw, kb), ('value', vw, vb)):
            out[h + 'attention.attention.%s.weight' % n] = w.clone()
            out[h + 'attention.attention.%s.bias' % n] = bias.clone()
        out[h + 'attention.output.dense.weight'] = vit_sd[b + 'attn.proj.weight']
        out[h + 'attention.output.dense.bias'] = vit_sd[b + 'attn.proj.bias']
        out[h + 'intermediate.dense.weight'] = vit_sd[b + 'mlp.fc1.weight']
        out[h + 'intermediate.dense.bias'] = vit_sd[b + 'mlp.fc1.bias']
        out[h + 'output.dense.weight'] = vit_sd[b + 'mlp.fc2.weight']
        out[h + 'output.dense.bias'] = vit_sd[b + 'mlp.fc2.bias']
        out[h + 'layernorm_before.weight'] = vit_sd[b + 'norm1.weight']
        out[h + 'layernorm_before.bias'] = vit_sd[b + 'norm1.bias']
        out[h + 'layernorm_after.weight'] = vit_sd[b + 'norm2.weight']
        out[h + 'layernorm_after.bias'] = vit_sd[b + 'norm2.bias']
    out['layernorm.weight'] = vit_sd['norm.weight']
    out['layernorm.bias'] = vit_sd['norm.bias']
    return out


def randomize(module, gen, attention_gain=2.0):
    """Random weights with O(1) activations and peaked attention (the official init gives near-uniform attention)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1 and ('norm' in name or 'bn' in name or name.startswith('downsample.1')
                                 or '.downsample.1.' in name):
                if name.endswith('weight'):
                    p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name in ('cls_token', 'pos_embed'):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                fan_in = p[0].numel()
                gain = attention_gain if name.endswith('qkv.weight') else 1.0
                p.copy_(gain * torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
        for name, buf in module.named_buffers():
            if name.endswith('running_mean'):
                buf.copy_(0.2 * torch.randn(buf.shape, generator=gen))
            elif name.endswith('running_var'):
                buf.copy_(0.5 + torch.rand(buf.shape, generator=gen))
            elif name.endswith('num_batches_tracked'):
                buf.fill_(1000)


def normalise_u8(u8):
    """ToTensor + Normalize(ImageNet) of uint8 [B, 3, H, W], in float32 as torchvision does."""
    x = u8.to(torch.float32).div(255)
    mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1)
    return (x - mean) / std


def attention_rows(att):
    """[B, h, T, T] -> rows (0, 1, T//2, T-1) [B, h, 4, T]: the CLS row the maps use plus three patch rows."""
    t = att.shape[-1]
    return att[:, :, [0, 1, t // 2, t - 1], :].contiguous()


# ---------------------------------------------------------------------------------------------- fixtures

SECOND = (168, 216)  # second resolution: top-left crop of the 224x224 inputs (non-square, remainder pixels)


def fixtures(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20260601)
    u8 = torch.randint(0, 256, (2, 3, 224, 224), generator=gen, dtype=torch.uint8)
    x224 = normalise_u8(u8)
    x2 = normalise_u8(u8[:, :, :SECOND[0], :SECOND[1]].contiguous())
    expected = collections.OrderedDict()
    expected['inputs_u8'] = u8
    manifest = {'torch': torch.__version__, 'second_resolution': list(SECOND), 'models': {}}

    def vit_case(tag, patch, dim, depth, heads, seed):
        g = torch.Generator().manual_seed(seed)
        teacher = VisionTransformer(patch=patch, dim=dim, depth=depth, heads=heads).eval()
        randomize(teacher, g)
        sd = teacher.state_dict()
        with torch.no_grad():
            for res, x in (('224', x224), ('%dx%d' % SECOND, x2)):
                f, att = teacher.forward_with_attention(x)
                expected['%s/%s/cls' % (tag, res)] = f
                expected['%s/%s/attention_rows' % (tag, res)] = attention_rows(att)
        manifest['models'][tag] = {'arch': 'vit', 'patch': patch, 'dim': dim, 'depth': depth, 'heads': heads}
        return teacher, sd, g

    # ViT /16: every layout
    teacher, sd, g = vit_case('vit16', 16, 48, 2, 3, 1)
    save_pth(sd, os.path.join(out_dir, 'vit16-hub.pth'))
    save_safetensors(sd, os.path.join(out_dir, 'vit16-hub.safetensors'))
    student = VisionTransformer(patch=16, dim=48, depth=2, heads=3).eval()
    randomize(student, g)
    with torch.no_grad():
        expected['vit16/224/student_cls'] = student(x224)
    s_head, t_head = DINOHead(48, 64, 32, 16), DINOHead(48, 64, 32, 16)
    randomize(s_head, g)
    t_head.load_state_dict(s_head.state_dict())
    s_wrap, t_wrap = MultiCropWrapper(student, s_head), MultiCropWrapper(teacher, t_head)
    opt = torch.optim.AdamW(list(s_head.parameters()), lr=1e-3)
    s_head(torch.randn(2, 48, generator=g)).sum().backward()
    opt.step()
    args = argparse.Namespace(arch='vit_fixture', patch_size=16, out_dim=64, norm_last_layer=True, lr=1e-3)
    ckpt = {'student': collections.OrderedDict(('module.' + k, v) for k, v in s_wrap.state_dict().items()),
            'teacher': t_wrap.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3, 'args': args,
            'dino_loss': {'center': torch.zeros(1, 64)}}
    save_pth(ckpt, os.path.join(out_dir, 'vit16-train.pth'))
    hf_dir = os.path.join(out_dir, 'vit16-hf')
    os.makedirs(hf_dir, exist_ok=True)
    hf_eps = 1e-12  # transformers' ViTConfig default, kept by the facebook/dino-* conversions
    save_safetensors(hf_state_dict(sd, 2), os.path.join(hf_dir, 'model.safetensors'), {'format': 'pt'})
    with open(os.path.join(hf_dir, 'config.json'), 'w') as f:
        json.dump({'model_type': 'vit', 'hidden_size': 48, 'num_hidden_layers': 2, 'num_attention_heads': 3,
                   'intermediate_size': 192, 'patch_size': 16, 'image_size': 224, 'layer_norm_eps': hf_eps,
                   'hidden_act': 'gelu', 'qkv_bias': True}, f, indent=1)
    hf_model = VisionTransformer(patch=16, dim=48, depth=2, heads=3, eps=hf_eps).eval()
    hf_model.load_state_dict(sd)
    with torch.no_grad():
        expected['vit16/224/hf_cls'] = hf_model(x224)
        expected['vit16/%dx%d/hf_cls' % SECOND] = hf_model(x2)

    # ViT /8: hub layout
    _, sd8, _ = vit_case('vit8', 8, 48, 2, 3, 2)
    save_pth(sd8, os.path.join(out_dir, 'vit8-hub.pth'))

    # ResNet (torchvision layout, BatchNorm running statistics)
    g = torch.Generator().manual_seed(3)
    rn = ResNet(widths=(4, 8, 16, 32), blocks=(2, 1, 1, 1), stem=8).eval()
    randomize(rn, g)
    with torch.no_grad():
        expected['resnet/224/features'] = rn(x224)
        expected['resnet/%dx%d/features' % SECOND] = rn(x2)
    rsd = rn.state_dict()
    save_pth(rsd, os.path.join(out_dir, 'resnet-hub.pth'))
    r_head = DINOHead(128, 64, 32, 16)
    randomize(r_head, g)
    rw = MultiCropWrapper(rn, r_head)
    ckpt = {'teacher': collections.OrderedDict(('module.' + k, v) for k, v in rw.state_dict().items()),
            'epoch': 1, 'args': argparse.Namespace(arch='resnet50')}
    save_pth(ckpt, os.path.join(out_dir, 'resnet-train.pth'))
    manifest['models']['resnet'] = {'arch': 'resnet', 'widths': [4, 8, 16, 32], 'blocks': [2, 1, 1, 1], 'stem': 8}

    # Official evaluation preprocessing with PIL: Resize(256, bicubic) on the shorter side, CenterCrop(224).
    try:
        from PIL import Image
        for name, (w, h) in (('down', (400, 300)), ('up', (90, 120))):
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
            rgb = np.stack([127.5 + 120 * np.sin(xx / 17.0 + yy / 29.0), 255 * (xx / w),
                            127.5 + 120 * np.cos(np.hypot(xx - w / 3, yy - h / 2) / 9.0)], axis=-1)
            rgb[(xx // 20 + yy // 20) % 2 == 0] *= 0.7  # sharp edges exercise the filter's negative lobes
            img = Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8), 'RGB')
            img.save(os.path.join(out_dir, 'preprocess-%s.png' % name))
            short, long_ = (w, h) if w <= h else (h, w)
            new_long = int(256 * long_ / short)
            size = (256, new_long) if w <= h else (new_long, 256)
            r = img.resize(size, Image.BICUBIC)
            left, top = int(round((size[0] - 224) / 2.0)), int(round((size[1] - 224) / 2.0))
            c = r.crop((left, top, left + 224, top + 224))
            expected['preprocess/%s' % name] = torch.from_numpy(np.asarray(c).transpose(2, 0, 1).copy())
    except ImportError:
        print('PIL not found: no preprocessing fixture', file=sys.stderr)

    # Tensor storage cases the Java reader must handle: strides, storage offsets, shared storage, other dtypes.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7
    save_pth(collections.OrderedDict([('base', base), ('transposed', base.t()), ('offset', base[1:]),
                                      ('column', base[:, 2]), ('half', base.half()), ('bfloat16', base.bfloat16()),
                                      ('double', base.double())]), os.path.join(out_dir, 'layouts.pth'))
    save_safetensors(collections.OrderedDict([('half', base.half()), ('bfloat16', base.bfloat16()),
                                              ('double', base.double())]),
                     os.path.join(out_dir, 'layouts.safetensors'))

    # Plain pickles of every protocol, for the Java unpickler's opcode coverage (torch.save itself uses protocol 2).
    import pickle
    value = {'ints': [0, 1, -1, 255, 256, 65535, 65536, -2 ** 31, 2 ** 31, 2 ** 70, -(2 ** 70)],
             'floats': [0.5, -1e300, float('inf')], 'text': ['', 'ascii', 'ünï€ode'], 'bytes': b'\x00\xffab',
             'none': None, 'bools': (True, False), 'tuples': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
             'set': {7}, 'frozen': frozenset([8]), 'shared': None, 'obj': argparse.Namespace(arch='vit_small', n=3)}
    shared = ['same']
    value['shared'] = [shared, shared]
    os.makedirs(os.path.join(out_dir, 'pickles'), exist_ok=True)
    for proto in range(0, 6):
        with open(os.path.join(out_dir, 'pickles', 'protocol%d.pkl' % proto), 'wb') as f:
            pickle.dump(value, f, protocol=proto)

    save_safetensors(expected, os.path.join(out_dir, 'expected.safetensors'))
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(out_dir) for fn in fns)
    print(json.dumps({'dir': out_dir, 'bytes': total}))


# ------------------------------------------------------------------------------------------ check-export

def load_any(path):
    with open(path, 'rb') as f:
        magic = f.read(2)
    if magic == b'PK':
        return torch.load(path, map_location='cpu'), {}
    return load_safetensors(path)


def check_export(a):
    """Loads a dino4j export into the official ViT (and head) and compares with dino4j's features."""
    sd, meta = load_any(a.weights)
    expected, _ = load_safetensors(a.expected)
    x = expected['input']
    backbone = collections.OrderedDict((k[len('backbone.'):], v) for k, v in sd.items() if k.startswith('backbone.'))
    head = collections.OrderedDict((k[len('head.'):], v) for k, v in sd.items() if k.startswith('head.'))
    if not backbone:
        backbone = sd
    dim = backbone['cls_token'].shape[-1]
    patch = backbone['patch_embed.proj.weight'].shape[-1]
    depth = len({k.split('.')[1] for k in backbone if k.startswith('blocks.')})
    in_chans = backbone['patch_embed.proj.weight'].shape[1]
    side = int(round(math.sqrt(backbone['pos_embed'].shape[1] - 1)))
    mlp_ratio = backbone['blocks.0.mlp.fc1.weight'].shape[0] / dim
    report = {}
    for act_name, act in (('exact', nn.GELU), ('tanh', lambda: nn.GELU(approximate='tanh'))):
        vit = VisionTransformer(patch=patch, dim=dim, depth=depth, heads=a.heads, mlp_ratio=mlp_ratio,
                                img_size=side * patch, in_chans=in_chans, eps=a.eps, act=act).eval()
        vit.load_state_dict(backbone, strict=True)
        with torch.no_grad():
            f = vit(x)
        rel = float((f - expected['features']).norm() / expected['features'].norm())
        report['backbone_rel_diff_gelu_' + act_name] = rel
        if head and 'logits' in expected:
            hidden = head['mlp.0.weight'].shape[0]
            bottleneck = head['last_layer.weight_v'].shape[1]
            nlayers = len([k for k in head if k.startswith('mlp.') and k.endswith('.weight')])
            h = DINOHead(dim, head['last_layer.weight_v'].shape[0], hidden, bottleneck, nlayers).eval()
            if act_name == 'tanh':
                for i, m in enumerate(h.mlp):
                    if isinstance(m, nn.GELU):
                        h.mlp[i] = nn.GELU(approximate='tanh')
            h.load_state_dict(head, strict=True)
            with torch.no_grad():
                z = h(f)
            report['head_rel_diff_gelu_' + act_name] = float(
                (z - expected['logits']).norm() / expected['logits'].norm())
    report['metadata'] = meta
    print(json.dumps(report, sort_keys=True))
    worst = report['backbone_rel_diff_gelu_' + a.gelu]
    if 'head_rel_diff_gelu_' + a.gelu in report:
        worst = max(worst, report['head_rel_diff_gelu_' + a.gelu])
    return 0 if worst <= a.tolerance else 1


# ------------------------------------------------------------------------------------------------- speed

def write_npy_u8(path, a):
    np.save(path, a)


def speed(a):
    """ViT-S/16 inference at 224x224 in PyTorch: images/s over batches streamed through one loaded model."""
    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    weights = os.path.join(a.work, 'vit_small16_random.pth')
    inputs = os.path.join(a.work, 'inputs_u8.npy')
    gen = torch.Generator().manual_seed(7)
    model = VisionTransformer(patch=16, dim=384, depth=12, heads=6).eval()
    randomize(model, gen)
    if not os.path.exists(weights):
        save_pth(model.state_dict(), weights)
    else:
        model.load_state_dict(torch.load(weights, map_location='cpu'))
    u8 = torch.randint(0, 256, (a.batch, 3, 224, 224), generator=gen, dtype=torch.uint8)
    write_npy_u8(inputs, u8.numpy())
    x = normalise_u8(u8)
    times = []
    with torch.inference_mode():
        feats = model(x)  # warm-up
        for _ in range(a.batches):
            t0 = time.perf_counter()
            feats = model(x)
            times.append(time.perf_counter() - t0)
    np.save(os.path.join(a.work, 'torch_features.npy'), feats.numpy())
    med = sorted(times)[len(times) // 2]
    out = {'framework': 'pytorch ' + torch.__version__, 'threads': a.threads, 'batch': a.batch,
           'batches': a.batches, 'seconds_per_batch': times, 'median_s': med, 'images_per_s': a.batch / med,
           'blas': os.environ.get('LD_LIBRARY_PATH', 'system libblas.so.3')}
    print(json.dumps(out))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    f = sub.add_parser('fixtures', help='write the small-model fixtures')
    f.add_argument('out')
    c = sub.add_parser('check-export', help='load a dino export into the official ViT and compare features')
    c.add_argument('--weights', required=True)
    c.add_argument('--expected', required=True, help='safetensors with input [B,C,H,W], features [B,D] (+ logits)')
    c.add_argument('--heads', type=int, required=True)
    c.add_argument('--eps', type=float, default=1e-6)
    c.add_argument('--gelu', choices=['exact', 'tanh'], default='exact', help='which GELU the tolerance applies to')
    c.add_argument('--tolerance', type=float, default=1e-4)
    s = sub.add_parser('speed', help='time ViT-S/16 at 224x224')
    s.add_argument('--work', required=True, help='folder for the weights, inputs and features (shared with dino4j)')
    s.add_argument('--threads', type=int, default=2)
    s.add_argument('--batch', type=int, default=32)
    s.add_argument('--batches', type=int, default=5)
    a = p.parse_args(argv)
    if a.cmd == 'fixtures':
        fixtures(a.out)
        return 0
    if a.cmd == 'check-export':
        return check_export(a)
    speed(a)
    return 0


if __name__ == '__main__':
    sys.exit(main())
