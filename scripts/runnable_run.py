"""Runs one runnable-corpus case (test/fixtures/runnable/<Name>/) for scripts/runnable.mjs, with Debian's /usr/bin/python3.

usage: python3 runnable_run.py < JOB.json, where JOB is {"tree": DIR, "steps": [[SCRIPT, ARG, ...], ...],
"cuda": BOOL, "path": [DIR, ...], "stubs": [MODULE, ...], "noStub": [NAME, ...]}.

Each step runs as __main__ (runpy.run_path, cwd = the tree, the script's folder first on sys.path) in its own forked
child, seeded (random, numpy, torch with 0), with a time limit ("path": folders of the tree put on sys.path too, as an
installed package would be); the steps run in order in the same tree (a training
step writes the checkpoint a sampling step reads). Prints a JSON list, one {"status", "out", "error", "where",
"devices", "calls"} per step: stdout (compared), the exit status, and for a failure the exception and the last line of
the tree's own code in its traceback.

Missing third-party modules imported by the tree's code are stubbed as scripts/port_check.py does (its StubFinder);
"stubs" names modules stubbed even though their package is installed (torch.utils.tensorboard, which needs the
tensorboard package). The modules a fix created ("noStub") are never stubbed.

With "cuda": true the child runs on a simulated CUDA host: torch.cuda.is_available() is True, device_count() 1, and
every request for a device (Tensor.to, Module.to, .cuda(), factory functions' device=, torch.load's map_location,
torch.autocast's device_type and dtype) is logged by device type in "devices" ("cuda", "cpu",
"autocast:cuda:bfloat16", ...) and served on the CPU, so the script runs on; CUDA-only calls (synchronize,
set_device, pin_memory, ...) are logged in "calls" and do nothing. A fix must leave the device types asked for
unchanged: a CUDA host stays a CUDA run.
"""
import io
import json
import os
import random
import runpy
import signal
import sys
import traceback
import types
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from port_check import StubFinder, _StubLoader, _on_alarm, in_child  # noqa: E402

FACTORIES = ["zeros", "ones", "empty", "full", "rand", "randn", "randint", "arange", "tensor", "as_tensor", "linspace",
             "eye", "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "randperm", "tril",
             "triu"]
CUDA_CALLS = ["synchronize", "set_device", "empty_cache", "reset_peak_memory_stats", "ipc_collect"]


def device_kind(d):
    import torch

    if isinstance(d, torch.device):
        return d.type
    if isinstance(d, str):
        return d.split(":")[0]
    if isinstance(d, int) and not isinstance(d, bool):
        return "cuda"
    return None


def simulate_cuda(devices, calls):
    """Patches torch for a CUDA host with one device whose work is done on the CPU (see the module docstring)."""
    import torch

    def served(d):
        kind = device_kind(d)
        if kind is None:
            return d
        devices.append(kind)
        return "cpu" if kind == "cuda" else d

    cuda = torch.cuda
    cuda.is_available = lambda: True
    cuda.device_count = lambda: 1
    cuda.current_device = lambda: 0
    cuda.is_bf16_supported = lambda: True
    cuda.get_device_name = lambda *a, **k: "Simulated CUDA device"
    cuda.get_device_capability = lambda *a, **k: (8, 0)
    cuda.memory_allocated = cuda.max_memory_allocated = lambda *a, **k: 0
    for name in CUDA_CALLS:
        setattr(cuda, name, (lambda n: lambda *a, **k: calls.append(n))(name))

    def to(original):
        def patched(self, *args, **kwargs):
            if "device" in kwargs:
                kwargs["device"] = served(kwargs["device"])
            elif args and device_kind(args[0]) is not None:
                args = (served(args[0]),) + args[1:]
            return original(self, *args, **kwargs)

        return patched

    torch.Tensor.to = to(torch.Tensor.to)
    torch.nn.Module.to = to(torch.nn.Module.to)

    def to_cuda(self, *args, **kwargs):
        devices.append("cuda")
        return self

    torch.Tensor.cuda = to_cuda
    torch.nn.Module.cuda = to_cuda

    def pin_memory(self, *args, **kwargs):
        calls.append("pin_memory")
        return self

    torch.Tensor.pin_memory = pin_memory

    def factory(original):
        def patched(*args, **kwargs):
            if kwargs.get("device") is not None:
                kwargs["device"] = served(kwargs["device"])
            return original(*args, **kwargs)

        return patched

    for name in FACTORIES:
        setattr(torch, name, factory(getattr(torch, name)))

    load = torch.load

    def patched_load(*args, **kwargs):
        if isinstance(kwargs.get("map_location"), (str, torch.device)):
            kwargs["map_location"] = served(kwargs["map_location"])
        return load(*args, **kwargs)

    torch.load = patched_load

    autocast = torch.amp.autocast_mode.autocast
    init = autocast.__init__

    def autocast_init(self, device_type, *args, **kwargs):
        dtype = kwargs.get("dtype", args[0] if args else None)
        devices.append(f"autocast:{device_type}" + (f":{str(dtype).replace('torch.', '')}" if dtype is not None else ""))
        init(self, device_type, *args, **kwargs)

    autocast.__init__ = autocast_init


def where(tree, tb):
    """The last frame of the tree's own code in a traceback: file:line: source."""
    last = ""
    for frame in traceback.extract_tb(tb):
        if frame.filename.startswith(tree):
            last = f"{os.path.relpath(frame.filename, tree)}:{frame.lineno}: {(frame.line or '').strip()}"
    return last


def run_step(tree, argv, cuda, path, timeout=240):
    def work():
        import numpy
        import torch

        out = io.StringIO()
        sys.stdout, sys.stderr = out, io.StringIO()
        devices, calls = [], []
        status, error, at = 0, "", ""
        os.chdir(tree)
        script = os.path.join(tree, argv[0])
        sys.path[:0] = [os.path.dirname(script)] + [os.path.join(tree, p) for p in path]
        random.seed(0)
        numpy.random.seed(0)
        torch.manual_seed(0)
        if cuda:
            simulate_cuda(devices, calls)
        signal.alarm(timeout)
        try:
            sys.argv = list(argv)
            runpy.run_path(script, run_name="__main__")
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if status:
                error = f"SystemExit: {e.code}"
        except BaseException as e:  # noqa: BLE001 - any failure is the result
            status, error, at = 1, f"{type(e).__name__}: {e}", where(tree, e.__traceback__)
        finally:
            signal.alarm(0)
        return {"status": status, "out": out.getvalue()[-20000:], "error": error[:400], "where": at[:300],
                "devices": devices, "calls": calls}

    return in_child(work, lambda status: {"status": -1, "out": "", "error": f"child died (status {status})",
                                          "where": "", "devices": [], "calls": []})


def main():
    job = json.load(sys.stdin)
    warnings.simplefilter("ignore")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    import torch  # noqa: F401 - imported once, before the forks

    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    tree = os.path.join(os.path.abspath(job["tree"]), "")
    for name in job.get("stubs", []):
        spec = types.SimpleNamespace(name=name)
        sys.modules[name] = _StubLoader().create_module(spec)
    sys.meta_path.append(StubFinder(job.get("noStub", []), tree))
    results = []
    for argv in job["steps"]:
        results.append(run_step(tree, argv, job.get("cuda", False), job.get("path", [])))
        if results[-1]["status"] != 0:
            break  # the next step needs what this one writes
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
