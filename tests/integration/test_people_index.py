"""People and events stored with each index generation: written by the build, checksummed
with the generation, read back by the searcher, extracted again only for changed articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import retrieval.search as search_module
from retrieval import CorruptIndexError, RetrievalSettings, Searcher, build_index
from retrieval.events.catalog import PeopleCatalog
from retrieval.events.storage import FACTS_FILE
from retrieval.store import IndexDir

pytestmark = pytest.mark.slow

A = ("Sáng 11/8/2022, Đại tướng Tô Lâm, Bộ trưởng Bộ Công an đã đến dự Ngày hội Toàn dân "
     "bảo vệ an ninh Tổ quốc tại xã Hưng Mỹ, huyện Cái Nước, tỉnh Cà Mau.")
B = ("Sáng 2/3/2024, đồng chí Tô Lâm phát biểu tại Hội nghị Công an toàn quốc tại Hà Nội.")


def write(folder: Path, name: str, title: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{title}\n\n{body}", encoding="utf-8")


def test_facts_are_built_stored_reused_and_read(tmp_path: Path) -> None:
    articles = tmp_path / "a"
    write(articles, "a.txt", "Bộ trưởng Tô Lâm dự ngày hội ở Cà Mau", A)
    write(articles, "b.txt", "Hội nghị Công an toàn quốc", B)
    settings = RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "i",
                                 _env_file=None)
    first = build_index(settings)
    assert first.facts_extracted == 2
    searcher = Searcher.open(settings)
    catalog = searcher.people()
    person = catalog.find("Đại tướng Tô Lâm").people[0]
    assert [(e.what, e.roles) for e in catalog.events_of(person)] == [
        ("Hội nghị Công an toàn quốc", ("attended", "spoke")),
        ("Ngày hội Toàn dân bảo vệ an ninh Tổ quốc", ("attended",)),
    ]
    again = build_index(settings)
    assert again.facts_extracted == 0
    write(articles, "b.txt", "Hội nghị Công an toàn quốc",
          B.replace("đồng chí Tô Lâm", "đồng chí Lương Tam Quang"))
    changed = build_index(settings)
    assert changed.facts_extracted == 1
    assert searcher.refresh()
    catalog = searcher.people()
    assert len(catalog.events_of(catalog.find("Tô Lâm").people[0])) == 1
    assert catalog.find("Lương Tam Quang").exact
    answer = searcher.search("Lương Tam Quang phát biểu ở đâu?").answer
    assert answer is not None and answer.kind == "events"
    assert [e.source.file for e in answer.events] == ["b.txt"]
    # Part of the generation: a damaged file is named when the index is checked.
    index = IndexDir(settings.index_dir)
    generation = index.current()
    assert generation is not None and (generation / FACTS_FILE).exists()
    manifest = index.read_manifest(generation)
    assert FACTS_FILE in manifest.files
    (generation / FACTS_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(CorruptIndexError, match="people_events"):
        index.verify_files(generation, manifest)


def test_the_people_catalog_is_built_only_for_a_question_about_someones_events(
        seed_settings: RetrievalSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built, it takes seconds and tens of MiB at 10^5 passages: other questions skip it."""
    built: list[int] = []
    real = search_module.PeopleCatalog

    def counted(*args: Any, **kwargs: Any) -> PeopleCatalog:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "PeopleCatalog", counted)
    searcher = Searcher.open(seed_settings)
    for question in ("Ai dự ngày hội ở Cà Mau?", "Tô Lâm là ai?", "ngay hoi dien ra khi nao"):
        assert searcher.search(question).results
    assert built == []
    answer = searcher.search("Tô Lâm đã dự những sự kiện nào?").answer
    assert answer is not None and answer.kind == "events" and answer.events
    assert built == [1]
