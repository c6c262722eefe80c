"""`newsqa` sub-commands: one module per command group, each registering its own parser.

A module here that defines ``register(sub, common)`` is picked up by `bot/cli.py`; its
``ORDER`` places it in `newsqa --help`. Adding a sub-command is adding one module (modules
whose name starts with ``_`` are helpers, not commands). Keep module imports light: the
core is imported inside the handlers, so `newsqa --help` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    """Every command module of this package, in `--help` order."""
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    commands = [module for module in modules if hasattr(module, "register")]
    return sorted(commands, key=lambda module: (getattr(module, "ORDER", 100), module.__name__))
