"""The Docker image and docker-compose.yml, proven without a Docker engine.

Lints: hadolint on the Dockerfile, Compose v1's own `config` and the compose-spec
schema on docker-compose.yml. Then the image's steps themselves, read from the
Dockerfile so that changing it changes what runs here: each stage gets a folder
standing for its WORKDIR, COPY copies from the build context (as .dockerignore
filters it) or from an earlier stage, RUN runs with the stage's ENV (the Python
stage's `pip` being a fresh virtualenv's), and the final CMD and HEALTHCHECK run
with the environment docker-compose.yml gives the `web` service, against the
embedded database, with every file of the image made read-only first.
"""

import itertools
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import uuid
import venv
from pathlib import Path

import pytest
import requests
import yaml
from flask import request
from pymongo import MongoClient
from werkzeug.middleware.proxy_fix import ProxyFix

from backend import create_app
from backend.settings import ConfigError
from devtools.embedded_mongo import free_port
from tests.conftest import PASSWORD, csrf_token_from
from tests.servers import wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
REQUIREMENTS = ROOT / "requirements.txt"
EXPORT_COMMAND = (
    "uv export --frozen --no-dev --no-emit-project --format requirements-txt -o requirements.txt"
)
# RUN steps that set up the operating system of the image (its user, say):
# nothing to run outside a container. Every other RUN step runs here.
SYSTEM_SETUP = {"groupadd", "useradd", "adduser", "addgroup", "apt-get", "chown"}
START_TIMEOUT_SECONDS = 30


