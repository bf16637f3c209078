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


def main():
    model_name, size, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = {"cnn2": cnn2, "cnn4": cnn4}[model_name](size)
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
    }))


if __name__ == "__main__":
    main()
