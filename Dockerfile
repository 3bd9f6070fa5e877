# assist-sync: the daemon in a container.
#
#   docker build -t assist-sync .
#   docker run -d --name assist-sync --env-file .env -v assist-sync-data:/data assist-sync
#
# The base is an argument so that an image built locally (scripts/build-image) can stand in for
# python:3.11-slim; PYTHON names its interpreter. The ledger (SQLite) lives in the /data volume.
ARG BASE=python:3.11-slim

# --- builder: a virtual environment with the project and its dependencies --------------------
FROM ${BASE} AS builder
ARG PYTHON=python3
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
SHELL ["/bin/sh", "-eu", "-c"]
WORKDIR /src
RUN "${PYTHON}" -m venv /opt/assist-sync
COPY pyproject.toml README.md ./
COPY config ./config
COPY ledger ./ledger
COPY sync ./sync
COPY wp_client ./wp_client
COPY jobs ./jobs
COPY sandbox ./sandbox
# A CA bundle mounted at /run/ca.pem for this step only (a TLS-inspecting proxy) is used, never
# copied into the image.
RUN if [ -f /run/ca.pem ]; then export PIP_CERT=/run/ca.pem; fi; \
    /opt/assist-sync/bin/pip install --no-compile . \
    && /opt/assist-sync/bin/python -m compileall -q /opt/assist-sync/lib

# --- final: the runtime libraries of WeasyPrint, the venv, a non-root user ------------------
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/sh", "-eu", "-c"]
# Versions follow the base image's Debian release. libharfbuzz-subset0 lets WeasyPrint subset
# the report fonts in C (about 0.15 s a report instead of 0.7 s with fontTools).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 assist \
    && useradd --uid 10001 --gid assist --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin assist \
    && mkdir -p /data \
    && chown assist:assist /data
COPY --from=builder /opt/assist-sync /opt/assist-sync
ENV PATH=/opt/assist-sync/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ASSIST_DATABASE_URL=sqlite:////data/assist-sync.sqlite3
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
# Healthy while a daemon runs the jobs on this ledger: its newest recorded run is younger than
# 3 × the shortest interval + the run deadline. The start period covers the first runs.
HEALTHCHECK --interval=60s --timeout=30s --start-period=120s --retries=3 \
    CMD ["assist-sync", "health"]
CMD ["assist-sync", "run"]
