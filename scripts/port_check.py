"""Fix check for the real-port corpus (scripts/accuracy.mjs runs it with Debian's /usr/bin/python3).

usage: python3 port_check.py < JOBS.json, where JOBS is a list of {"tree": DIR, "noStub": [NAME, ...], "run": BOOL}.

Prints a JSON list, per job {"compile": {file: error or null}, "imports": {module: error or null}} for every .py
file under the tree, and with "run": true also {"runs": {module: {"status", "out", "error"}}} for every entry point
(a top-level `if __name__ == "__main__":`), run on CPU with `--help` (see run_in_child). Each module is imported in its own forked child (torch is imported once, before the forks), so
the modules do not see each other's side effects.

Third-party modules that are not installed here are stubbed by a sys.meta_path finder consulted after the normal
ones, so a module's own code runs even when its dependencies (transformers, deepspeed, ...) are missing. Never
stubbed: torch and torch_npu (an unguarded `import torch_npu` must fail on this CPU host, as it would on any host
without torch_npu), and the NO_STUB names: the modules a fix created (device_utils, ...), so a helper imported from
the wrong place fails as it would for the user.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata  # noqa: F401 - many packages use importlib.metadata after a bare `import importlib`
import importlib.util  # noqa: F401
import io
import json
import os
import re
import runpy
import signal
import sys
import types
import warnings

NEVER_STUB = {"torch", "torch_npu", "numpy", "__main__"}


def _never(self, other):
    return False


def _always(self, other):
    return True


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub_class(name)

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls

    # Version comparisons take the newest branch.
    __lt__ = __le__ = _never
    __gt__ = __ge__ = _always

    def __call__(cls, *args, **kwargs):
        # Used as a decorator (@stub or @stub(...)): keep the decorated function or class.
        if len(args) == 1 and not kwargs and (callable(args[0]) or isinstance(args[0], type)) and cls.__name__ != "_Stub":
            return args[0]
        return super().__call__()


class _Stub(metaclass=_StubMeta):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub_class(name)

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return _Stub()

    def __getitem__(self, item):
        return _Stub()

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    __lt__ = __le__ = _never
    __gt__ = __ge__ = _always

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _stub_class(name):
    return _StubMeta(str(name), (_Stub,), {})


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub_class(name)


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        module.__version__ = "99.0.0"  # version checks take the newest branch
        module.__all__ = []
        module.__npu_port_stub__ = True
        return module

    def exec_module(self, module):
        pass


def _importer_file():
    """The file of the code that runs the import statement (skipping importlib's frames and this file's)."""
    frame = sys._getframe(2)
    while frame and (frame.f_code.co_filename.startswith("<") or frame.f_code.co_filename == __file__):
        frame = frame.f_back
    return frame.f_code.co_filename if frame else ""


class StubFinder(importlib.abc.MetaPathFinder):
    def __init__(self, no_stub, tree):
        self.no_stub = set(no_stub)
        self.tree = os.path.join(tree, "")

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if parts[0] in NEVER_STUB or parts[-1] in self.no_stub or parts[0] in self.no_stub:
            return None
        # Only the tree's own imports are stubbed: an installed package that tries an optional module (mpmath and
        # gmpy2) must get its ImportError, not a stub that it would take for the real thing.
        if not _importer_file().startswith(self.tree):
            return None
        return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)


RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+\.", re.M)
_portions = {}


def namespace_portion(d):
    """True for a directory without __init__.py whose modules import relatively (`from ..core import x`): a PEP 420
    namespace package portion, so its modules are imported as part of the package above (diffsynth/models/*.py are
    diffsynth.models.*), not as top-level modules."""
    if d not in _portions:
        _portions[d] = False
        try:
            for f in sorted(os.listdir(d)):
                if f.endswith(".py"):
                    with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                        if RELATIVE_IMPORT.search(fh.read()):
                            _portions[d] = True
                            break
        except OSError:
            pass
    return _portions[d]


def module_name(tree, path):
    """Dotted name of PATH and the directory it is imported from: the first ancestor that is neither a package
    (__init__.py) nor a namespace package portion (see namespace_portion)."""
    d = os.path.dirname(path)
    parts = [] if os.path.basename(path) == "__init__.py" else [os.path.basename(path)[:-3]]
    while d != tree and (os.path.exists(os.path.join(d, "__init__.py")) or namespace_portion(d)):
        parts.insert(0, os.path.basename(d))
        d = os.path.dirname(d)
    return ".".join(parts), d


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout("import took too long")


def in_child(work, on_death):
    """Runs WORK() in a forked child with stdout and stderr on /dev/null (modules that print must not corrupt the
    JSON on stdout); returns what it returned (JSON-serialisable), or ON_DEATH(status) when the child died."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGALRM, _on_alarm)
        os.write(w, json.dumps(work()).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return on_death(status)
    return json.loads(b"".join(chunks).decode())


def import_all_in_child(names, timeout=60):
    """Imports NAMES one after another in one forked child; returns {name: error or None}."""

    def work():
        results = {}
        for name in names:
            signal.alarm(timeout)
            try:
                importlib.import_module(name)
                results[name] = None
            except BaseException as e:  # noqa: BLE001 - report every failure, including SystemExit
                results[name] = f"{type(e).__name__}: {e}"[:400]
            finally:
                signal.alarm(0)
        return results

    return in_child(work, lambda status: {name: f"child died (status {status})" for name in names})


MAIN_GUARD = re.compile(r"^if __name__ == ['\"]__main__['\"]\s*:", re.M)


def run_in_child(name, timeout=30):
    """Runs module NAME as __main__ with `--help` in a forked child, on CPU; returns {"status", "out", "error"}.

    `--help` makes an argparse script print its usage and exit 0 without loading models or data; a script without a
    command line runs its main code (seeded, so that two runs compare). stdout is what is compared; stderr (warnings,
    tracebacks) is not: the error says why a run failed.
    """

    def work():
        out = io.StringIO()
        sys.stdout, sys.stderr = out, io.StringIO()
        status, error = 0, None
        signal.alarm(timeout)
        try:
            import random

            import torch

            random.seed(0)
            torch.manual_seed(0)
            sys.argv = [name, "--help"]
            runpy.run_module(name, run_name="__main__", alter_sys=True)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if status:
                error = f"SystemExit: {e.code}"
        except BaseException as e:  # noqa: BLE001 - any failure is the result
            status, error = 1, f"{type(e).__name__}: {e}"
        finally:
            signal.alarm(0)
        return {"status": status, "out": out.getvalue()[-20000:], "error": (error or "")[:400]}

    return in_child(work, lambda status: {"status": -1, "out": "", "error": f"child died (status {status})"})


def check_tree(tree, no_stub, run=False):
    files = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        files += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py")]
    out = {"compile": {}, "imports": {}}
    for f in files:
        rel = os.path.relpath(f, tree)
        try:
            with open(f, "rb") as fh:
                compile(fh.read(), f, "exec", dont_inherit=True)  # what py_compile does, without writing a .pyc
            out["compile"][rel] = None
        except (SyntaxError, ValueError) as e:
            out["compile"][rel] = f"{type(e).__name__}: {e}"[:400]
    names = {}
    for f in files:
        name, root = module_name(tree, f)
        if name and os.path.basename(f) != "setup.py":
            names[name] = root
    saved_path = list(sys.path)
    finder = StubFinder(no_stub, tree)
    sys.meta_path.append(finder)
    for root in sorted(set(names.values()), key=len, reverse=True):
        sys.path.insert(0, root)
    try:
        # One forked child per module: a module that fails must not change what the next one sees.
        for name in sorted(names):
            out["imports"].update(import_all_in_child([name]))
        if run:
            # Entry points (a top-level `if __name__ == "__main__":`) run on CPU, with the same stubs.
            out["runs"] = {}
            for f in files:
                name, _ = module_name(tree, f)
                if not name or os.path.basename(f) in ("__init__.py", "setup.py"):
                    continue  # a package runs as __main__ through its __main__.py, not its __init__.py
                with open(f, encoding="utf-8", errors="replace") as fh:
                    if MAIN_GUARD.search(fh.read()):
                        out["runs"][name] = run_in_child(name)
    finally:
        sys.path[:] = saved_path
        sys.meta_path.remove(finder)
    return out


def main():
    """Reads a JSON list of {"tree": DIR, "noStub": [NAME...]} on stdin, prints a JSON list of results."""
    jobs = json.load(sys.stdin)
    warnings.simplefilter("ignore")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    import torch  # noqa: F401 - imported once, before the forks

    sys.dont_write_bytecode = True
    sys.argv = ["port_check"]
    results = [check_tree(os.path.abspath(job["tree"]), job.get("noStub", []), job.get("run", False)) for job in jobs]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
