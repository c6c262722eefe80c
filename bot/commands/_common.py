"""What the command modules share: exit codes, the handler type, argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from retrieval import RetrievalSettings

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
MAX_TOP_K = 50

Handler = Callable[[argparse.Namespace, "RetrievalSettings"], int]
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def positive_top_k(value: str) -> int:
    from ..frontend.messages import t

    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or number > MAX_TOP_K:
        raise argparse.ArgumentTypeError(t("bad_top_k", most=MAX_TOP_K, value=value))
    return number