# ---- Lints -------------------------------------------------------------------


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def test_hadolint_passes():
    result = run([BIN / "hadolint", DOCKERFILE], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def compose_dir(tmp_path):
    """A copy of docker-compose.yml away from any .env the developer has."""
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    return tmp_path


def compose_config(compose_dir, **env):
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is not installed: apt-get install docker-compose")
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    command = [compose, "-f", "docker-compose.yml", "config", "-q"]
    return run(command, cwd=compose_dir, env={**environment, **env})


def test_compose_v1_accepts_the_file(compose_dir):
    result = compose_config(compose_dir, SECRET_KEY="compose-test-key")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_refuses_to_start_without_a_secret_key(compose_dir):
    result = compose_config(compose_dir)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "token_hex" in result.stderr, result.stderr


def test_compose_file_matches_the_compose_spec():
    command = [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE]
    result = run(command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_keeps_secrets_out_and_waits_for_mongo():
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    web, mongo = services["web"], services["mongo"]
    assert web["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert web["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert re.fullmatch(r"mongo:\d+(\.\d+)*", mongo["image"]), "pin MongoDB's major version"
    assert "mongosh" in mongo["healthcheck"]["test"]


def test_port_agrees_everywhere():
    final = Dockerfile.parse(DOCKERFILE).final_stage_settings()
    web = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]
    assert final["EXPOSE"] == final["ENV"]["PORT"] == "8000"
    assert web["ports"] == ["127.0.0.1:${WEB_PORT:-8000}:8000"]  # this machine only


def test_web_cannot_gain_privileges():
    web = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]
    # The `key=value` form: Docker logs the `key:value` one as deprecated at every start.
    assert web["security_opt"] == ["no-new-privileges=true"]
    assert web["cap_drop"] == ["ALL"] and web["read_only"] is True


def test_mongodb_is_a_replica_set_that_the_compose_file_initiates():
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    web, mongo = compose["services"]["web"], compose["services"]["mongo"]
    # Change streams (and so /api/events) need a replica set; one member will do.
    assert mongo["command"] == ["--replSet", "rs0"]
    assert web["environment"]["MONGO_URI"].endswith("?replicaSet=rs0")
    check = " ".join(mongo["healthcheck"]["test"])
    # Initiated by the health check when rs.status() says it is not yet, so that
    # running it again (every interval, every restart) changes nothing.
    assert re.search(r"try \{ rs\.status\(\) \} catch .*rs\.initiate\(", check), check
    assert '"rs0"' in check and "mongo:27017" in check and "isWritablePrimary" in check
    # The data (the replica set's configuration with it) outlives the container, and
    # the image's other volume is named rather than anonymous.
    assert {"mongo-data:/data/db", "mongo-config:/data/configdb"} <= set(mongo["volumes"])
    assert {"mongo-data", "mongo-config"} <= set(compose["volumes"])


def test_image_builds_the_front_end_on_the_node_lts_that_ci_uses():
    text = DOCKERFILE.read_text()
    # A `# syntax=` line makes BuildKit fetch a frontend image, even offline.
    assert not text.startswith("# syntax="), text.splitlines()[0]
    (node,) = re.findall(r"^FROM node:(\d+)-", text, re.MULTILINE)
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    versions = [
        step["with"]["node-version"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/setup-node")
    ]
    assert versions == [node], (node, versions)
    assert int(node) % 2 == 0 and int(node) >= 22, "an LTS line Node still supports"


# ---- requirements.txt: uv.lock's runtime dependencies, nothing else ----------


def test_requirements_txt_is_uv_lock_exported():
    command = EXPORT_COMMAND.replace("-o requirements.txt", "--no-header").split()
    result = run([BIN / command[0], *command[1:]], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    committed = re.sub(r"\A(#.*\n)+", "", REQUIREMENTS.read_text())
    exported = re.sub(r"\A(#.*\n)+", "", result.stdout)
    assert committed == exported, f"requirements.txt is stale: run `{EXPORT_COMMAND}`"


def test_requirements_txt_has_no_development_package():
    import tomllib

    def name(requirement):
        return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {name(r) for r in pyproject["project"]["dependencies"]}
    development = {name(r) for r in pyproject["dependency-groups"]["dev"]} - runtime
    pinned = set(re.findall(r"^([A-Za-z0-9._-]+)==", REQUIREMENTS.read_text(), re.MULTILINE))
    assert "secantusdb" in development
    assert not {p.lower() for p in pinned} & development
    assert runtime <= {p.lower() for p in pinned}
    assert "--require-hashes" in DOCKERFILE.read_text()


# ---- .dockerignore -----------------------------------------------------------


class DockerIgnore:
    """The build context's filter, as Docker reads .dockerignore (last match wins)."""

    def __init__(self, text):
        self.patterns = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = os.path.normpath(line.lstrip("!")).lstrip("/")
            self.patterns.append((re.compile(self._regex(pattern)), keep))

    @staticmethod
    def _regex(pattern):
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part)
            )
        return regex

    def ignored(self, path):
        parts = Path(path).parts
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict = False
        for regex, keep in self.patterns:
            if any(regex.fullmatch(prefix) for prefix in prefixes):
                verdict = not keep
        return verdict


DOCKER_IGNORE = DockerIgnore((ROOT / ".dockerignore").read_text())


@pytest.mark.parametrize(
    "path",
    [
        "node_modules/jquery/package.json",
        "frontend/node_modules/x.js",
        "var/db/data",
        "var/secret_key",
        ".venv/bin/python",
        ".git/config",
        ".env",
        ".env.production",
        "backend/.env",
        "public/static/app.js",
        "backend/__pycache__/app.cpython-311.pyc",
        "tests/conftest.py",
        "devtools/embedded_mongo.py",
        "devtools/scaffold/__init__.py",
        "server.pem",
    ],
)
def test_dockerignore_keeps_out(path):
    assert DOCKER_IGNORE.ignored(path)


@pytest.mark.parametrize(
    "path", ["package.json", "package-lock.json", "backend/app.py", "requirements.txt"]
)
def test_dockerignore_lets_in(path):
    assert not DOCKER_IGNORE.ignored(path)


# ---- The image's steps, outside a container ----------------------------------


class Dockerfile:
    """The instructions of a Dockerfile, and a runner for the ones that build files."""

    def __init__(self, instructions):
        self.instructions = instructions

    @classmethod
    def parse(cls, path):
        instructions, current = [], ""
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if line.startswith("#") or (not line and not current):
                continue  # comments, also inside a continued instruction
            if line.endswith("\\"):
                current += line[:-1] + " "
                continue
            keyword, _, rest = (current + line).strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
            current = ""
        return cls(instructions)

    def final_stage_settings(self):
        settings = {"ENV": {}}
        for keyword, rest in self.instructions:
            if keyword == "FROM":
                settings = {"ENV": {}, "FROM": rest}
            elif keyword == "ENV":
                settings["ENV"].update(parse_env(rest))
            else:
                settings[keyword] = rest
        return settings


def parse_env(rest):
    pairs = dict(word.split("=", 1) for word in shlex.split(rest))
    assert all("$" not in value for value in pairs.values()), "ENV substitution: not supported"
    return pairs


class Stage:
    def __init__(self, name, image, root):
        self.name, self.image, self.root = name, image, root
        self.workdir = None
        self.env = {}

    def path(self, container_path):
        """Where ``container_path`` (absolute, or relative to WORKDIR) is here."""
        if not container_path.startswith("/"):
            return self.root / container_path
        assert container_path == self.workdir or container_path.startswith(self.workdir + "/"), (
            f"{container_path}: keep the stage's paths under its WORKDIR {self.workdir}"
        )
        return self.root / os.path.relpath(container_path, self.workdir)


class ImageBuild:
    """Runs a Dockerfile's steps in ``work``; the final stage's files end up in ``app``."""

    def __init__(self, dockerfile, work):
        self.dockerfile = dockerfile
        self.work = work
        self.stages = []
        self.skipped = []
        self.log = work / "build.log"
        # The Python image's interpreter: a fresh virtualenv, so only what the
        # Dockerfile's pip installs is there (no SecantusDB, no pytest).
        self.python_home = work / "python"
        # The app user's $HOME: it has none (/nonexistent); here, an empty read-only folder.
        self.home = work / "home"
        self.home.mkdir()

    @property
    def app(self):
        return self.stages[-1].root

    def base_env(self, stage):
        if stage.image.startswith("python:"):
            path = f"{self.python_home / 'bin'}:/usr/local/bin:/usr/bin:/bin"
            home = self.home
        else:
            node = Path(shutil.which("node")).parent
            path = f"{node}:/usr/local/bin:/usr/bin:/bin"
            home = Path.home()  # npm's cache: Docker has its layer cache instead
        return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}

    def build(self):
        for keyword, rest in self.dockerfile.instructions:
            getattr(self, f"do_{keyword.lower()}")(rest)
        return self

    def do_from(self, rest):
        words = rest.split()
        assert not words[0].startswith("--"), "FROM --platform: not supported"
        name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(self.stages))
        stage = Stage(name, words[0], self.work / f"stage-{len(self.stages)}")
        stage.root.mkdir()
        if stage.image.startswith("python:"):
            venv.create(self.python_home, with_pip=True)
        self.stages.append(stage)

    def do_workdir(self, rest):
        stage = self.stages[-1]
        assert stage.workdir is None, "one WORKDIR per stage, please"
        stage.workdir = rest

    def do_env(self, rest):
        self.stages[-1].env.update(parse_env(rest))

    def do_copy(self, rest):
        stage = self.stages[-1]
        words = shlex.split(rest)
        flags = [w for w in words if w.startswith("--")]
        *sources, dest = [w for w in words if not w.startswith("--")]
        source_stage = None
        for flag in flags:
            assert flag.startswith("--from="), f"COPY {flag}: not supported"
            source_stage = next(s for s in self.stages if s.name == flag.split("=", 1)[1])
        into_dir = dest.endswith("/") or len(sources) > 1
        target = stage.path(dest)
        for source in sources:
            if source_stage:
                self.copy(source_stage.path(source), None, target, into_dir)
            else:
                matches = sorted(ROOT.glob(source.rstrip("/"))) or [ROOT / source]
                for match in matches:
                    self.copy(match, match.relative_to(ROOT).as_posix(), target, into_dir)

    @staticmethod
    def copy(source, context_path, target, into_dir):
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                relative = path.relative_to(source)
                if path.is_dir() or (
                    context_path and DOCKER_IGNORE.ignored(f"{context_path}/{relative}")
                ):
                    continue
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
            return
        assert source.exists(), f"COPY {source}: no such file"
        assert not (context_path and DOCKER_IGNORE.ignored(context_path)), (
            f"COPY {context_path}: .dockerignore keeps it out of the build context"
        )
        destination = target / source.name if into_dir else target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)

    def do_run(self, rest):
        stage = self.stages[-1]
        if shlex.split(rest)[0] in SYSTEM_SETUP:
            self.skipped.append(rest)
            return
        with self.log.open("a") as log:
            log.write(f"\n$ {rest}\n")
            log.flush()
            result = subprocess.run(
                ["/bin/sh", "-c", rest],
                cwd=stage.root,
                env={**self.base_env(stage), **stage.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=300,
            )
        assert result.returncode == 0, f"RUN {rest} failed:\n{self.log.read_text()[-4000:]}"

    def do_user(self, rest):
        self.user = rest

    def do_expose(self, rest):
        self.expose = rest

    def do_healthcheck(self, rest):
        _options, _, command = rest.partition(" CMD ")
        self.healthcheck = json.loads(command)

    def do_cmd(self, rest):
        self.cmd = json.loads(rest)  # the exec form: no shell of Docker's around it

    def runtime_env(self, overrides):
        stage = self.stages[-1]
        return {**self.base_env(stage), **stage.env, **overrides}


def compose_web_environment():
    """docker-compose.yml's environment for `web`, its ${VAR:-default}s resolved."""
    environment = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]["environment"]
    resolved = {}
    for key, value in environment.items():
        match = re.fullmatch(r"\$\{(\w+)(?::-([^}]*))?(?::\?.*)?\}", str(value))
        resolved[key] = match.group(2) if match else str(value)
    return resolved


