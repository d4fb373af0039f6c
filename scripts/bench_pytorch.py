#!/usr/bin/python3
"""Times one training epoch of the harness's three networks in PyTorch.

The networks are built to match model/nets.go exactly: the same layers,
activations, losses, parameter layouts and initialisation ranges, and the
same free-parameter counts (asserted). Training is what train.SGD does: batches
of 64 drawn from a fresh permutation of the samples, the batch-mean of the
per-pattern objective, SGD with momentum 0.9 (PyTorch's form, buf = mu*buf + g,
theta -= lr*buf, equals the harness's v = mu*v - lr*g, theta += v at a constant
rate), the loss and error count of every batch accumulated as the harness does.

The harness computes in float64, so float64 is the comparison; float32 is
timed too by default, as an extra column.

Data: synthetic by default (uint8 grey levels in ten noisy classes, so that
the nets have something to learn and the loss visibly falls, but stays away
from zero, where subnormal arithmetic would distort the timing),
preprocessed as the harness does (lenet1: g/127.5 - 1; the others: g/255);
--mnist DIR reads the real train-images/labels .gz files instead. Timing
hardly depends on the data, as long as no unit saturates.

--crosscheck FILE checks instead that the networks are the harness's: on the
parameters and inputs of `go run ./scripts/benchcompare -crosscheck FILE`,
the summed objective and its gradient must agree to 1e-10 relative.

Use Debian's python3-torch with /usr/bin/python3 (a pyenv python3 on PATH may
lack torch). Usage:

    /usr/bin/python3 scripts/bench_pytorch.py [--threads 2] [--blas-threads N] [--samples 60000]
        [--nets lenet1,lenet300,lenet5] [--dtypes float64,float32]
        [--warmup 5] [--repeat 1] [--json FILE] [--mnist DIR]
    /usr/bin/python3 scripts/bench_pytorch.py --crosscheck FILE

Prints one line per (net, dtype), e.g.
    net=lenet300 dtype=float64 params=266610 seconds=4.1 samples_per_s=14634 ...
and, with --json, writes every measurement and the set-up (torch version,
threads, BLAS library, date, load average) to FILE ("-" for stdout).
"""

import argparse
import datetime
import gzip
import json
import math
import os
import platform
import shlex
import statistics
import struct
import subprocess
import sys
import time

NETS = ("lenet1", "lenet300", "lenet5")

# Learning rates of experiments/definitions/*.yaml (the dense recipe of
# paper-fig1 for lenet1, han-lenet300 and han-lenet5 for the others).
LR = {"lenet1": 0.01, "lenet300": 0.05, "lenet5": 0.01}

# Free parameters, as `go run ./experiments -describe` prints them.
PARAMS = {"lenet1": 2578, "lenet300": 266610, "lenet5": 431080}

# model.H3Table: H3 map o reads the H2 maps H3_TABLE[o] (0-based).
H3_TABLE = [[0], [0, 1], [0, 1], [1], [0, 1], [0, 1],
            [2], [2, 3], [2, 3], [3], [2, 3], [2, 3]]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2,
                   help="intra-op threads: torch.set_num_threads and OMP_NUM_THREADS "
                        "(default 2, the harness's 2 workers on the reference machine)")
    p.add_argument("--samples", type=int, default=60000,
                   help="samples per epoch (default 60000, MNIST's training set)")
    p.add_argument("--blas-threads", type=int, default=0,
                   help="OPENBLAS_NUM_THREADS, the system BLAS's own thread pool, which Debian's torch "
                        "uses for float64 matrix products (default: --threads)")
    p.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--nets", default=",".join(NETS), help="comma-separated networks")
    p.add_argument("--dtypes", default="float64,float32",
                   help="comma-separated dtypes; float64 is the harness's (default float64,float32)")
    p.add_argument("--warmup", type=int, default=5,
                   help="training batches run before timing, excluded (default 5)")
    p.add_argument("--repeat", type=int, default=1, help="timed epochs per net and dtype (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE (- for stdout)")
    p.add_argument("--crosscheck", metavar="FILE",
                   help="instead of timing, check the networks against the harness: FILE is "
                        "`go run ./scripts/benchcompare -crosscheck FILE`'s output (the objective and "
                        "gradient at given parameters and inputs); exits 1 on a mismatch")
    p.add_argument("--mnist", metavar="DIR",
                   help="read train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz from DIR "
                        "instead of synthetic data")
    a = p.parse_args(argv)
    a.nets = [n for n in a.nets.split(",") if n]
    a.dtypes = [d for d in a.dtypes.split(",") if d]
    for n in a.nets:
        if n not in NETS:
            p.error("unknown net %r (known: %s)" % (n, ", ".join(NETS)))
    for d in a.dtypes:
        if d not in ("float64", "float32"):
            p.error("unknown dtype %r (float64 or float32)" % d)
    for name in ("threads", "samples", "batch", "repeat"):
        if getattr(a, name) < 1:
            p.error("--%s must be at least 1" % name)
    if a.blas_threads < 0:
        p.error("--blas-threads must be at least 0")
    a.blas_threads = a.blas_threads or a.threads
    if a.warmup < 0:
        p.error("--warmup must be at least 0")
    return a


