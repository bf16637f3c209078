"""Steady-state training throughput of the bench models in PyTorch (CPU, 2 threads); prints one JSON line.

Usage: python bench/pytorch_cnn.py MODEL SIZE BATCH STEPS   (architectures mirror bench/engine.ts)
"""
import json
import resource
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    # The benchmark runs without PyTorch; it says so instead of failing.
    print(json.dumps({"engine": "pytorch", "skipped": "PyTorch is not installed: pip install torch==2.13.0+cpu"}))
    sys.exit(0)


def cnn2(size):
    # registry cnn2 defaults: conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, flatten, dense 1
    flat = 64 * (((size - 2) // 2 - 2) // 2) ** 2
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(flat, 1),
    )


def cnn4(size):
    # registry cnn4 defaults: 4 x (conv 3x3 same no bias, batch norm, relu, maxpool 2) with
    # 16/32/64/128 filters, global average pooling, dropout 0.3, dense 64 relu, dropout 0.3, dense 1
    layers, cin = [], 1
    for f in (16, 32, 64, 128):
        layers += [nn.Conv2d(cin, f, 3, padding=1, bias=False), nn.BatchNorm2d(f, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool2d(2)]
        cin = f
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3),
                         nn.Linear(cin, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 1))


def bn(c):
    # Keras defaults as exp's batchnorm: epsilon 1e-3, momentum 0.99 (PyTorch's momentum is 1 - Keras's).
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


def conv_bn(cin, cout, k, stride=1, groups=1):
    # Keras 'same' pads the odd pixel at the bottom/right, PyTorch symmetrically: same output sizes and FLOPs.
    return [nn.Conv2d(cin, cout, k, stride, padding=k // 2, groups=groups, bias=False), bn(cout)]


class Basic(nn.Module):
    """experiments/models/resnet18.yaml's blocks: basic (identity shortcut) and down (stride 2, 1x1 projection)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(*conv_bn(cin, cout, 3, stride), nn.ReLU(), *conv_bn(cout, cout, 3))
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), bn(cout)) if stride != 1 else nn.Identity()

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))


def resnet18(size, width=64):
    w = width
    layers = [*conv_bn(1, w, 7, 2), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1), Basic(w, w, 1), Basic(w, w, 1)]
    for c in (2 * w, 4 * w, 8 * w):
        layers += [Basic(c // 2, c, 2), Basic(c, c, 1)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8 * w, 1))


class Inverted(nn.Module):
    """experiments/models/mobilenetv2.yaml's blocks: first (no expansion), expand, residual."""

    def __init__(self, cin, cout, expand, stride):
        super().__init__()
        hidden = cin * expand if expand != 1 else cin
        head = [*conv_bn(cin, hidden, 1), nn.ReLU6()] if expand != 1 else []
        self.body = nn.Sequential(*head, *conv_bn(hidden, hidden, 3, stride, groups=hidden), nn.ReLU6(), *conv_bn(hidden, cout, 1))
        self.residual = stride == 1 and cin == cout and expand != 1

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def mobilenetv2(size, unit=8):
    u = lambda c: c * unit // 8
    layers, c = [*conv_bn(1, u(32), 3, 2), nn.ReLU6(), Inverted(u(32), u(16), 1, 1)], u(16)
    for t, width, n, s in ((6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            layers.append(Inverted(c, u(width), t, s if i == 0 else 1))
            c = u(width)
    return nn.Sequential(*layers, *conv_bn(c, 1280, 1), nn.ReLU6(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 1))


MODELS = {"cnn2": cnn2, "cnn4": cnn4, "resnet18": resnet18, "mobilenetv2": mobilenetv2}


def build(spec, size):
    """'resnet18:width=32' -> resnet18(size, width=32), as bench/models.ts reads it."""
    name, *params = spec.split(":")
    return MODELS[name](size, **{k: int(v) for k, v in (p.split("=") for p in params)})


def main():
    model_name, size, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = build(model_name, size)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(batch, 1, size, size)
    y = (torch.rand(batch, 1) < 0.5).float()
    warmup, times = 3, []
    for i in range(warmup + steps):
        if i == warmup:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    times.sort()
    print(json.dumps({
        "engine": "pytorch", "model": model_name, "size": size, "batch": batch, "steps": steps,
        "imgPerSec": batch * steps / sum(times),
        "medianStepMs": times[len(times) // 2] * 1000,
        # CPU time (all threads) per image: less sensitive than wall time to other load on a shared machine.
        "cpuMsPerImage": cpu * 1000 / (batch * steps),
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "trainableParams": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
