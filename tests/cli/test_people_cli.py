"""`newsqa people [NAME]`, `newsqa events`, reverse questions through `ask`, and `:people` /
`:events` in the REPL, on the real seed index."""

from __future__ import annotations

import json

import pytest

from bot.frontend.messages import set_language
from retrieval import RetrievalSettings, Searcher

from .test_cli import newsqa
from .test_repl import make_repl, run_lines

pytestmark = pytest.mark.slow

CA_MAU = "003_4be6f3f6f5d770e8.txt"
VI = {"NEWSQA_LANGUAGE": "vi"}  # the tests' default is English (tests/conftest.py)


def test_people_lists_everyone_with_counts(seed_settings: RetrievalSettings) -> None:
    result = newsqa("people", index=seed_settings.index_dir, env=VI)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "16 người được nhắc đến trong 5 bài"
    assert any(line.startswith("  • Tô Lâm — Đại tướng") and "1 sự kiện · 1 bài" in line
               for line in lines)
    assert "Văn Đức" not in result.stdout  # a byline is nobody


@pytest.mark.parametrize("name", ["Đại tướng Tô Lâm", "to lam", "đồng chí Tô Lâm"])
def test_one_persons_events_with_passage_and_source(seed_settings: RetrievalSettings,
                                                     name: str) -> None:
    result = newsqa("people", name, index=seed_settings.index_dir, env=VI)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Tô Lâm:\n")
    assert ("Ngày hội Toàn dân bảo vệ an ninh Tổ quốc (ANTQ) năm 2022 — 11/8/2022 · xã Hưng Mỹ, "
            "huyện Cái Nước, tỉnh Cà Mau · phát biểu, trao thưởng, tham dự") in out
    assert "“Sáng 11/8/2022, Đại tướng Tô Lâm" in out and CA_MAU in out


def test_unknown_ambiguous_and_too_long_names(seed_settings: RetrievalSettings) -> None:
    unknown = newsqa("people", "Phạm Minh Chính", index=seed_settings.index_dir, env=VI)
    assert unknown.returncode == 0
    assert unknown.stdout.strip() == ("Không thấy ai tên «Phạm Minh Chính» trong các bài đã "
                                      "lập chỉ mục.")
    many = newsqa("people", "lam", index=seed_settings.index_dir, env=VI)
    assert many.stdout.splitlines()[0] == "«lam» có thể là 2 người; hãy gõ đủ họ tên:"
    assert "Tô Lâm" in many.stdout and "Nguyễn Lam" in many.stdout
    long = newsqa("people", "A" * 300, index=seed_settings.index_dir, env=VI)
    assert long.returncode == 2 and "Tên quá dài" in long.stderr
    assert "Traceback" not in long.stderr


def test_events_newest_first(seed_settings: RetrievalSettings) -> None:
    result = newsqa("events", index=seed_settings.index_dir, env=VI)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "5 sự kiện trong 5 bài"
    assert [line.split(" · ")[0] for line in lines[1:]] == [
        "  • 3/8/2023", "  • 23/11/2022", "  • 11/8/2022", "  • tháng 8/2022",
        "  • không rõ ngày"]


def test_a_reverse_question_answers_with_the_persons_events(
        seed_settings: RetrievalSettings) -> None:
    result = newsqa("ask", "Which events did To Lam attend?", "--json",
                    index=seed_settings.index_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)["answer"]
    assert answer["kind"] == "events" and answer["person"] == "Tô Lâm"
    assert [(e["date"], e["source"]["file"]) for e in answer["events"]] == [
        ("2022-08-11", CA_MAU)]
    plain = newsqa("ask", "Lê Quốc Hùng chủ trì những hội nghị nào?", "-k", "1",
                   index=seed_settings.index_dir, env={"NEWSQA_LANGUAGE": "vi"})
    assert plain.stdout.startswith("Sự kiện Lê Quốc Hùng đã chủ trì (1):\n  • Hội nghị trực "
                                   "tuyến")
    assert " · phát biểu, chủ trì, tham dự\n" in plain.stdout
    english = newsqa("ask", "Lê Quốc Hùng chủ trì những hội nghị nào?", "-k", "1",
                     index=seed_settings.index_dir, env={"NEWSQA_LANGUAGE": "en"})
    assert english.stdout.startswith("Events Lê Quốc Hùng presided over (1):\n  • Hội nghị "
                                     "trực tuyến")
    assert " · spoke, presided, attended\n" in english.stdout


def test_people_and_events_in_english(seed_settings: RetrievalSettings) -> None:
    everyone = newsqa("people", index=seed_settings.index_dir).stdout.splitlines()
    assert everyone[0] == "16 people named in 5 articles"
    assert any(line.startswith("  • Tô Lâm — Đại tướng") and "1 event · 1 article" in line
               for line in everyone)
    one = newsqa("people", "to lam", index=seed_settings.index_dir).stdout
    assert one.startswith("Tô Lâm:\n") and " · spoke, presented awards, attended\n" in one
    unknown = newsqa("people", "Phạm Minh Chính", index=seed_settings.index_dir).stdout
    assert unknown.strip() == "Nobody named «Phạm Minh Chính» in the indexed articles."
    many = newsqa("people", "lam", index=seed_settings.index_dir).stdout
    assert many.splitlines()[0] == "«lam» may be 2 people; type the full name:"
    long = newsqa("people", "A" * 300, index=seed_settings.index_dir)
    assert long.returncode == 2 and "The name is too long" in long.stderr
    events = newsqa("events", index=seed_settings.index_dir).stdout.splitlines()
    assert events[0] == "5 events in 5 articles"
    assert events[-1].startswith("  • date unknown") and events[-2].startswith("  • 8/2022")


def test_repl_people_and_events(seed_searcher: Searcher) -> None:
    set_language("vi")
    repl, out = make_repl(seed_searcher)
    run_lines(repl, [":people Tô Lâm", ":people Không Ai Cả", ":events", ":people"])
    text = out.getvalue()
    assert "Tô Lâm:" in text and CA_MAU in text
    assert "Không thấy ai tên «Không Ai Cả»" in text
    assert "5 sự kiện trong 5 bài" in text
    assert "16 người được nhắc đến trong 5 bài" in text
