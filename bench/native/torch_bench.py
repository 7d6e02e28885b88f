"""PyTorch peer of `flow-playground bench`: the same I-CFM training step, on the CPU (or, with
`--device cuda`, on the GPU, the peer of `bench --device webgpu`).

The same network (3 hidden SiLU layers on [x, y, t], output 2), Adam (lr 1e-3, eps 1e-8), the
linear path with independent pairs, moons data (torchcfm's definition) and standard normal
noise drawn every step, and the loss read back every `--read-every` steps, as the Rust side does.
Prints one JSON line: {"steps_per_second": …}.
"""

import argparse
import json
import math
import time

import torch


def moons(n: int, device: torch.device) -> torch.Tensor:
    theta = math.pi * torch.rand(n, device=device)
    upper = torch.rand(n, device=device) < 0.5
    x = torch.where(upper, torch.cos(theta), 1 - torch.cos(theta))
    y = torch.where(upper, torch.sin(theta), 0.5 - torch.sin(theta))
    pts = torch.stack([x, y], 1) + 0.2 * torch.randn(n, 2, device=device)
    return pts * 3 - 1


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--read-every", type=int, default=100)
    p.add_argument("--activation", choices=["silu", "relu"], default="silu")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    a = p.parse_args()
    dev = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    w = a.width
    act = torch.nn.SiLU if a.activation == "silu" else torch.nn.ReLU
    model = torch.nn.Sequential(
        torch.nn.Linear(3, w), act(),
        torch.nn.Linear(w, w), act(),
        torch.nn.Linear(w, w), act(),
        torch.nn.Linear(w, 2),
    ).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)

    def step() -> torch.Tensor:
        x1 = moons(a.batch, dev)
        x0 = torch.randn(a.batch, 2, device=dev)
        t = torch.rand(a.batch, 1, device=dev)
        xt = (1 - t) * x0 + t * x1
        loss = ((model(torch.cat([xt, t], 1)) - (x1 - x0)) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.detach()

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    total = torch.zeros((), device=dev)
    for i in range(a.steps):
        total += step()
        if (i + 1) % a.read_every == 0:
            float(total)
    float(total)
    rate = a.steps / (time.perf_counter() - start)
    print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "device": a.device, "threads": a.threads,
                      "width": w, "batch": a.batch, "activation": a.activation,
                      "steps_per_second": rate}))


if __name__ == "__main__":
    main()
