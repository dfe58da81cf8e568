"""Compile locale/*/LC_MESSAGES/*.po into .mo files without GNU gettext.

`make` runs this so a fresh machine needs no gettext package to show every language.
Usage: python -m portal.i18n_compile
"""

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


if __name__ == "__main__":
    print(f"compiled {compile_all()} translation catalogue(s)")