ARGS = parse_args(sys.argv[1:])
# OpenMP and OpenBLAS read these when torch loads them: set before the import.
# Debian's torch does its float64 matrix products in the system OpenBLAS,
# whose thread pool torch.set_num_threads does not govern.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["MKL_NUM_THREADS"] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# --- layers ------------------------------------------------------------------

class ScaledTanh(nn.Module):
    """LeCun's 1.7159·tanh(2a/3) (model.ScaledTanh)."""

    def forward(self, a):
        return 1.7159 * torch.tanh(a * (2.0 / 3.0))


class Subsample(nn.Module):
    """model.Subsample: a = c_m·(sum of the 2×2 window) + b_m, one trainable
    coefficient and one bias per map."""

    def __init__(self, maps):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(maps))
        self.bias = nn.Parameter(torch.zeros(maps))

    def forward(self, x):
        s = F.avg_pool2d(x, 2, divisor_override=1)  # the window's sum
        return s * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class TableConv(nn.Conv2d):
    """A convolution whose output map o reads only the input maps table[o]
    (model.Conv with a table): a dense kernel tensor times a fixed 0/1 mask,
    so the unlisted kernels get no gradient and stay exactly zero. Like the
    harness, which expands the table into a dense kernel matrix, it computes
    the dense convolution. Only the listed kernels are free parameters."""

    def __init__(self, cin, cout, k, table):
        super().__init__(cin, cout, k)
        mask = torch.zeros(cout, cin, 1, 1)
        for o, ins in enumerate(table):
            for i in ins:
                mask[o, i] = 1
        self.register_buffer("mask", mask)
        self.table = table

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias)


def free_parameters(model):
    """Free parameters, counting only the listed kernels of a TableConv."""
    n = 0
    for m in model.modules():
        for name, p in m.named_parameters(recurse=False):
            if isinstance(m, TableConv) and name == "weight":
                k = m.kernel_size[0] * m.kernel_size[1]
                n += int(m.mask.sum().item()) * k
            else:
                n += p.numel()
    return n


# --- initialisation (model.FC.Init, model.Conv.Init, model.Subsample.Init) ---

def init_range(tanh, fan_in):
    return 2.4 / fan_in if tanh else math.sqrt(3.0 / fan_in)


def init_(model, tanh_layers, gen):
    """Uniform in ±r per output unit or map, r from its fan-in (2.4/fan-in
    before a scaled tanh, √(3/fan-in) otherwise); biases 0."""
    with torch.no_grad():
        for m in model.modules():
            tanh = m in tanh_layers
            if isinstance(m, Subsample):
                r = init_range(tanh, 4)
                m.weight.copy_((torch.rand(m.weight.shape, generator=gen, dtype=torch.float64) * 2 - 1) * r)
                m.bias.zero_()
            elif isinstance(m, (nn.Linear, nn.Conv2d)):
                w = m.weight
                per_out = w[0].numel()  # in features, or in maps × K×K
                fan = [per_out] * w.shape[0]
                if isinstance(m, TableConv):
                    k = m.kernel_size[0] * m.kernel_size[1]
                    fan = [len(ins) * k for ins in m.table]
                r = torch.tensor([init_range(tanh, f) for f in fan], dtype=torch.float64)
                u = torch.rand(w.shape, generator=gen, dtype=torch.float64) * 2 - 1
                w.copy_(u * r.view(-1, *([1] * (w.dim() - 1))))
                if isinstance(m, TableConv):
                    w.mul_(m.mask)
                m.bias.zero_()