def read_only(*folders):
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def snapshot(*folders):
    return {
        (str(path), path.lstat().st_mtime_ns, path.lstat().st_size)
        for folder in folders
        for path in [folder, *folder.rglob("*")]
    }


class LoopbackSession(requests.Session):
    """Sends Secure cookies to http://127.0.0.1, as browsers do for localhost."""

    def prepare_request(self, request):
        for cookie in self.cookies:
            cookie.secure = False
        return super().prepare_request(request)


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The image's files, built by the Dockerfile's own steps, then made read-only."""
    work = tmp_path_factory.mktemp("image")
    build = ImageBuild(Dockerfile.parse(DOCKERFILE), work).build()
    read_only(build.app, build.python_home, build.home)
    yield build
    for folder in (build.app, build.python_home, build.home):  # let pytest clean up
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def container(image, mongo_uri):
    """The image's CMD, run with docker-compose's environment, against the embedded database."""
    database = f"container_{uuid.uuid4().hex[:12]}"
    env = image.runtime_env(
        {
            **compose_web_environment(),
            "MONGO_URI": mongo_uri,  # compose: mongodb://mongo:27017/
            "MONGO_DATABASE": database,
            "SECRET_KEY": "container-test-secret-key-" + "k" * 32,
            "PORT": str(free_port()),
        }
    )
    before = snapshot(image.app, image.python_home, image.home)
    log_path = image.work / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            image.cmd,
            cwd=image.app,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{env['PORT']}"
    running = Container(process, url, env, log_path, before)
    try:
        running.wait_until_healthy()
        yield running
    finally:
        running.stop()
        with MongoClient(mongo_uri) as client:
            client.drop_database(database)


class Container:
    def __init__(self, process, url, env, log_path, before):
        self.process, self.url, self.env = process, url, env
        self.log_path, self.before = log_path, before
        self.returncode = None

    def log(self):
        return self.log_path.read_text()

    def wait_until_healthy(self):
        wait_until_healthy(self.url, self.process, START_TIMEOUT_SECONDS, self.log)

    def stop(self):
        if self.returncode is None:
            self.process.terminate()  # gunicorn's graceful shutdown
            try:
                self.returncode = self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.returncode = self.process.wait()


def test_image_build_skips_only_system_setup(image):
    assert image.skipped, "the image makes its own user"
    assert all(shlex.split(step)[0] in SYSTEM_SETUP for step in image.skipped)
    assert image.user not in ("root", "0", "0:0") and not image.user.startswith("root")


def test_image_has_the_front_end_build_and_its_manifest(image):
    static = image.app / "public" / "static"
    assert {"vendor.js", "app.js", "app.css"} <= {p.name for p in static.iterdir()}
    assert (image.app / "public" / "index.html").exists()
    manifest = json.loads((image.app / "public" / "webassets-manifest.json").read_text())
    assert set(manifest) >= {"vendor.js", "app.js", "app.css"}


def test_image_has_only_the_runtime_dependencies(image):
    python = image.python_home / "bin" / "python"
    result = run([python, "-m", "pip", "list", "--format=json"])
    installed = {p["name"].lower() for p in json.loads(result.stdout)}
    assert {"flask", "gunicorn", "pymongo"} <= installed
    assert not installed & {"secantusdb", "pytest", "playwright", "ruff", "uv"}


def test_image_has_no_development_tools(image):
    # devtools/ (the scaffold, the embedded database) stays on developers' machines.
    python = image.python_home / "bin" / "python"
    result = run([python, "-c", "import devtools"], cwd=image.app)
    assert not (image.app / "devtools").exists()
    assert "No module named 'devtools'" in result.stderr


def test_healthz(container):
    response = requests.get(f"{container.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_image_healthcheck_passes(container, image):
    result = run(image.healthcheck, env=container.env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def session(container):
    """A browser-like session, registered and logged in through the forms (the
    account verified in the database: production without SMTP_HOST sends no link)."""
    http = LoopbackSession()
    page = http.get(f"{container.url}/register", timeout=5)
    assert page.status_code == 200, page.text
    # Production's session cookie is Secure: for a TLS-terminating proxy.
    assert "; Secure" in page.headers["Set-Cookie"], page.headers["Set-Cookie"]
    response = http.post(
        f"{container.url}/register",
        data={
            "email": "docker@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert "Check your email" in response.text
    with MongoClient(container.env["MONGO_URI"]) as client:
        users = client[container.env["MONGO_DATABASE"]].users
        users.update_one({"email": "docker@example.com"}, {"$set": {"email_verified": True}})
    token = csrf_token_from(http.get(f"{container.url}/login", timeout=5).text)
    login = {"email": "docker@example.com", "password": PASSWORD, "csrf_token": token}
    response = http.post(f"{container.url}/login", data=login, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return http


def test_index_serves_versioned_assets_with_immutable_caching(container, image, session):
    index = session.get(f"{container.url}/", allow_redirects=False, timeout=5)
    assert index.status_code == 200, index.text
    urls = re.findall(r'(?:href|src)="(/static/[^"?]+\?[^"]+)"', index.text)
    template = (ROOT / "frontend" / "app" / "assets" / "index.html").read_text()
    assert len(urls) == template.count("asset_url("), index.text
    manifest = json.loads((image.app / "public" / "webassets-manifest.json").read_text())
    for url in urls:
        path, version = url.split("?")
        name = path.removeprefix("/static/")
        assert version == manifest[name]
        asset = session.get(f"{container.url}{url}", timeout=5)
        assert asset.status_code == 200
        assert "immutable" in asset.headers["Cache-Control"]
        assert asset.content == (image.app / "public" / "static" / name).read_bytes()


def test_api_round_trip(container, session):
    index = session.get(f"{container.url}/", timeout=5).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', index).group(1)
    created = session.post(
        f"{container.url}/api/widgets",
        json={"name": "Shipping container", "description": "made under gunicorn"},
        headers={"X-CSRFToken": token},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    widget = created.json()
    fetched = session.get(f"{container.url}{created.headers['Location']}", timeout=5)
    assert fetched.status_code == 200
    assert fetched.json() == widget
    assert widget["name"] == "Shipping container" and widget["version"] == 1


def test_live_changes_stream_through_the_images_gunicorn(container, session):
    """gthread passes each event on at once, and the API answers while streams are open."""
    index = session.get(f"{container.url}/", timeout=5).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', index).group(1)
    streams = [
        session.get(f"{container.url}/api/events", stream=True, timeout=10) for _ in range(20)
    ]
    try:
        assert all(s.status_code == 200 for s in streams), [s.status_code for s in streams]
        assert streams[0].headers["X-Accel-Buffering"] == "no"
        created = session.post(
            f"{container.url}/api/widgets",
            json={"name": "Live from gunicorn"},
            headers={"X-CSRFToken": token},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        for stream in (streams[0], streams[-1]):
            lines = stream.iter_lines(decode_unicode=True)
            assert "event: change" in itertools.takewhile(
                lambda line: "Live from gunicorn" not in line, lines
            )
    finally:
        for stream in streams:
            stream.close()


def test_gunicorn_logs_requests_writes_nothing_and_stops_cleanly(container, image):
    requests.get(f"{container.url}/healthz", timeout=5)
    container.stop()
    assert container.returncode == 0, container.log()
    log = container.log()
    assert '"GET /healthz HTTP/1.1" 200' in log, log  # the access log, on stdout
    assert "Traceback" not in log, log
    after = snapshot(image.app, image.python_home, image.home)
    assert after == container.before, f"the app wrote into its files: {after ^ container.before}"


# ---- TRUSTED_PROXIES: ProxyFix for a TLS-terminating proxy --------------------


def test_trusted_proxies_reads_the_forwarded_headers(make_app):
    app = make_app({"TRUSTED_PROXIES": "1"})
    assert isinstance(app.wsgi_app, ProxyFix)

    @app.get("/_proxy_probe")
    def probe():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    headers = {
        "X-Forwarded-For": "198.51.100.7, 203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "app.example.com",
    }
    seen = app.test_client().get("/_proxy_probe", headers=headers).get_json()
    # Only the last hop, which the one trusted proxy added, is believed.
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https", "host": "app.example.com"}


def test_no_trusted_proxies_ignores_the_forwarded_headers(app):
    assert not isinstance(app.wsgi_app, ProxyFix)
    assert app.config["TRUSTED_PROXIES"] == 0


def test_trusted_proxies_must_be_a_count(settings):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({**settings, "TRUSTED_PROXIES": "yes"})
