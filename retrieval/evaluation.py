"""Retrieval quality on a question file: hit@k and MRR@10, with and without diacritics."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NewsQAError
from .search import Searcher
from .text import fold

DEPTH = 10


@dataclass(frozen=True)
class Question:
    text: str
    gold_file: str


@dataclass(frozen=True)
class Scores:
    questions: int
    hit1: float
    hit3: float
    hit10: float
    mrr10: float
    not_found: float = 0.0  # share told "not found": on answerable questions, all wrong

    def as_dict(self) -> dict[str, Any]:
        return {"questions": self.questions, "hit@1": round(self.hit1, 4),
                "hit@3": round(self.hit3, 4), "hit@10": round(self.hit10, 4),
                "mrr@10": round(self.mrr10, 4), "not_found": round(self.not_found, 4)}


@dataclass(frozen=True)
class EvalReport:
    accented: Scores
    stripped: Scores

    def as_dict(self) -> dict[str, Any]:
        return {"as_written": self.accented.as_dict(),
                "diacritics_stripped": self.stripped.as_dict()}

    def table(self, labels: tuple[str, str] = ("questions as written",
                                               "diacritics stripped")) -> str:
        rows = [(labels[0], self.accented), (labels[1], self.stripped)]
        lines = [f"{'':22} {'n':>5} {'hit@1':>7} {'hit@3':>7} {'hit@10':>7} {'MRR@10':>7} "
                 f"{'not found':>9}"]
        for label, s in rows:
            lines.append(f"{label:22} {s.questions:5d} {s.hit1:7.3f} {s.hit3:7.3f} "
                         f"{s.hit10:7.3f} {s.mrr10:7.3f} {s.not_found:9.3f}")
        return "\n".join(lines)


def load_questions(path: Path) -> list[Question]:
    """``{"q", "gold_file"}`` lines; a bad line is an error naming the line."""
    questions: list[Question] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NewsQAError(f"Cannot read question file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise NewsQAError(f"Question file {path} is not UTF-8.") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            questions.append(Question(str(data["q"]), str(data["gold_file"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise NewsQAError(
                f'{path}:{number}: expected a JSON object with "q" and "gold_file" ({exc})'
            ) from exc
    if not questions:
        raise NewsQAError(f"No questions in {path}.")
    return questions


def ranked_files(searcher: Searcher, question: str, dense_weight: float | None = None,
                 depth: int = DEPTH) -> tuple[list[str], bool]:
    """The files of the top passages, and whether the search says it found an answer."""
    response = searcher.search(question, top_k=depth, dense_weight=dense_weight,
                               with_answer=False, with_highlights=False)
    return [hit.source.file for hit in response.results], response.answered


def score(searcher: Searcher, questions: list[Question], *, stripped: bool = False,
          dense_weight: float | None = None) -> Scores:
    hit1 = hit3 = hit10 = mrr = not_found = 0.0
    for question in questions:
        text = fold(question.text) if stripped else question.text
        files, answered = ranked_files(searcher, text, dense_weight)
        not_found += not answered
        if question.gold_file in files:
            position = files.index(question.gold_file) + 1
            hit1 += position <= 1
            hit3 += position <= 3
            hit10 += position <= 10
            mrr += 1.0 / position
    n = len(questions)
    return Scores(n, hit1 / n, hit3 / n, hit10 / n, mrr / n, not_found / n)


def evaluate(searcher: Searcher, questions: list[Question]) -> EvalReport:
    return EvalReport(score(searcher, questions), score(searcher, questions, stripped=True))
