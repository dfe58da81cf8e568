"""Compile locale/*/LC_MESSAGES/*.po into .mo files without GNU gettext.

`make` runs this so a fresh machine needs no gettext package to show every language.

    python -m portal.i18n_compile               # compile changed catalogues
    python -m portal.i18n_compile --compare DIR # list messages in locale/ missing from DIR
"""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent


def compile_all(base: Path = BASE_DIR) -> int:
    count = 0
    for po_path in sorted((base / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


def msgids(locale_dir: Path) -> set[tuple[str, str, str]]:
    """Return (language, context, msgid) for every live entry under ``locale_dir``."""
    found = set()
    for po_path in locale_dir.glob("*/LC_MESSAGES/django.po"):
        language = po_path.parent.parent.name
        for entry in polib.pofile(str(po_path)):
            if not entry.obsolete:
                found.add((language, entry.msgctxt or "", entry.msgid))
    return found


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--compare":
        missing = sorted(msgids(BASE_DIR / "locale") - msgids(Path(sys.argv[2])))
        for language, _context, msgid in missing:
            print(f"not in the committed catalogue [{language}]: {msgid!r}")
        sys.exit(1 if missing else 0)
    print(f"compiled {compile_all()} translation catalogue(s)")
