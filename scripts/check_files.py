"""The file checks of .pre-commit-config.yaml, for `make lint` (no git hooks needed).

Over every file git tracks or would add (so not what .gitignore leaves out):
no trailing whitespace (Markdown may end a line with spaces: a line break),
exactly one newline at the end, nothing over 1 MB, and no `.env` file, which
holds secrets. Prints each problem and exits 1 if there is any.
"""

import subprocess
import sys
from pathlib import Path

MAX_BYTES = 1024 * 1024
ALLOWED_ENV_FILES = {".env.example"}


def project_files():
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    output = subprocess.run(command, capture_output=True, check=True).stdout
    return sorted({Path(name) for name in output.decode().split("\0") if name})


def problems(path):
    if path.name == ".env" or (
        path.name.startswith(".env.") and path.name not in ALLOWED_ENV_FILES
    ):
        yield "a .env file holds secrets: never commit it (.env.example is the template)"
    if path.is_symlink() or not path.is_file():
        return
    size = path.stat().st_size
    if size > MAX_BYTES:
        yield f"{size // 1024} KB is over the 1 MB limit"
        return
    data = path.read_bytes()
    if not data or b"\0" in data:
        return  # empty or binary
    if not data.endswith(b"\n"):
        yield "no newline at the end of the file"
    elif data.endswith(b"\n\n") or data.endswith(b"\r\n\r\n"):
        yield "blank lines at the end of the file"
    if path.suffix != ".md":
        for number, line in enumerate(data.splitlines(), 1):
            if line != line.rstrip():
                yield f"line {number}: trailing whitespace"


def main():
    found = False
    for path in project_files():
        for problem in problems(path):
            print(f"{path}: {problem}")
            found = True
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
