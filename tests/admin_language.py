"""Crawl the admin and the staff pages as a superuser and list the English left in them.

``crawl_staff(client, prefix)`` follows links under ``/admin/``, ``/staff/`` and
``/members/`` (no query strings, no sign-out, no downloads) from the staff home and the
admin index, and returns ``{url: [english words]}`` for the pages that show any, with the
addresses it fetched.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# Proper names, formats and standards that stay as they are in every language.
ALLOWED = {
    "G228",
    "G219",
    "CSV",
    "XLSX",
    "XLS",
    "TSV",
    "JSON",
    "HTML",
    "PDF",
    "SMS",
    "API",
    "URL",
    "ID",
    "IP",
    "QR",
    "OTP",
    "TOTP",
    "GeoJSON",
    "WGS",
    "GCJ",
    "Open311",
    "GeoReport",
    "WeCom",
    "DingTalk",
    "Feishu",
    "Excel",
    "UTF",
    "BOM",
    "iCal",
    "RSS",
    "Atom",
    "WebP",
    "PNG",
    "JPEG",
    "JPG",
    "MB",
    "KB",
    "km",
    "m",
    "SVG",
    "OpenStreetMap",
    "Leaflet",
    "CCTV",
    "WeChat",
    "Redis",
    "PostgreSQL",
    "SQLite",
    "Wi-Fi",
    "WiFi",
    "AM",
    "PM",
    "https",
    "http",
    "www",
    "cn",
    "com",
    "org",
    "example",
    "YYYY",
    "MM",
    "DD",
    "hh",
    "mm",
    "ss",
    "E164",
    "v2",
    "x",
    "X",
    "Ctrl",
    "Cmd",
    "Mac",
    "Shift",
    "Tab",
    "Enter",
    "ICS",
    "English",
    "LDAP",
    "Markdown",
    "Webhook",
    "SEC",
    "LineString",
    "Control",
    "Command",
}

_ALLOWED = {word.casefold() for word in ALLOWED}
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SKIP_TAGS = {"script", "style", "noscript", "pre", "textarea", "svg"}
_TEXT_ATTRS = {"title", "placeholder", "aria-label", "alt"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self._skip += 1
        for name, value in attrs:
            if value and name == "href":
                self.links.append(value)
            if value and name in _TEXT_ATTRS:
                self.text.append(value)
            # An <input type=submit> shows its value; a <button>'s value is never shown.
            if tag == "input" and value and name == "type" and value == "submit":
                label = dict(attrs).get("value")
                if label:
                    self.text.append(label)

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def english_words(text: str, data: set[str]) -> list[str]:
    """Return the words of ``text`` that look like English UI text.

    Words with digits, hyphens, dots or slashes (codes, slugs, addresses, file names) and
    the words of the test's own data (``data``: user names, e-mail addresses) are not UI.
    """
    found = []
    for token in re.split(r"\s+", text):
        if not token or re.search(r"[0-9_@/.\-:*]", token) or token in data:
            continue
        # A word with letters beyond ASCII is not English ("Tiếng", "Thêm").
        if re.search(r"[^\x00-\x7f]", token) and not re.search(
            r"[\u3000-\u9fff\uff00-\uffef]", token
        ):
            continue
        for word in _WORD.findall(token):
            # Two letters are a fragment (a masked password hash), not a word.
            if len(word) > 2 and word.casefold() not in _ALLOWED and word not in data:
                found.append(word)
    return found


def _crawlable(url: str, prefix: str) -> str | None:
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.query or not parts.path.startswith("/"):
        return None
    path = parts.path
    if not path.startswith(f"{prefix}/admin/") and not path.startswith(f"{prefix}/staff/"):
        if not path.startswith(f"{prefix}/members/"):
            return None
    skipped = ("logout", "sign-out", "/download", ".xlsx", ".csv", "jsi18n")
    if any(part in path for part in skipped):
        return None
    return path


def _page_words(client, url, data):
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return set()
    page = _Page()
    page.feed(response.content.decode())
    return set(english_words(" ".join(page.text), data))


# Vietnamese syllables written in plain ASCII that are English words too, and loanwords
# Vietnamese writes as they are ("trang web", "ứng dụng chat"; Django's own Vietnamese
# catalogue keeps "superuser" and "salt").
VIETNAMESE_ASCII = {
    "an",
    "bang",
    "con",
    "do",
    "hang",
    "long",
    "nam",
    "sang",
    "tang",
    "the",
    "to",
    "web",
    "chat",
    "pinyin",
    "superuser",
    "salt",
}


def crawl_staff(
    client, prefix="", *, data=frozenset(), limit=400
) -> tuple[dict[str, list[str]], set[str]]:
    """Fetch the staff area under ``prefix`` and return the English found, by page.

    Returns (English found by page, every address fetched). Under ``/vi`` plain-ASCII
    words are also Vietnamese, so a word counts as English there when the English page
    (``/en``) shows it too.
    """
    pending = [f"{prefix}/staff/", f"{prefix}/admin/"]
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    while pending and len(seen) < limit:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            target = _crawlable(response["Location"], prefix)
            if target:
                pending.append(target)
            continue
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        words = english_words(" ".join(page.text), set(data))
        if words and prefix == "/vi":
            english = _page_words(client, "/en" + url.removeprefix(prefix), set(data))
            words = [w for w in words if w in english and w.casefold() not in VIETNAMESE_ASCII]
        if words:
            found[url] = sorted(set(words))
        for link in page.links:
            target = _crawlable(link, prefix)
            if target and target not in seen:
                pending.append(target)
    return found, seen
