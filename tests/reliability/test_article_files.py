"""`newsqa index` over awkward files: it finishes, names each skipped file, indexes the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from retrieval import Searcher

from ..conftest import REPO
from .helpers import core_settings

BODY = "\n\nSáng 3-8, người dân {place} tham dự ngày hội toàn dân bảo vệ an ninh Tổ quốc."
NFD_NAME = unicodedata.normalize("NFD", "bài viết tách dấu.txt")


def article(title: str, place: str) -> str:
    return title + BODY.format(place=place)


def make_folder(root: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The articles folder, the files that must be indexed (name -> place) and the files that
    must be skipped (name as printed -> a word of the reason)."""
    folder = root / "articles"
    (folder / "thư mục con").mkdir(parents=True)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(article("Bí mật nằm ngoài thư mục bài", "Zanzibar"),
                                        "utf-8")
    good = {
        "good.txt": "Cà Mau",
        "tin có dấu và khoảng trắng.txt": "Cần Thơ",
        "thư mục con/Bài viết ở thư mục con.txt": "Hậu Giang",
        NFD_NAME: "Bạc Liêu",
        "utf16-le-bom.txt": "Sóc Trăng",
        "utf16-be-bom.txt": "Trà Vinh",
        "utf8-bom.txt": "Kiên Giang",
        "crlf.txt": "Vĩnh Long",
        "cr-only.txt": "Bến Tre",
    }
    encodings = {"utf16-le-bom.txt": "utf-16", "utf16-be-bom.txt": "utf-16-be",
                 "utf8-bom.txt": "utf-8-sig"}
    for name, place in good.items():
        text = article(f"Tin tức về ngày hội ở {place}", place)
        if name == "crlf.txt":
            text = text.replace("\n", "\r\n")
        elif name == "cr-only.txt":
            text = text.replace("\n", "\r")
        raw = text.encode(encodings.get(name, "utf-8"))
        if name == "utf16-be-bom.txt":
            raw = b"\xfe\xff" + raw
        (folder / name).write_bytes(raw)
    skipped = {
        "binary.txt": "UTF-8", "latin1.txt": "UTF-8", "cut-utf8.txt": "UTF-8",
        "utf16-no-bom.txt": "UTF-8", "empty.txt": "empty", "blank.txt": "empty",
        "emoji.txt": "no words", "huge.txt": "NEWSQA_MAX_ARTICLE_BYTES",
        "link-out.txt": "symbolic link", "linked folder": "symbolic link",
        "dangling.txt": "symbolic link", "fifo.txt": "not a regular file",
        "t\ufffdn c\ufffd d\ufffdu.txt": "file name is not valid UTF-8",
    }
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    (folder / "latin1.txt").write_bytes(article("Tin Latin-1", "Huế").encode("cp1258",
                                                                             "replace") + b"\xff")
    (folder / "cut-utf8.txt").write_bytes("Tin bị cắt giữa một chữ ở".encode()[:-1])
    (folder / "utf16-no-bom.txt").write_bytes("Tin UTF-16 không BOM".encode("utf-16-le"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\n\u200b\n", "utf-8")
    (folder / "emoji.txt").write_text("😀👍🏽 🇻🇳 ★★★\n\n— ✓ —", "utf-8")
    with open(folder / "huge.txt", "w", encoding="utf-8") as handle:
        line = "Ngày hội toàn dân bảo vệ an ninh Tổ quốc. " * 50 + "\n"
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(line)
    (folder / "link-out.txt").symlink_to(outside / "secret.txt")
    (folder / "linked folder").symlink_to(outside, target_is_directory=True)
    (folder / "dangling.txt").symlink_to(root / "nowhere.txt")
    os.mkfifo(folder / "fifo.txt")
    with open(os.path.join(os.fsencode(folder), "t\xeen c\xf3 d\xe2u.txt".encode("latin-1")),
              "wb") as handle:
        handle.write(article("Tin có tên tệp Latin-1", "Huế").encode())
    return folder, good, skipped


def test_index_finishes_names_every_skipped_file_and_indexes_the_rest(tmp_path: Path) -> None:
    folder, good, skipped = make_folder(tmp_path)
    index = tmp_path / "index"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--articles", str(folder), "--index",
         str(index)], cwd=REPO, capture_output=True, timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: skipped ")]
    assert len(warnings) == len(skipped), "\n".join(warnings)
    for name, reason in skipped.items():
        assert any(line.startswith(f"warning: skipped {name}: ") and reason in line
                   for line in warnings), (name, warnings)
    assert f"Index ready: {len(good)} articles" in stderr

    searcher = Searcher.open(core_settings(index, folder))
    assert {info.file for info in searcher.articles()} == set(good)
    for name, place in good.items():
        hit = searcher.search(f"ngày hội ở {place}").results[0]
        assert hit.source.file == name and place in hit.text
        assert "\r" not in hit.text and "\ufeff" not in hit.text
    # Nothing from the linked file or folder outside the articles folder got in.
    assert all("Zanzibar" not in hit.text for hit in searcher.search("Zanzibar bí mật").results)
