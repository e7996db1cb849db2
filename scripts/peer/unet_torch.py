# Copied from the project peer (shared/peer/unet_torch.py): layer for layer the same U-Net as src/nets/unet.ts
# (1,153,025 parameters at base_channels=32, 289,537 at 16; 1,942,145 at 32 with depth 1,2,2, the shipped net
# since step 41,709), so `npm run bench` can time both side by side. depth: residual blocks per side at
# 28x28/14x14/7x7, as UNetConfig.depth (extra blocks repeat the level's block at the same width).
# Peer baseline: the same small DDPM U-Net (32/64/128 ch, GroupNorm, SiLU, attention at 7x7,
# sinusoidal time embedding) trained with PyTorch on the CPU. Prints steps/s and ms/forward.
# usage: python3 unet_torch.py [batch=64] [steps=5] [base_channels=32] [depth=1,1,1]   (Debian: apt-get install python3-torch)
import os, sys, time, math, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', os.cpu_count() or 1)))
torch.manual_seed(0)
B = int(sys.argv[1]) if len(sys.argv) > 1 else 64
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
depth = [int(d) for d in sys.argv[4].split(',')] if len(sys.argv) > 4 else [1, 1, 1]
assert len(depth) == 3 and all(d >= 1 for d in depth), f'depth {depth}: need three whole numbers >= 1'
class Res(nn.Module):
    def __init__(s, ci, co, td):
        super().__init__(); s.n1 = nn.GroupNorm(min(8, ci), ci); s.c1 = nn.Conv2d(ci, co, 3, padding=1)
        s.t = nn.Linear(td, co); s.n2 = nn.GroupNorm(min(8, co), co); s.c2 = nn.Conv2d(co, co, 3, padding=1)
        s.skip = nn.Conv2d(ci, co, 1) if ci != co else None
    def forward(s, x, te):
        h = s.c1(F.silu(s.n1(x))) + s.t(te)[:, :, None, None]; h = s.c2(F.silu(s.n2(h)))
        return h + (s.skip(x) if s.skip is not None else x)
class Blocks(nn.Module):  # n residual blocks of one width, applied in turn
    def __init__(s, c, td, n):
        super().__init__(); s.b = nn.ModuleList([Res(c, c, td) for _ in range(n)])
    def forward(s, x, te):
        for b in s.b: x = b(x, te)
        return x
class UNet(nn.Module):
    def __init__(s, ch=32, depth=(1, 1, 1)):
        super().__init__(); td = ch * 4; s.ch = ch
        s.t1 = nn.Linear(ch, td); s.t2 = nn.Linear(td, td); s.inc = nn.Conv2d(1, ch, 3, padding=1)
        s.r1 = Blocks(ch, td, depth[0]); s.d1 = nn.Conv2d(ch, 2*ch, 3, 2, 1); s.r2 = Blocks(2*ch, td, depth[1]); s.d2 = nn.Conv2d(2*ch, 4*ch, 3, 2, 1)
        s.m1 = Blocks(4*ch, td, depth[2]); s.an = nn.GroupNorm(8, 4*ch); s.q = nn.Linear(4*ch, 4*ch); s.k = nn.Linear(4*ch, 4*ch); s.v = nn.Linear(4*ch, 4*ch); s.o = nn.Linear(4*ch, 4*ch)
        s.m2 = Blocks(4*ch, td, depth[2]); s.u2 = nn.Conv2d(6*ch, 2*ch, 3, padding=1); s.r3 = Blocks(2*ch, td, depth[1])
        s.u1 = nn.Conv2d(3*ch, ch, 3, padding=1); s.r4 = Blocks(ch, td, depth[0]); s.on = nn.GroupNorm(8, ch); s.oc = nn.Conv2d(ch, 1, 3, padding=1)
    def temb(s, t):
        half = s.ch // 2; f = torch.exp(torch.arange(half) * (-math.log(10000) / half)); a = t[:, None] * f[None]
        return torch.cat([a.sin(), a.cos()], 1)
    def forward(s, x, t):
        te = s.t2(F.silu(s.t1(s.temb(t)))); h0 = s.inc(x); h1 = s.r1(h0, te); h2 = s.r2(s.d1(h1), te)
        m = s.m1(s.d2(h2), te); Bn, C, H, W = m.shape; h = s.an(m).flatten(2).transpose(1, 2)
        a = torch.softmax(s.q(h) @ s.k(h).transpose(1, 2) / math.sqrt(C), -1); m = m + s.o(a @ s.v(h)).transpose(1, 2).reshape(Bn, C, H, W)
        m = s.m2(m, te); u = s.r3(s.u2(torch.cat([F.interpolate(m, scale_factor=2), h2], 1)), te)
        u = s.r4(s.u1(torch.cat([F.interpolate(u, scale_factor=2), h1], 1)), te); return s.oc(F.silu(s.on(u)))
net = UNet(ch, depth); opt = torch.optim.Adam(net.parameters(), 2e-4)
x0 = torch.rand(B, 1, 28, 28) * 2 - 1
def step():
    t = torch.rand(B) * 1000; n = torch.randn_like(x0); ab = torch.cos(t * math.pi / 2000)[:, None, None, None]
    xt = x0 * ab.sqrt() + n * (1 - ab).sqrt(); loss = F.mse_loss(net(xt, t), n)
    opt.zero_grad(); loss.backward(); opt.step(); return loss.item()
t0 = time.perf_counter(); step(); warm = time.perf_counter() - t0
t0 = time.perf_counter()
for _ in range(steps): l = step()
dt = time.perf_counter() - t0
with torch.no_grad():
    t1 = time.perf_counter()
    for _ in range(10): net(x0, torch.full((B,), 500.0))
    fwd = (time.perf_counter() - t1) / 10
print({"impl": "pytorch-cpu", "threads": torch.get_num_threads(), "params": sum(p.numel() for p in net.parameters()), "B": B,
       "warmupMs": round(warm * 1000), "stepsPerSec": round(steps / dt, 3), "msPerStep": round(1000 * dt / steps), "fwdMsPerBatch": round(fwd * 1000), "loss": round(l, 4)})
