"""`newsqa eval --tune`: fit the dense fusion weights on part of a question set, check them on
the rest, and store them only when they beat the default there by a margin.

Question sets are small and easy (a handful of articles: every weight ranks the gold article
first), so a plain arg-max picks the first grid value, 0.0, and silently switches dense search
off. Here ties go to the weight nearest the default, and the default stays unless the fitted
weight is better on questions it was not fitted on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .embedding import load_embedder
from .evaluation import Question, Scores, score
from .search import MEASURED_DENSE_WEIGHTS, Searcher
from .settings import RetrievalSettings
from .store import FUSION_FILE, clear_tuned_weights, read_tuned_weights, write_tuned_weights

WEIGHT_GRID = tuple(round(0.1 * i, 1) for i in range(11))
# Fewer questions than this cannot tell weights apart (a held-out third of 50 is 16 questions).
MIN_QUESTIONS = 50
# Every third question is held out: fitted weights are judged on questions they never saw.
HELD_OUT_EVERY = 3
# Held-out MRR@10 gain a fitted weight needs over the default to replace it.
MARGIN = 0.01


@dataclass(frozen=True)
class KindTuning:
    """One kind of question (as written, or with diacritics stripped)."""

    label: str
    default: float
    fitted: float
    held_out_default: Scores
    held_out_fitted: Scores

    @property
    def gain(self) -> float:
        return self.held_out_fitted.mrr10 - self.held_out_default.mrr10

    @property
    def accepted(self) -> bool:
        return self.fitted != self.default and self.gain >= MARGIN

    @property
    def chosen(self) -> float:
        return self.fitted if self.accepted else self.default

    def as_dict(self) -> dict[str, Any]:
        return {"default": self.default, "fitted": self.fitted, "chosen": self.chosen,
                "held_out_default": self.held_out_default.as_dict(),
                "held_out_fitted": self.held_out_fitted.as_dict(),
                "accepted": self.accepted}


@dataclass(frozen=True)
class TuningOutcome:
    questions: int
    fitted_on: int
    held_out: list[Question]
    kinds: list[KindTuning] = field(default_factory=list)
    stored: Path | None = None  # the file written, when the weights changed
    cleared: bool = False  # weights tuned earlier were removed (the default won)

    @property
    def too_few(self) -> bool:
        return not self.kinds

    def as_dict(self) -> dict[str, Any]:
        return {"questions": self.questions, "fitted_on": self.fitted_on,
                "held_out": len(self.held_out), "min_questions": MIN_QUESTIONS,
                "margin": MARGIN, "kinds": {k.label: k.as_dict() for k in self.kinds},
                "stored": str(self.stored) if self.stored else None,
                "cleared_earlier_tuning": self.cleared}


def untuned_weights(searcher: Searcher) -> tuple[float, float]:
    """The weights in force without a tuned file: the settings', else the measured default."""
    s = searcher.settings
    base = MEASURED_DENSE_WEIGHTS.get(searcher.embedder.identity.backend, (0.0, 0.0))
    return (s.dense_weight_accented if s.dense_weight_accented is not None else base[0],
            s.dense_weight_unaccented if s.dense_weight_unaccented is not None else base[1])


def split(questions: list[Question]) -> tuple[list[Question], list[Question]]:
    """(fit, held out): every HELD_OUT_EVERY-th question is held out."""
    fit = [q for i, q in enumerate(questions) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    held = [q for i, q in enumerate(questions) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    return fit, held


def best_weight(results: list[tuple[Scores, float]], default: float) -> float:
    """The best MRR@10 (then hit@1); among equals the default, else the middle one."""
    top = max((s.mrr10, s.hit1) for s, _ in results)
    tied = sorted(w for s, w in results
                  if abs(s.mrr10 - top[0]) < 1e-9 and abs(s.hit1 - top[1]) < 1e-9)
    if default in tied:
        return default
    return tied[len(tied) // 2]


def tune(searcher: Searcher, questions: list[Question], store_in: Path) -> TuningOutcome:
    """Fit, check on the held-out part, and store in ``store_in`` what beat the default."""
    fit, held = split(questions)
    if len(questions) < MIN_QUESTIONS:
        return TuningOutcome(len(questions), 0, list(questions))
    defaults = untuned_weights(searcher)
    kinds: list[KindTuning] = []
    for label, stripped, default in (("as written", False, defaults[0]),
                                     ("diacritics stripped", True, defaults[1])):
        results = [(score(searcher, fit, stripped=stripped, dense_weight=w), w)
                   for w in WEIGHT_GRID]
        fitted = best_weight(results, default)
        held_default = score(searcher, held, stripped=stripped, dense_weight=default)
        held_fitted = (held_default if fitted == default else
                       score(searcher, held, stripped=stripped, dense_weight=fitted))
        kinds.append(KindTuning(label, default, fitted, held_default, held_fitted))
    identity = searcher.embedder.identity.as_dict()
    if any(kind.accepted for kind in kinds):
        path = write_tuned_weights(store_in, identity, kinds[0].chosen, kinds[1].chosen,
                                   len(questions))
        return TuningOutcome(len(questions), len(fit), held, kinds, stored=path)
    cleared = clear_tuned_weights(store_in, identity)
    return TuningOutcome(len(questions), len(fit), held, kinds, cleared=cleared)


def reset(settings: RetrievalSettings) -> bool:
    """Remove the weights tuned for this model in the index folder; True when there were."""
    return clear_tuned_weights(settings.index_dir, load_embedder(settings).identity.as_dict())


def tuned_in_force(settings: RetrievalSettings) -> tuple[float, float] | None:
    """The tuned (accented, unaccented) weights searches over this index use, if any."""
    if not (settings.index_dir / FUSION_FILE).exists():
        return None  # no model load just to say nothing
    if settings.dense_weight_accented is not None and settings.dense_weight_unaccented is not None:
        return None  # the settings win over a tuned file
    return read_tuned_weights(settings.index_dir, load_embedder(settings).identity.as_dict())


__all__ = ["FUSION_FILE", "MIN_QUESTIONS", "TuningOutcome", "reset", "tune", "tuned_in_force",
           "untuned_weights"]
