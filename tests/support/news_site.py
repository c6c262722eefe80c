"""A fake news web on 127.0.0.1: pages laid out like Vietnamese news sites, feeds, faults.

``NewsSite`` is a threaded HTTP server; tests register routes (bytes, status, headers, or
a special behaviour such as a redirect loop, an endless body or a slow drip) and read the
requests it received. ``LAYOUTS`` render a ``Story`` the way different outlets do.
"""

from __future__ import annotations

import html
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .news_stories import Story

e = html.escape
NAV = ("<header><nav class='menu'><ul><li><a href='/'>Trang chủ</a></li>"
       "<li><a href='/thoi-su'>Thời sự</a></li><li><a href='/kinh-te'>Kinh tế</a></li>"
       "<li><a href='/the-thao'>Thể thao</a></li><li><a href='/giai-tri'>Giải trí</a></li>"
       "</ul></nav></header>")
RELATED = ("<div class='related'><h3>Tin liên quan</h3><ul>"
           "<li><a href='/r1'>Giá vàng hôm nay tăng mạnh trở lại</a></li>"
           "<li><a href='/r2'>Thời tiết cuối tuần: miền Bắc trở lạnh</a></li>"
           "<li><a href='/r3'>Tuyển sinh lớp 10 năm nay có gì mới</a></li></ul></div>")
COMMENTS = ("<div id='comments' class='box-comment'><h3>Bình luận (2)</h3>"
            "<div class='comment-item'><b>Minh Tuấn</b><p>Bài viết rất hay, cảm ơn phóng viên "
            "đã đưa tin kịp thời cho bà con.</p></div><div class='comment-item'><b>Lan Anh</b>"
            "<p>Mong chính quyền tiếp tục quan tâm hơn nữa đến đời sống người dân.</p></div>"
            "<form><textarea placeholder='Ý kiến của bạn'></textarea>"
            "<button>Gửi bình luận</button></form></div>")
ADS = ("<div class='ads banner'><a href='/qc'>Quảng cáo: Mua căn hộ cao cấp chỉ từ 1 tỷ đồng, "
       "trả góp 0% lãi suất</a></div>")
FOOTER = ("<footer><p>© 2024 Báo Điện tử Tin Nhanh. Giấy phép số 123/GP-BTTTT.</p>"
          "<p>Địa chỉ: 12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội. Điện thoại: 024 1234 5678</p>"
          "</footer>")
MOST_READ = ("<aside class='sidebar'><h3>Đọc nhiều</h3><ol><li><a href='/m1'>Ngân hàng "
             "giảm lãi suất cho vay mua nhà</a></li><li><a href='/m2'>Lịch thi đấu bóng đá "
             "hôm nay</a></li><li><a href='/m3'>Xăng dầu đồng loạt giảm giá</a></li></ol></aside>")


def _dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _paras(story: Story, css: str = "") -> str:
    attr = f" class='{css}'" if css else ""
    return "".join(f"<p{attr}>{e(p)}</p>" for p in story.paragraphs)


def _page(title: str, head: str, body: str, lang: str = "vi") -> str:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{e(title)}</title>{head}</head><body>{body}</body></html>")


def layout_express(story: Story) -> str:
    """Sapo in a lead paragraph, date line with weekday, author at the end, comments."""
    first, *rest = story.paragraphs
    body = (f"{NAV}{ADS}<section class='container'><div class='sidebar-1'>"
            f"<div class='breadcrumb'><a href='/'>Trang chủ</a> › <a href='/xa-hoi'>Xã hội</a>"
            f"</div><span class='date'>Thứ năm, {_dmy(story.date)}, 08:30 (GMT+7)</span>"
            f"<h1 class='title-detail'>{e(story.title)}</h1><p class='description'>{e(first)}"
            f"</p><article class='fck_detail'>"
            + "".join(f"<p class='Normal'>{e(p)}</p>" for p in rest)
            + f"<p class='author_mail'><strong>{e(story.author)}</strong></p></article>"
            f"{RELATED}{COMMENTS}</div>{MOST_READ}</section>{FOOTER}")
    return _page(f"{story.title} - Báo Tin Nhanh", "<meta property='og:site_name' "
                 "content='Báo Tin Nhanh'>", body)


