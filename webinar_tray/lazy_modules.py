"""Modules imported only when first used: `defer(name, ...)`.

Why: google-auth imports `google.auth.jwt` (which imports cryptography's X.509 and key
classes) and httplib2 imports `httplib2.auth` (which builds pyparsing grammars) when they are
imported, and googleapiclient imports `google.oauth2.service_account` for a type check we never
reach. A user's own OAuth client needs none of them unless a server answers 401 (httplib2
then parses the challenge) or an ID token is checked. They are half the CPU of every Google
helper start and of a cold `list` (0.3 of 0.6 CPU-s). A deferred module is a module object
whose code runs on the first attribute read, exactly as the real import would have run it.

This is importlib.util.LazyLoader with the lock Python 3.12 added (3.11's is not safe when two
threads read a module that is still loading; the helper answers on a thread per request), and
with `__spec__`/`__name__` readable without loading, so a second `import name` (which reads
`__spec__` to see whether the module is initialising) does not load it either.
"""

from __future__ import annotations

import sys
import threading
import types
from importlib.machinery import ExtensionFileLoader

_META = frozenset({"__spec__", "__name__", "__loader__", "__package__", "__class__"})


class _Deferred(types.ModuleType):
    def __getattribute__(self, attr):
        if attr in _META:
            return object.__getattribute__(self, attr)
        spec = object.__getattribute__(self, "__spec__")
        state = spec.loader_state
        with state["lock"]:
            if object.__getattribute__(self, "__class__") is _Deferred:
                if state["loading"]:  # the module's own code, or an import it makes, reads it
                    return types.ModuleType.__getattribute__(self, attr)
                state["loading"] = True
                try:
                    spec.loader.exec_module(self)
                finally:
                    state["loading"] = False
                self.__class__ = types.ModuleType
        return getattr(self, attr)

    def __setattr__(self, attr, value):
        if attr == "__class__" or object.__getattribute__(self, "__spec__").loader_state["loading"]:
            types.ModuleType.__setattr__(self, attr, value)
            return
        self.__getattribute__("__dict__")  # a module is set up before it is changed
        setattr(self, attr, value)

    def __delattr__(self, attr):
        self.__getattribute__("__dict__")
        delattr(self, attr)


class _DeferringLoader:
    """Wraps the real loader: `exec_module` leaves the module for its first use."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        spec = module.__spec__
        spec.loader = module.__loader__ = self.loader
        spec.loader_state = {"lock": threading.RLock(), "loading": False}
        module.__class__ = _Deferred


class _Finder:
    """First on sys.meta_path: finds a deferred name through the other finders."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def find_spec(self, name, path, target=None):
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            loader = spec.loader
            if loader is None or not hasattr(loader, "exec_module") or isinstance(loader, ExtensionFileLoader):
                return spec  # a namespace package, an extension, an old-style loader: as usual
            spec.loader = _DeferringLoader(spec.loader)
            return spec
        return None


_finder = _Finder()


def defer(*names: str) -> None:
    """Import `names` lazily from now on (a module already imported stays as it is)."""
    _finder.names.update(names)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def is_deferred(module) -> bool:
    """True while `module` has not run its code yet."""
    return object.__getattribute__(module, "__class__") is _Deferred
