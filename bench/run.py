"""Run every benchmark in bench/ (`make bench`), one after the other."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Modules that are helpers, not benchmarks (audit.py is `make audit`, run on its own).
HELPERS = {"run.py", "settings.py", "urls.py", "__init__.py", "scale_data.py", "audit.py"}


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in HELPERS:
            continue
        print(f"== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
