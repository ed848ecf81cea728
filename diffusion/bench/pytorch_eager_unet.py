"""Baseline for `./sd bench --arch sd15|sdxl`: the SD 1.5 or SDXL base 1.0 UNet (LDM's / sgm's openaimodel topology,
random weights) in plain PyTorch eager mode, timed the same way: one UNet evaluation with classifier-free guidance
(cond and uncond batched) per step, at 512x512 (sd15) or 1024x1024 (sdxl), median of N steps after a warm-up,
synchronised after every step.

    python3 diffusion/bench/pytorch_eager_unet.py [--arch sd15|sdxl] [--steps 20] [--batch-size 1] [--size N]
        [--dtype fp16|fp32] [--attention manual|sdpa]

SDXL differs from SD 1.5 in its levels (320·(1,2,4), no attention at the first, transformer depth 2 and 10, 10 in
the middle), 64-channel heads, linear proj_in/proj_out, a 2048-wide context and the label embedding of its
2816-wide vector y, added to the time embedding.

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


class TransformerBlock(nn.Module):
    def __init__(self, dim, mode, heads, context_dim):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads, mode)
        self.attn2 = Attention(dim, context_dim, heads, mode)
        self.geglu = nn.Linear(dim, dim * 8)
        self.ff_out = nn.Linear(dim * 4, dim)

    def forward(self, y, context):
        z = self.norm1(y)
        y = y + self.attn1(z, z)
        y = y + self.attn2(self.norm2(y), context)
        a, gate = self.geglu(self.norm3(y)).chunk(2, dim=-1)
        return y + self.ff_out(a * F.gelu(gate))


class SpatialTransformer(nn.Module):
    """`depth` transformer blocks between proj_in and proj_out: 1x1 convs (SD 1.5) or linears (SDXL)."""

    def __init__(self, dim, mode, heads, context_dim, depth=1, linear=False):
        super().__init__()
        self.linear = linear
        self.norm = norm(dim, 1e-6)
        self.proj_in = nn.Linear(dim, dim) if linear else nn.Conv2d(dim, dim, 1)
        self.blocks = nn.ModuleList([TransformerBlock(dim, mode, heads, context_dim) for _ in range(depth)])
        self.proj_out = nn.Linear(dim, dim) if linear else nn.Conv2d(dim, dim, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        y = self.norm(x)
        if self.linear:
            y = self.proj_in(y.flatten(2).transpose(1, 2))
        else:
            y = self.proj_in(y).flatten(2).transpose(1, 2)
        for block in self.blocks:
            y = block(y, context)
        if self.linear:
            return x + self.proj_out(y).transpose(1, 2).reshape(b, c, h, w)
        return x + self.proj_out(y.transpose(1, 2).reshape(b, c, h, w))


# mult: channel multipliers of 320; depths: transformer depth per level (0: no attention); heads: a count, or
# None for 64-channel heads; adm: width of the label vector y (0: none)
ARCHITECTURES = {
    "sd15": dict(mult=(1, 2, 4, 4), depths=(1, 1, 1, 0), mid_depth=1, heads=8, head_channels=None,
                 context_dim=768, linear=False, adm=0, size=512),
    "sdxl": dict(mult=(1, 2, 4), depths=(0, 2, 10), mid_depth=10, heads=None, head_channels=64,
                 context_dim=2048, linear=True, adm=2816, size=1024),
}


class UNet(nn.Module):
    """openaimodel's UNet: 2 res blocks per level going down, 3 going up, a transformer where the level has depth."""

    def __init__(self, mode, mult, depths, mid_depth, heads, head_channels, context_dim, linear, adm, **_):
        super().__init__()
        ch = 320
        self.time_embed = nn.Sequential(nn.Linear(ch, 1280), nn.SiLU(), nn.Linear(1280, 1280))
        self.label_emb = nn.Sequential(nn.Linear(adm, 1280), nn.SiLU(), nn.Linear(1280, 1280)) if adm else None

        def transformer(dim, depth):
            return SpatialTransformer(dim, mode, heads or dim // head_channels, context_dim, depth, linear)

        last = len(mult) - 1
        self.conv_in = nn.Conv2d(4, ch, 3, padding=1)
        self.down, skips, c = nn.ModuleList(), [ch], ch
        for level, m in enumerate(mult):
            for _ in range(2):
                block = [ResBlock(c, ch * m)] + ([transformer(ch * m, depths[level])] if depths[level] else [])
                self.down.append(nn.ModuleList(block))
                c = ch * m
                skips.append(c)
            if level < last:
                self.down.append(nn.ModuleList([nn.Conv2d(c, c, 3, stride=2, padding=1)]))
                skips.append(c)
        self.mid = nn.ModuleList([ResBlock(c, c), transformer(c, mid_depth), ResBlock(c, c)])
        self.up = nn.ModuleList()
        for level, m in reversed(list(enumerate(mult))):
            for i in range(3):
                block = [ResBlock(c + skips.pop(), ch * m)]
                c = ch * m
                if depths[level]:
                    block.append(transformer(c, depths[level]))
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

    def forward(self, x, t, context, y=None):
        emb = self.time_embed(self.timestep_embedding(t).to(x.dtype))
        if self.label_emb is not None:
            emb = emb + self.label_emb(y)
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
    p.add_argument("--arch", choices=sorted(ARCHITECTURES), default="sd15")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--size", type=int, default=None, help="pixels per side (default: 512 sd15, 1024 sdxl)")
    p.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    p.add_argument("--attention", choices=["manual", "sdpa"], default="manual")
    p.add_argument("--threads", type=int, default=None, help="intra-op threads (Debian's torch defaults to 1)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if a.dtype == "fp16" else torch.float32
    arch = ARCHITECTURES[a.arch]
    size = a.size or arch["size"]
    torch.manual_seed(0)
    unet = UNet(a.attention, **arch).to(device, dtype).eval()
    b = a.batch_size
    x = torch.randn(b, 4, size // 8, size // 8, device=device, dtype=dtype)
    context = torch.randn(2 * b, 77, arch["context_dim"], device=device, dtype=dtype)
    y = torch.randn(2 * b, arch["adm"], device=device, dtype=dtype) if arch["adm"] else None
    times = []
    with torch.inference_mode():
        for i in range(a.steps + 1):
            t = torch.full((2 * b,), 999.0 - i * 999.0 / a.steps, device=device)
            start = time.perf_counter()
            out = unet(torch.cat([x, x]), t, context, y)
            out[0, 0, 0, 0].item()  # waits for the device
            if i > 0:  # the first is the warm-up
                times.append(time.perf_counter() - start)
    print(json.dumps({"arch": a.arch, "device": device, "torch": torch.__version__, "dtype": a.dtype,
                      "attention": a.attention, "threads": torch.get_num_threads(), "batch": b, "size": size, "unet_step_s": round(statistics.median(times), 4),
                      "parameters": sum(q.numel() for q in unet.parameters()),
                      "peak_memory_bytes": torch.cuda.max_memory_allocated() if device == "cuda" else None}))


if __name__ == "__main__":
    main()
