"""Results carry the source URL: JSON, plain text and the bot's linked title."""

from __future__ import annotations

from bot import formatting as fmt
from bot.render import render_plain
from bot.serialize import response_to_dict
from retrieval import SearchHit, SearchResponse, Source

PAGE = "http://127.0.0.1:8000/tin/cau-rong.html?a=1&b=2"


def response(url: str | None) -> SearchResponse:
    hit = SearchHit(rank=1, score=1.0, text="Cầu Rồng phun lửa tối 5/3.",
                    source=Source("ingested/x.txt", "Cầu Rồng <phun> lửa", "2024-03-05", url),
                    highlights=((0, 7),), chunk_id=0)
    return SearchResponse(question="cầu rồng", results=(hit,), total=1)


def test_json_and_plain_text_carry_the_url() -> None:
    data = response_to_dict(response(PAGE))
    assert data["results"][0]["source"]["url"] == PAGE
    assert PAGE in render_plain(data)
    assert response_to_dict(response(None))["results"][0]["source"]["url"] is None


def test_the_bot_links_the_title_escaped() -> None:
    [page] = fmt.format_page(response(PAGE), 0)
    assert ('<a href="http://127.0.0.1:8000/tin/cau-rong.html?a=1&amp;b=2"><i>'
            "Cầu Rồng &lt;phun&gt; lửa</i></a>") in page


def test_only_web_links_are_linked() -> None:
    for url in (None, "javascript:alert(1)", 'http://x/"><b>', "file:///etc/passwd"):
        [page] = fmt.format_page(response(url), 0)
        assert "<a " not in page, url
