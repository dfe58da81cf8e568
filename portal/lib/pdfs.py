"""Find active content in an uploaded PDF without running or rendering it.

A PDF can carry scripts (``/JavaScript``, ``/JS``), actions run on opening or on events
(``/OpenAction``, ``/AA``), commands to start programs (``/Launch``) and whole files
inside it (``/EmbeddedFile``, ``/EmbeddedFiles``, ``/RichMedia``, XFA forms). Dossier
documents need none of them. The names are looked for in the file as written, with
``#xx`` escapes decoded (``/J#61vaScript`` is ``/JavaScript``), outside streams and
inside object streams (where compressed PDFs keep their dictionaries), decompressed with
a budget so a compression bomb costs nothing.
"""

import re
import zlib

ACTIVE_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
        "GoToE",
    }
)
# Decompressed bytes looked at in all streams together; beyond it the file is refused.
INFLATE_BUDGET = 64 * 1024 * 1024

_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+\-]|#[0-9A-Fa-f]{2})+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


class UnreadablePdf(ValueError):
    """The file's streams could not be looked into within the budget."""


def _names(data: bytes) -> set[str]:
    found = set()
    for match in _NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        found.add(raw.decode("latin-1"))
    return found


def active_content(data: bytes) -> set[str]:
    """Return the active-content names found in the PDF ``data`` (empty: none).

    Stream contents (images, page drawings) are skipped, so their bytes cannot look like a
    name by chance; object streams (``/Type /ObjStm``), which hold dictionaries, are
    inflated and read. Raises UnreadablePdf when they inflate past INFLATE_BUDGET.
    """
    found: set[str] = set()
    budget = INFLATE_BUDGET
    position = 0
    for match in _STREAM.finditer(data):
        outside = data[position : match.start()]
        position = match.end()
        found |= _names(outside) & ACTIVE_NAMES
        # The stream's dictionary: from its object's "obj" keyword to "stream".
        dictionary = outside[outside.rfind(b"obj") :]
        if "ObjStm" not in _names(dictionary):
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget + 1)
        except zlib.error:
            raise UnreadablePdf("object stream cannot be inflated") from None
        budget -= len(inflated)
        if budget < 0 or inflater.unconsumed_tail:
            raise UnreadablePdf("compressed streams too large")
        found |= _names(inflated) & ACTIVE_NAMES
    found |= _names(data[position:]) & ACTIVE_NAMES
    return found
