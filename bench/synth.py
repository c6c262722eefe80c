"""Synthetic news collections from the seed articles: names, places and numbers varied.

Each synthetic article is one seed article with its people, places, dates and numbers
replaced consistently (one new name per original name within the article) and its later
paragraphs lightly reordered and thinned, so passages differ between articles while the
language, length and layout stay those of real articles. Deterministic for a given seed.

    python -m bench.synth OUT_DIR --articles 10000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

from retrieval.text import fold

from .common import REPO


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = _words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Tô Đinh "
                  "Trương Lương Đồng Mai Đào Cao Lâm Hà Thái Trịnh Tạ Lưu Châu Quách Kiều")
MIDDLE = _words("Văn Thị Quang Duy Ngọc Minh Hữu Đức Thanh Quốc Việt Tiến Hồng Xuân Anh Công "
                "Trọng Bảo Thành Mạnh Kim Gia Hoài Thu")
GIVEN = _words("Mạnh Trường Trung Ngọc Ánh Thanh Hùng Lam Hải Việt Tiến Dũng Tuấn Hương Lan Phong "
               "Sơn Nam Bình Hòa Khánh Linh Long Hiếu Thắng Tâm Quân Đạt Huy Phúc Vinh Thảo Trang "
               "Nga Yến Cường Kiên Lợi Hạnh Nhung Toàn Thịnh Hưng Khoa Tài Đông Quyết")
PROVINCES = (
    "Cần Thơ", "Cà Mau", "Lâm Đồng", "Thanh Hóa", "Nghệ An", "Hà Nội", "Hồ Chí Minh",
    "Đà Nẵng", "Hải Phòng", "Quảng Ninh", "Bình Dương", "Đồng Nai", "Long An", "Tiền Giang",
    "Bến Tre", "Vĩnh Long", "Trà Vinh", "Sóc Trăng", "Bạc Liêu", "Kiên Giang", "An Giang",
    "Đồng Tháp", "Hậu Giang", "Khánh Hòa", "Phú Yên", "Bình Định", "Quảng Ngãi", "Quảng Nam",
    "Quảng Trị", "Quảng Bình", "Hà Tĩnh", "Ninh Bình", "Nam Định", "Thái Bình", "Hưng Yên",
    "Bắc Ninh", "Lào Cai", "Yên Bái", "Sơn La", "Điện Biên", "Gia Lai", "Kon Tum", "Đắk Lắk",
    "Bình Phước", "Tây Ninh", "Thừa Thiên Huế",
)
LOCALITIES = (
    "Ninh Kiều", "Cái Nước", "Hưng Mỹ", "Rừng Thông", "Đông Sơn", "Cái Răng", "Bình Thủy",
    "Ô Môn", "Thốt Nốt", "Phong Điền", "Cờ Đỏ", "Vĩnh Thạnh", "Năm Căn", "Đầm Dơi", "U Minh",
    "Thới Bình", "Tân Phú", "Hòa Bình", "Phú Lộc", "An Thới", "Long Hòa", "Tân An",
    "Mỹ Xuyên", "Châu Thành", "Tam Nông", "Hồng Ngự", "Cao Lãnh", "Sa Đéc", "Lai Vung",
    "Tịnh Biên", "Gò Quao", "Vĩnh Bảo", "Kim Sơn", "Yên Định", "Quỳnh Lưu", "Đức Trọng",
)
TITLES = ("Đại tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Bí thư Tỉnh ủy",
          "Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND huyện", "Giám đốc Công an tỉnh")

_UPPER = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
_CAP_WORD = f"[{_UPPER}][^\\W\\d_]*"
_PLACE_KEYWORD = r"(?:tỉnh|huyện|quận|TP\.?|thành phố|thị trấn|thị xã|xã|phường)"
_PATTERN = re.compile(
    r"(?P<dateprefix>^\s*date \d{4}-\d{1,2})"
    rf"|(?P<kwplace>\b{_PLACE_KEYWORD} {_CAP_WORD}(?: {_CAP_WORD}){{0,2}})"
    rf"|(?P<province>\b(?:{'|'.join(map(re.escape, PROVINCES))})\b)"
    rf"|(?P<name>\b(?:{'|'.join(SURNAMES)})(?: {_CAP_WORD}){{1,3}})"
    r"|(?P<fulldate>\b\d{1,2}/\d{1,2}/\d{4}\b)"
    r"|(?P<daymonth>\b\d{1,2}[/-]\d{1,2}\b)"
    r"|(?P<year>\b(?:19|20)\d\d\b)"
    r"|(?P<number>\d+)"
)
_KEYWORD_HEAD = re.compile(rf"^{_PLACE_KEYWORD} ")


class _Varier:
    """Replaces people, places and numbers of one article, consistently within it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: dict[str, str] = {}
        self.places: dict[str, str] = {}

    def __call__(self, match: re.Match[str]) -> str:
        kind, text = match.lastgroup, match.group(0)
        rng = self.rng
        if kind == "dateprefix":
            lead = text[:text.index("date")]
            return f"{lead}date {rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}"
        if kind == "kwplace":
            head = _KEYWORD_HEAD.match(text)
            assert head is not None
            place = text[head.end():]
            pool = PROVINCES if place in PROVINCES else LOCALITIES
            return head.group(0) + self._place(place, pool)
        if kind == "province":
            return self._place(text, PROVINCES)
        if kind == "name":
            if text not in self.names:
                words = len(text.split())
                middle = [rng.choice(MIDDLE) for _ in range(max(words - 2, 0))]
                self.names[text] = " ".join([rng.choice(SURNAMES), *middle, rng.choice(GIVEN)])
            return self.names[text]
        if kind == "fulldate":
            return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
        if kind == "daymonth":
            separator = "/" if "/" in text else "-"
            return f"{rng.randint(1, 28)}{separator}{rng.randint(1, 12)}"
        if kind == "year":
            return str(rng.randint(2015, 2025))
        first = str(rng.randint(1, 9)) if len(text) > 1 and text[0] != "0" else ""
        return first + "".join(str(rng.randint(0, 9)) for _ in range(len(text) - len(first)))

    def _place(self, place: str, pool: tuple[str, ...]) -> str:
        if place not in self.places:
            self.places[place] = self.rng.choice(pool)
        return self.places[place]