def layout_related_inside(story: Story) -> str:
    """Related links and an ad in the middle of the article body; date with GMT+7."""
    half = len(story.paragraphs) // 2
    paragraphs = [f"<p>{e(p)}</p>" for p in story.paragraphs]
    inner = ("".join(paragraphs[:half]) + "<div class='box-tinlienquan'><b>Đọc thêm:</b>"
             "<a href='/x1'>Giá xăng giảm lần thứ ba liên tiếp</a>"
             "<a href='/x2'>Học sinh Hà Nội nghỉ Tết 10 ngày</a></div>" + ADS
             + "".join(paragraphs[half:]))
    body = (f"{NAV}<div class='detail'><div class='detail-cate'><a href='/thoi-su'>Thời sự</a>"
            f"</div><h1 class='detail-title article-title'>{e(story.title)}</h1>"
            f"<div class='detail-time'><div data-role='publishdate'>{_dmy(story.date)} "
            f"09:15 GMT+7</div></div><div class='detail-author'>{e(story.author)}</div>"
            f"<div class='detail-content afcbc-body' id='main-detail-body'>{inner}</div>"
            f"<div class='detail-tab'>Từ khóa: <a href='/tag/1'>du lịch</a></div></div>"
            f"{COMMENTS}{FOOTER}")
    return _page(f"{story.title} | Tuổi Mới Online", "", body)


def layout_structured(story: Story) -> str:
    """Schema.org JSON-LD and article:published_time; a figure with a caption; inline ads."""
    head = ("<meta property='og:title' content='" + e(story.title) + "'>"
            f"<meta property='article:published_time' content='{story.date}T07:00:00+07:00'>"
            "<meta property='og:site_name' content='Dân Việt Điện Tử'>"
            "<script type='application/ld+json'>{\"@context\":\"https://schema.org\","
            "\"@type\":\"NewsArticle\",\"headline\":\"" + story.title.replace('"', "'")
            + "\",\"datePublished\":\"" + story.date + "T07:00:00+07:00\",\"author\":"
            "{\"@type\":\"Person\",\"name\":\"" + story.author + "\"}}</script>")
    paragraphs = [f"<p>{e(p)}</p>" for p in story.paragraphs]
    body = (f"{NAV}<main><article class='singular-container'>"
            f"<h1 class='title-page detail'>{e(story.title)}</h1>"
            f"<div class='author-wrap'><span class='author-name'>{e(story.author)}</span>"
            f"<time class='author-time' datetime='{story.date}T07:00'>{_dmy(story.date)}"
            f"</time></div><div class='singular-content'>{paragraphs[0]}"
            f"<div class='ads-inline'>{ADS}</div>{''.join(paragraphs[1:])}</div>"
            f"<div class='social-share'><a href='#'>Chia sẻ Facebook</a><a href='#'>Zalo</a>"
            f"</div></article>{RELATED}</main>{MOST_READ}{FOOTER}")
    return _page(story.title, head, body)


def layout_portal(story: Story) -> str:
    """A government portal: tables, the body in a cell beside the menu, 'Ngày đăng:'."""
    menu = ("<td class='left-menu' width='200'><ul><li><a href='/gt'>Giới thiệu</a></li>"
            "<li><a href='/tt'>Tin tức - Sự kiện</a></li><li><a href='/vb'>Văn bản pháp quy</a>"
            "</li><li><a href='/tk'>Thống kê truy cập</a></li></ul>"
            "<div>Tổng số: 1.234.567</div><div>Trực tuyến: 42</div></td>")
    body = ("<table width='100%'><tr><td colspan='2' class='banner'>CỔNG THÔNG TIN ĐIỆN TỬ "
            "TỈNH</td></tr><tr>" + menu + "<td class='content'>"
            f"<div class='title_news'><h2>{e(story.title)}</h2></div>"
            f"<div class='ngaydang'>Ngày đăng: {_dmy(story.date)}</div>"
            f"<div class='news_content'>{_paras(story)}<p align='right'><b>{e(story.author)}"
            "</b></p></div><div class='tinkhac'><b>Các tin khác</b><ul>"
            "<li><a href='/k1'>Hội nghị triển khai nhiệm vụ năm 2024</a></li>"
            "<li><a href='/k2'>Thông báo lịch tiếp công dân tháng 3</a></li></ul></div>"
            "</td></tr><tr><td colspan='2'>Liên kết website: <a href='/l'>Chính phủ</a></td>"
            "</tr></table>")
    return _page(f"{story.title}", "", body)


def layout_hidden_date(story: Story) -> str:
    """No date anywhere in the markup but the URL (/2024/10/28/...); 'Xem thêm' links."""
    body = (f"{NAV}<div id='wrapper'><div class='main-content'><h1 class='post-title'>"
            f"{e(story.title)}</h1><div class='byline'>Bài: {e(story.author)}</div>"
            f"<div class='post-body'>{_paras(story)}<p class='see-more'><strong>Xem thêm:"
            f"</strong> <a href='/y1'>Lũ quét ở Yên Bái</a></p></div>"
            f"<div class='share'>Chia sẻ</div></div>{MOST_READ}</div>{COMMENTS}{FOOTER}")
    return _page(f"{story.title} - Báo Thanh Xuân", "", body)


