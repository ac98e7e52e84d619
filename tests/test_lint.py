"""`make lint` passes on the project and fails on each kind of violation.

Each test runs the real `make lint` in a copy of the project (what git tracks
or would add, with the installed .venv and node_modules linked in), after
seeding one violation there.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def append(path, text):
    with path.open("a") as file:
        file.write(text)


def replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def commit_env_file(root):
    (root / ".env").write_text("SECRET_KEY=oops\n")
    subprocess.run(["git", "add", "--force", ".env"], cwd=root, check=True)


# name: (how to seed it in the copy, what the failing checker says)
VIOLATIONS = {
    "python lint": (lambda root: append(root / "backend/__init__.py", "import os\n"), "F401"),
    "python format": (lambda root: append(root / "backend/__init__.py", "x = [1,2]\n"), "format"),
    "javascript lint": (
        lambda root: append(root / "frontend/app/routes.js", "var unused = 1;\n"),
        "no-unused-vars",
    ),
    "javascript format": (
        lambda root: append(root / "frontend/app/routes.js", 'module.exports.x = "y";\n'),
        "Code style issues",
    ),
    "trailing whitespace": (
        lambda root: append(root / ".editorconfig", "# a comment \n"),
        "trailing whitespace",
    ),
    "end of file": (
        lambda root: append(root / "frontend/app/styles/app.css", "\n"),
        "blank lines at the end",
    ),
    "large file": (
        lambda root: (root / "docs/big.bin").write_bytes(b"\0" * (1024 * 1024 + 1)),
        "over the 1 MB limit",
    ),
    ".env file": (commit_env_file, "never commit it"),
    "workflow": (
        lambda root: replace(root / ".github/workflows/ci.yml", "runs-on:", "runs_on:"),
        "ci.yml",
    ),
    "workflow expression": (
        lambda root: replace(
            root / ".github/workflows/ci.yml",
            "runs-on: ubuntu-latest",
            "runs-on: ${{ github.oops }}",
        ),
        'property "oops" is not defined',
    ),
    "dockerfile": (lambda root: append(root / "Dockerfile", "RUN cd /tmp\n"), "DL3003"),
}


@pytest.fixture
def project(tmp_path):
    """A copy of the project, as git would see it, sharing the installed dependencies."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    root = tmp_path / "project"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)  # keeps mtimes: make sees nothing to install
    for installed in (".venv", "node_modules"):
        (root / installed).symlink_to(ROOT / installed)
    subprocess.run(["git", "init", "--quiet"], cwd=root, check=True)
    return root


def make_lint(root):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    result = subprocess.run(
        ["make", "--no-print-directory", "lint"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def test_make_lint_passes_on_the_project(project):
    status, output = make_lint(project)
    assert status == 0, output


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_make_lint_fails_on_a_violation(project, violation):
    seed, message = VIOLATIONS[violation]
    seed(project)
    status, output = make_lint(project)
    assert status != 0, output
    assert message in output, output