def vary(text: str, rng: random.Random) -> str:
    """One synthetic variant of an article's raw text."""
    paragraphs = text.split("\n\n")
    # The first lines hold the headline and date lines: keep them first, vary the rest.
    head, body = paragraphs[:2], paragraphs[2:]
    body = [p for p in body if rng.random() < 0.9] or body
    for _ in range(len(body) // 3):
        i, j = rng.randrange(len(body)), rng.randrange(len(body))
        body[i], body[j] = body[j], body[i]
    return _PATTERN.sub(_Varier(rng), "\n\n".join(head + body))


def seed_texts(seeds_dir: Path) -> list[tuple[str, str]]:
    return [(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(seeds_dir.glob("*.txt"))]


def generate(out_dir: Path, articles: int, *, seed: int = 0,
             seeds_dir: Path = REPO / "seeds") -> list[Path]:
    """Write ``articles`` synthetic articles into ``out_dir`` (created); their paths."""
    rng = random.Random(seed)
    sources = seed_texts(seeds_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number in range(articles):
        stem, text = sources[number % len(sources)]
        path = out_dir / f"{number:06d}_{stem[:3]}.txt"
        path.write_text(vary(text, rng), encoding="utf-8")
        paths.append(path)
    return paths


def ensure_collection(work: Path, articles: int, seed: int = 0) -> Path:
    """The synthetic collection of that size in ``work`` (generated on first use)."""
    folder = work / f"synth-{articles}-s{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        generate(folder, articles, seed=seed)
        marker.write_text("ok\n")
    return folder


_QUESTION_TEMPLATES = (
    "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở {province}?",
    "{name} dự ngày hội ở đâu?",
    "Ngày hội ở {locality} diễn ra khi nào?",
    "{title} {name} phát biểu gì tại ngày hội?",
    "Có bao nhiêu mô hình tự quản về an ninh trật tự ở {province}?",
    "Tội phạm về trật tự xã hội ở {locality} giảm bao nhiêu phần trăm?",
    "Ai chủ trì hội nghị tổng kết phong trào ở {province} năm {year}?",
    "Lãnh đạo tỉnh {province} trao tặng gì cho {locality}?",
    "{name} giữ chức vụ gì?",
    "Phong trào toàn dân bảo vệ an ninh Tổ quốc ở {locality} đạt kết quả gì?",
)


def questions(count: int, *, seed: int = 0, unaccented_share: float = 0.25) -> list[str]:
    """``count`` distinct questions in the seeds' domain; some typed without diacritics."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        template = _QUESTION_TEMPLATES[len(out) % len(_QUESTION_TEMPLATES)]
        question = template.format(
            province=rng.choice(PROVINCES), locality=rng.choice(LOCALITIES),
            name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            title=rng.choice(TITLES), year=rng.randint(2015, 2025))
        if rng.random() < unaccented_share:
            question = fold(question).lower()
        if question not in seen:
            seen.add(question)
            out.append(question)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic article collection.")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed articles")
    args = parser.parse_args(argv)
    paths = generate(args.out, args.articles, seed=args.seed, seeds_dir=args.seeds)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} articles, {size / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