# --- the three networks (model/nets.go) ---------------------------------------

def lenet1():
    """The zip-code net: 5×5 conv to 4 maps, 2×2 subsampling, 5×5 conv to 12
    maps through the connection table, subsampling, 10 outputs; scaled tanh
    after every layer. 2578 free parameters."""
    h1, h2 = nn.Conv2d(1, 4, 5), Subsample(4)
    h3, h4 = TableConv(4, 12, 5, H3_TABLE), Subsample(12)
    out = nn.Linear(12 * 4 * 4, 10)
    net = nn.Sequential(h1, ScaledTanh(), h2, ScaledTanh(), h3, ScaledTanh(), h4, ScaledTanh(),
                        nn.Flatten(), out, ScaledTanh())
    return net, {h1, h2, h3, h4, out}


def lenet300():
    """784-300-100-10, ReLU, logits out. 266,610 parameters."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(),
                        nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    return net, set()


def lenet5():
    """Caffe's LeNet: conv 5×5×20, max pool, conv 5×5×50, max pool (no
    squashing after the convolutions), fc 500 ReLU, fc 10. 431,080 parameters."""
    net = nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    return net, set()


BUILD = {"lenet1": lenet1, "lenet300": lenet300, "lenet5": lenet5}


def mse_loss(out, labels):
    """model.MSE: E = Σ_i (d_i − x_i)², targets +1 for the label and −1
    elsewhere, averaged over the batch (train.SGD scales the summed gradient
    by 1/B)."""
    t = torch.full_like(out, -1.0)
    t[torch.arange(out.shape[0]), labels] = 1.0
    return ((t - out) ** 2).sum(1).mean()


def ce_loss(out, labels):
    """model.SoftmaxCE on the logits, averaged over the batch."""
    return F.cross_entropy(out, labels)


LOSS = {"lenet1": mse_loss, "lenet300": ce_loss, "lenet5": ce_loss}


# --- data -----------------------------------------------------------------------

def synthetic(n, seed):
    """n 28×28 uint8 images in ten classes, shaped roughly like MNIST: each
    class has a prototype of smooth blobs of ink covering about a fifth of
    the page, every image is its prototype shifted by up to 2 pixels with 5%
    of its pixels redrawn, and 10% of the labels are random. The nets learn
    it without reaching a loss near zero, where saturated units would make
    the arithmetic subnormal and the timing meaningless."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(10, 1, 7, 7, generator=g)
    smooth = F.interpolate(coarse, size=(32, 32), mode="bilinear", align_corners=False).view(10, -1)
    thresh = smooth.quantile(0.8, dim=1, keepdim=True)
    protos = ((smooth >= thresh).to(torch.uint8) * 255).view(10, 32, 32)
    labels = torch.randint(0, 10, (n,), generator=g)
    dy = torch.randint(0, 5, (n,), generator=g)
    dx = torch.randint(0, 5, (n,), generator=g)
    x = torch.empty(n, 28, 28, dtype=torch.uint8)
    for c in range(10):
        for u in range(5):
            for v in range(5):
                sel = (labels == c) & (dy == u) & (dx == v)
                x[sel] = protos[c, u:u + 28, v:v + 28]
    x = x.view(n, 784)
    noise = torch.rand(n, 784, generator=g) < 0.05
    x[noise] = torch.randint(0, 256, (int(noise.sum()),), generator=g, dtype=torch.uint8)
    relabel = torch.rand(n, generator=g) < 0.1
    labels[relabel] = torch.randint(0, 10, (int(relabel.sum()),), generator=g)
    return x.view(n, 1, 28, 28), labels


