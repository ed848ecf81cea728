"""Baseline for `./sd bench --arch sd15`: the SD 1.5 UNet (LDM's openaimodel topology, random weights) in plain
PyTorch eager mode, timed the same way: one UNet evaluation with classifier-free guidance (cond and uncond batched)
per step, 512x512, median of N steps after a warm-up, synchronised after every step.

    python3 diffusion/bench/pytorch_eager_unet.py [--steps 20] [--batch-size 1] [--dtype fp16|fp32] [--attention manual|sdpa]

`manual` attention is softmax(QK^T/sqrt(d))V written out, the algorithm the Java engine uses; `sdpa` is PyTorch's
fused scaled_dot_product_attention (flash attention where it applies). Prints one JSON line.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn


def norm(channels, eps=1e-5):
    return nn.GroupNorm(32, channels, eps=eps)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb=1280):
        super().__init__()
        self.in_layers = nn.Sequential(norm(cin), nn.SiLU(), nn.Conv2d(cin, cout, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb, cout))
        self.out_layers = nn.Sequential(norm(cout), nn.SiLU(), nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = self.in_layers(x) + self.emb_layers(emb)[:, :, None, None]
        return self.skip(x) + self.out_layers(h)


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads, mode):
        super().__init__()
        self.heads, self.mode = heads, mode
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context):
        b, n, c = x.shape
        q, k, v = (t.view(b, -1, self.heads, c // self.heads).transpose(1, 2)
                   for t in (self.to_q(x), self.to_k(context), self.to_v(context)))
        if self.mode == "sdpa":
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            weights = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(c // self.heads))
            out = weights.softmax(-1) @ v
        return self.to_out(out.transpose(1, 2).reshape(b, n, c))


class SpatialTransformer(nn.Module):
    def __init__(self, dim, mode, heads=8, context_dim=768):
        super().__init__()
        self.norm = norm(dim, 1e-6)
        self.proj_in = nn.Conv2d(dim, dim, 1)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads, mode)
        self.attn2 = Attention(dim, context_dim, heads, mode)
        self.geglu = nn.Linear(dim, dim * 8)
        self.ff_out = nn.Linear(dim * 4, dim)
        self.proj_out = nn.Conv2d(dim, dim, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        y = self.proj_in(self.norm(x)).flatten(2).transpose(1, 2)
        z = self.norm1(y)
        y = y + self.attn1(z, z)
        y = y + self.attn2(self.norm2(y), context)
        a, gate = self.geglu(self.norm3(y)).chunk(2, dim=-1)
        y = y + self.ff_out(a * F.gelu(gate))
        return x + self.proj_out(y.transpose(1, 2).reshape(b, c, h, w))


class UNet(nn.Module):
    """SD 1.5: channels 320·(1,2,4,4), 2 res blocks per level, attention at the first three levels."""

    def __init__(self, mode):
        super().__init__()
        mult, ch = (1, 2, 4, 4), 320
        self.time_embed = nn.Sequential(nn.Linear(ch, 1280), nn.SiLU(), nn.Linear(1280, 1280))
        self.conv_in = nn.Conv2d(4, ch, 3, padding=1)
        self.down, skips, c = nn.ModuleList(), [ch], ch
        for level, m in enumerate(mult):
            for _ in range(2):
                self.down.append(nn.ModuleList([ResBlock(c, ch * m)] + ([SpatialTransformer(ch * m, mode)] if level < 3 else [])))
                c = ch * m
                skips.append(c)
            if level < 3:
                self.down.append(nn.ModuleList([nn.Conv2d(c, c, 3, stride=2, padding=1)]))
                skips.append(c)
        self.mid = nn.ModuleList([ResBlock(c, c), SpatialTransformer(c, mode), ResBlock(c, c)])
        self.up = nn.ModuleList()
        for level, m in reversed(list(enumerate(mult))):
            for i in range(3):
                block = [ResBlock(c + skips.pop(), ch * m)]
                c = ch * m
                if level < 3:
                    block.append(SpatialTransformer(c, mode))
                if level > 0 and i == 2:
                    block.append(nn.Conv2d(c, c, 3, padding=1))  # after nearest 2x upsampling
                self.up.append(nn.ModuleList(block))
        self.out = nn.Sequential(norm(c), nn.SiLU(), nn.Conv2d(c, 4, 3, padding=1))

    @staticmethod
    def timestep_embedding(t, dim=320):
        freqs = torch.exp(-math.log(10000) * torch.arange(dim // 2, device=t.device) / (dim // 2))
        args = t[:, None].float() * freqs[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)

    def run(self, blocks, h, emb, context):
        for layer in blocks:
            if isinstance(layer, ResBlock):
                h = layer(h, emb)
            elif isinstance(layer, SpatialTransformer):
                h = layer(h, context)
            else:
                h = layer(F.interpolate(h, scale_factor=2, mode="nearest")) if layer.stride == (1, 1) else layer(h)
        return h

    def forward(self, x, t, context):
        emb = self.time_embed(self.timestep_embedding(t).to(x.dtype))
        h, hs = self.conv_in(x), []
        hs.append(h)
        for blocks in self.down:
            h = self.run(blocks, h, emb, context)
            hs.append(h)
        h = self.run(self.mid, h, emb, context)
        for blocks in self.up:
            h = self.run(blocks, torch.cat([h, hs.pop()], dim=1), emb, context)
        return self.out(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    p.add_argument("--attention", choices=["manual", "sdpa"], default="manual")
    a = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if a.dtype == "fp16" else torch.float32
    torch.manual_seed(0)
    unet = UNet(a.attention).to(device, dtype).eval()
    b = a.batch_size
    x = torch.randn(b, 4, a.size // 8, a.size // 8, device=device, dtype=dtype)
    context = torch.randn(2 * b, 77, 768, device=device, dtype=dtype)
    times = []
    with torch.inference_mode():
        for i in range(a.steps + 1):
            t = torch.full((2 * b,), 999.0 - i * 999.0 / a.steps, device=device)
            start = time.perf_counter()
            out = unet(torch.cat([x, x]), t, context)
            out[0, 0, 0, 0].item()  # waits for the device
            if i > 0:  # the first is the warm-up
                times.append(time.perf_counter() - start)
    print(json.dumps({"device": device, "torch": torch.__version__, "dtype": a.dtype, "attention": a.attention,
                      "batch": b, "size": a.size, "unet_step_s": round(statistics.median(times), 4),
                      "parameters": sum(q.numel() for q in unet.parameters()),
                      "peak_memory_bytes": torch.cuda.max_memory_allocated() if device == "cuda" else None}))


if __name__ == "__main__":
    main()