def layout_amp(story: Story) -> str:
    """An AMP-style page: <main>, og: tags, the date in a 'Cập nhật' line, big comments."""
    head = (f"<meta property='og:title' content='{e(story.title)}'>"
            "<meta name='pubdate' content='" + story.date + "'>")
    body = (f"<amp-sidebar>{NAV}</amp-sidebar><main><div class='article-header'>"
            f"<h1>{e(story.title)}</h1><p class='meta'>Cập nhật: 10:05, {_dmy(story.date)}</p>"
            f"</div><div class='article-body'>{_paras(story)}</div>"
            f"<p class='source'>{e(story.author)}</p></main>{COMMENTS}{COMMENTS}{FOOTER}")
    return _page(story.title, head, body)


LAYOUTS: dict[str, Callable[[Story], str]] = {
    "express": layout_express, "related-inside": layout_related_inside,
    "structured": layout_structured, "portal": layout_portal,
    "hidden-date": layout_hidden_date, "amp": layout_amp,
}


def to_windows_1258(text: str) -> bytes:
    """windows-1258 bytes of Vietnamese text: tone marks as combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for char in text:
        try:
            out += char.encode("windows-1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += base.encode("windows-1258") + tone.encode("windows-1258")
    return bytes(out)


# --- feeds -------------------------------------------------------------------------------

def rss(title: str, items: list[tuple[str, str, str]], *, link: str = "http://127.0.0.1/"
        ) -> bytes:
    """RSS 2.0 of (guid/link, title, pubDate ISO) items."""
    entries = "".join(
        f"<item><title>{e(t)}</title><link>{e(u)}</link><guid>{e(u)}</guid>"
        f"<pubDate>{_rfc822(d)}</pubDate><description>{e(t)}</description></item>"
        for u, t, d in items)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>{e(title)}</title><link>{e(link)}</link><description>Tin mới</description>"
            f"{entries}</channel></rss>").encode()


def atom(title: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<entry><id>tag:127.0.0.1,2024:{e(u)}</id><title>{e(t)}</title>"
        f"<link rel='alternate' href='{e(u)}'/><updated>{d}T08:00:00Z</updated>"
        f"<summary>{e(t)}</summary></entry>" for u, t, d in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>{e(title)}</title><id>tag:127.0.0.1,2024:feed</id>"
            f"<updated>2024-12-01T08:00:00Z</updated>{entries}</feed>").encode()


def _rfc822(iso: str) -> str:
    return formatdate(time.mktime(time.strptime(iso + " 08:00", "%Y-%m-%d %H:%M")), usegmt=True)


# --- the server ----------------------------------------------------------------------------

@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # 'redirect-loop', 'huge' (declares 200 MB), 'endless' (chunks forever), 'drip' (a byte
    # every 0.5 s), 'slow' (2 s before answering), 'drop' (close unanswered), or '' (plain)
    behaviour: str = ""
    location: str = ""  # for 3xx
    etag: str | None = None  # answered with; a matching If-None-Match gets 304


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up on a kept-alive connection is normal, not a traceback on the
    stderr a test reads; anything else still prints."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class NewsSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site._serve(self)

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> NewsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add(self, path: str, body: bytes | str = b"", **kwargs: Any) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)
        return self.url(path)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.requests.append((path, dict(handler.headers.items())))
        route = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
        if route is None:
            route = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain") \
                if path == "/robots.txt" else Route(b"<h1>Not found</h1>", status=404)
        if route.behaviour == "drop":
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        if route.behaviour == "slow":
            time.sleep(2.0)
        if route.behaviour == "redirect-loop":
            handler.send_response(302)
            handler.send_header("Location", route.location or path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if route.etag is not None and handler.headers.get("If-None-Match") == route.etag:
            handler.send_response(304)
            handler.send_header("ETag", route.etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        if route.location:
            handler.send_header("Location", route.location)
        if route.etag is not None:
            handler.send_header("ETag", route.etag)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if route.behaviour == "huge":  # says 200 MB, then sends until the reader hangs up
            handler.send_header("Content-Length", str(200_000_000))
            handler.end_headers()
            try:
                for _ in range(200_000_000 // 65_536):
                    handler.wfile.write(b"x" * 65_536)
            except OSError:
                pass
            return
        if route.behaviour in ("endless", "drip"):
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            block = b"<p>" + b"x" * 65_000 + b"</p>"
            try:
                while True:
                    piece = block if route.behaviour == "endless" else b"<"
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    handler.wfile.flush()
                    if route.behaviour == "drip":
                        time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError, OSError):
                return
        handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        handler.wfile.write(route.body)