def read_mnist(d, n):
    def idx(name, magic):
        with gzip.open(os.path.join(d, name), "rb") as f:
            b = f.read()
        m, count = struct.unpack(">II", b[:8])
        if m != magic:
            raise SystemExit("%s: magic %#x, want %#x" % (name, m, magic))
        return count, b
    ni, bi = idx("train-images-idx3-ubyte.gz", 0x803)
    nl, bl = idx("train-labels-idx1-ubyte.gz", 0x801)
    if ni != nl:
        raise SystemExit("MNIST: %d images, %d labels" % (ni, nl))
    if n > ni:
        raise SystemExit("--samples %d: MNIST has %d training images" % (n, ni))
    x = torch.frombuffer(bytearray(bi[16:16 + n * 784]), dtype=torch.uint8).view(n, 1, 28, 28)
    y = torch.frombuffer(bytearray(bl[8:8 + n]), dtype=torch.uint8).long()
    return x, y


def preprocess(net, x, dtype):
    """datasets.SymmetricPM1 for lenet1 (g/127.5 − 1), UnitInterval otherwise (g/255)."""
    x = x.to(dtype)
    return x / 127.5 - 1 if net == "lenet1" else x / 255


# --- training -------------------------------------------------------------------

def run(net_name, dtype_name, x_u8, labels, a):
    dtype = getattr(torch, dtype_name)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    model, tanh_layers = BUILD[net_name]()
    init_(model, tanh_layers, gen)
    model = model.to(dtype)
    params = free_parameters(model)
    assert params == PARAMS[net_name], "%s: %d free parameters, want %d" % (net_name, params, PARAMS[net_name])
    loss_fn = LOSS[net_name]
    lr = LR[net_name]
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=a.momentum)
    x = preprocess(net_name, x_u8, dtype)
    n, bsz = x.shape[0], a.batch

    def train_batch(idx):
        xb, yb = x[idx], labels[idx]
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
        return loss.item(), int((out.detach().argmax(1) != yb).sum().item())

    model.train()
    perm = torch.randperm(n, generator=gen)
    for b in range(a.warmup):
        lo = (b * bsz) % n
        train_batch(perm[lo:lo + bsz])

    seconds, epochs = [], []
    for _ in range(a.repeat):
        batch_losses = []
        loss_sum, errors = 0.0, 0
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        for lo in range(0, n, bsz):
            idx = perm[lo:lo + bsz]
            loss, err = train_batch(idx)
            batch_losses.append(loss)
            loss_sum += loss * len(idx)
            errors += err
        seconds.append(time.perf_counter() - t0)
        k = max(1, len(batch_losses) // 10)
        epochs.append({"loss_first": sum(batch_losses[:k]) / k, "loss_last": sum(batch_losses[-k:]) / k,
                       "mean_loss": loss_sum / n, "error_rate": errors / n})
        if not all(math.isfinite(v) for v in batch_losses):
            raise SystemExit("%s %s: the loss diverged" % (net_name, dtype_name))
    med = statistics.median(seconds)
    first = epochs[0]
    return {
        "net": net_name, "dtype": dtype_name, "params": params, "lr": lr, "batch": bsz, "samples": n,
        "seconds": med, "seconds_min": min(seconds), "seconds_all": seconds,
        "samples_per_s": n / med,
        "loss_first": first["loss_first"], "loss_last": first["loss_last"],
        "mean_loss": first["mean_loss"], "error_rate": first["error_rate"],
        "loss_decreased": first["loss_last"] < first["loss_first"],
        "epochs": epochs,
    }


# --- the check against the harness -----------------------------------------------

def flat_slots(model):
    """The parameters in the harness's θ order: layer by layer, the weights
    (only a TableConv's listed kernels, in (output map, input map) order),
    then the biases. Each slot is (tensor, index): the index picks a kernel."""
    slots = []
    for m in model.modules():
        if isinstance(m, TableConv):
            slots += [(m.weight, (o, i)) for o, ins in enumerate(m.table) for i in ins]
            slots.append((m.bias, None))
        elif isinstance(m, (nn.Linear, nn.Conv2d, Subsample)):
            slots += [(m.weight, None), (m.bias, None)]
    return slots


def crosscheck(path, tol=1e-10):
    """Loads the harness's parameters into each PyTorch network (float64),
    computes Σ E and its gradient on the same inputs, and compares."""
    with open(path) as f:
        cases = json.load(f)
    ok = True
    for c in cases:
        name = c["net"]
        model, _ = BUILD[name]()
        model = model.to(torch.float64)
        theta = torch.tensor(c["theta"], dtype=torch.float64)
        slots, off = flat_slots(model), 0
        with torch.no_grad():
            for p, idx in slots:
                t = p if idx is None else p[idx]
                t.copy_(theta[off:off + t.numel()].view_as(t))
                off += t.numel()
        if off != theta.numel() or off != PARAMS[name]:
            raise SystemExit("crosscheck %s: %d parameters in the file, %d in the layout" % (name, theta.numel(), off))
        labels = torch.tensor(c["labels"], dtype=torch.long)
        n = labels.numel()
        x = torch.tensor(c["x"], dtype=torch.float64).view(n, 1, 28, 28)
        loss = LOSS[name](model(x), labels) * n  # Σ E: the loss functions average
        loss.backward()
        grad = torch.cat([(p.grad if idx is None else p.grad[idx]).reshape(-1) for p, idx in slots])
        want = torch.tensor(c["grad"], dtype=torch.float64)
        lerr = abs(loss.item() - c["loss"]) / abs(c["loss"])
        gerr = ((grad - want).abs().max() / want.abs().max()).item()
        good = lerr <= tol and gerr <= tol
        ok = ok and good
        print("crosscheck net=%s loss_rel_err=%.2e grad_rel_err=%.2e %s" % (name, lerr, gerr, "ok" if good else "MISMATCH"))
    if not ok:
        raise SystemExit("crosscheck: the PyTorch networks differ from the harness's (tolerance %g)" % tol)


def blas_libraries():
    """The BLAS/LAPACK shared objects loaded into this process (Linux)."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if any(s in base for s in ("blas", "lapack", "mkl", "gomp", "omp")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def debian_package(name):
    """The installed version of a Debian package, or None."""
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, timeout=10)
        return (r.stdout.strip() or None) if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(a):
    torch.set_num_threads(a.threads)
    if a.crosscheck:
        crosscheck(a.crosscheck)
        return
    start = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if a.mnist:
        x_u8, labels = read_mnist(a.mnist, a.samples)
        data = "mnist:" + a.mnist
    else:
        x_u8, labels = synthetic(a.samples, a.seed)
        data = "synthetic"
    lines = sys.stderr if a.json == "-" else sys.stdout
    results = []
    for net in a.nets:
        for dt in a.dtypes:
            r = run(net, dt, x_u8, labels, a)
            results.append(r)
            print("net=%s dtype=%s params=%d seconds=%.3f samples_per_s=%.0f loss_first=%.4g loss_last=%.4g "
                  "error_rate=%.4f" % (r["net"], r["dtype"], r["params"], r["seconds"], r["samples_per_s"],
                                       r["loss_first"], r["loss_last"], r["error_rate"]), file=lines, flush=True)
            if not r["loss_decreased"]:
                print("warning: %s %s: the loss did not decrease over the epoch" % (net, dt), file=sys.stderr)
    doc = {
        "tool": "scripts/bench_pytorch.py",
        "command": " ".join(shlex.quote(s) for s in [sys.executable, "scripts/bench_pytorch.py"] + sys.argv[1:]),
        "date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "torch": torch.__version__,
        "torch_package": debian_package("python3-torch"),
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "blas_threads": a.blas_threads,
        "interop_threads": torch.get_num_interop_threads(),
        "env": {v: os.environ[v] for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                           "OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if v in os.environ},
        "blas_libraries": blas_libraries(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "loadavg_start": list(load) if load else None,
        "loadavg_end": list(os.getloadavg()) if load else None,
        "data": data,
        "batch": a.batch,
        "samples": a.samples,
        "momentum": a.momentum,
        "warmup_batches": a.warmup,
        "repeat": a.repeat,
        "results": results,
    }
    if a.json == "-":
        json.dump(doc, sys.stdout, indent=1)
        print()
    elif a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, a.json)
        print("wrote " + a.json, file=sys.stderr)


if __name__ == "__main__":
    main(ARGS)
