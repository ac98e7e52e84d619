# Flaskbone's image: `docker-compose up` builds it (see docker-compose.yml).
# tests/test_container.py runs this file's steps outside a container (the
# front-end build, the pip install, the manifest and the CMD), so keep paths
# relative to each stage's WORKDIR.

# ---- Front end: the locked npm packages and the production Brunch build, on
# Node's active LTS (CI's node-version is the same: .github/workflows/ci.yml).
FROM node:24-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY brunch-config.js ./
COPY frontend/ frontend/
RUN npm run build

# ---- The app: Python, the locked runtime dependencies only, gunicorn.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /app
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

# requirements.txt is `uv export --no-dev` of uv.lock, with hashes: no
# development package (SecantusDB is GPL-2.0) ever enters the image.
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.txt

COPY backend/ backend/
COPY --from=frontend /build/public/ public/
# The assets' content hashes, recorded once so serving needs no writable folder.
# The key and URI are placeholders for this command alone: it never connects.
RUN APP_ENV=production SECRET_KEY=image-build-only-not-a-secret-0123456789 MONGO_URI=mongodb://image-build.invalid/ \
    flask --app backend assets-manifest

# Every file is root's; the app runs as this user, who can only read them.
USER 10001:10001

# gthread workers: each open /api/events stream holds one of a worker's threads
# while it waits (cheap: a blocked thread costs no CPU and a little memory), so
# a worker has threads enough for LIVE_MAX_STREAMS (200) streams and 56 API
# requests at once. See "The worker model" in the README.
ENV APP_ENV=production \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    GUNICORN_THREADS=256
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# A shell only to read the settings from the environment; exec hands PID 1 to gunicorn.
# --worker-tmp-dir: heartbeat files in memory (the root filesystem may be read-only);
# --no-control-socket: gunicornc's socket would be written under $HOME.
CMD ["sh", "-c", "exec gunicorn --config python:backend.gunicorn_conf --bind 0.0.0.0:${PORT:-8000} --workers ${WEB_CONCURRENCY:-2} --worker-class gthread --threads ${GUNICORN_THREADS:-256} --worker-tmp-dir /dev/shm --no-control-socket --access-logfile - --logger-class backend.access_log.RedactingLogger --error-logfile - 'backend:create_app()'"]
