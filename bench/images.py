"""Upload decoding cost: time and peak memory of one upload, each case in a fresh process.

    .venv/bin/python bench/images.py

Cases: the 49-megapixel PNG of the issue (refused from its header now), the largest PNG
still accepted (16 Mpx, decoded in full), a 48-megapixel phone JPEG (decoded at 1/4 scale
with ``draft``), each through ``portal.lib.images.process_image``; beside each, the same
file decoded in full and resized the way it was before (``Image.load`` then thumbnails),
so the ratio is read side by side. Peak memory is the process's maximum resident size
minus what it used before the case (VmHWM after resetting it through
/proc/self/clear_refs, Linux), so Pillow's own buffers count.
"""

import os
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The generated files, made once so that making them does not count in a case's memory.
WORK = ROOT / "var" / "bench-images"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

CASES = {
    "png-49mpx": ("PNG", (7000, 7000)),
    "png-16mpx": ("PNG", (4000, 4000)),
    "jpeg-48mpx": ("JPEG", (8000, 6000)),
}


def make(fmt: str, size: tuple[int, int]) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    if fmt == "PNG":
        # One colour, one bit a pixel, compresses to almost nothing: the "bomb".
        Image.new("1", size, 1).save(buffer, "PNG")
    else:
        image = Image.linear_gradient("L").resize(size).convert("RGB")
        image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_case(name: str, mode: str) -> None:
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from portal.lib.images import RENDITIONS, process_image

    data = Path(WORK / f"{name}.bin").read_bytes()
    # Reset the peak resident size to the current one (Linux), so the case's own peak shows.
    Path("/proc/self/clear_refs").write_text("5")
    base = _status_kb("VmRSS")
    started = time.process_time()
    outcome = "stored"
    if mode == "now":
        try:
            process_image(SimpleUploadedFile("x", data))
        except ValidationError as exc:
            outcome = f"refused ({exc.code})"
    else:
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(BytesIO(data)) as image:
            image.load()
            image = image.convert("RGB")
            for longest in RENDITIONS.values():
                copy = image.copy()
                copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
                copy.save(BytesIO(), "JPEG", quality=82)
    seconds = time.process_time() - started
    peak = (_status_kb("VmHWM") - base) / 1024
    print(f"{len(data) / 1024:.0f}\t{seconds:.2f}\t{peak:.0f}\t{outcome}")


def main() -> None:
    WORK.mkdir(exist_ok=True)
    for name, (fmt, size) in CASES.items():
        (WORK / f"{name}.bin").write_bytes(make(fmt, size))
    print(
        f"{'case':12} {'file KB':>8} | {'before: CPU s':>13} {'MB':>6} | "
        f"{'now: CPU s':>10} {'MB':>6} | now"
    )
    for name in CASES:
        results = {}
        for mode in ("full", "now"):
            out = subprocess.run(
                [sys.executable, __file__, name, mode], capture_output=True, text=True, check=True
            ).stdout.split("\t")
            results[mode] = out
        size, before_s, before_mb, _ = results["full"]
        _size, now_s, now_mb, outcome = results["now"]
        print(
            f"{name:12} {size:>8} | {before_s:>13} {before_mb:>6} | {now_s:>10} {now_mb:>6} | "
            f"{outcome.strip()}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3:
        run_case(sys.argv[1], sys.argv[2])
    else:
        main()
