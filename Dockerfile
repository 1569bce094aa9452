# One image for every Procfile role; compose.yaml (and any container platform) picks the
# command: `trainlytics run web` (the default), `worker`, `scheduler`, `migrate`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRAINLYTICS_ENV=production \
    TRAINLYTICS_HOST=0.0.0.0 \
    TRAINLYTICS_DATA_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 10001 trainlytics
COPY pyproject.toml README.md alembic.ini ./
COPY core core
COPY bot bot
COPY web web
COPY webhooks webhooks
COPY workers workers
COPY trainlytics trainlytics
COPY migrations migrations
# Editable, so the Alembic scripts in migrations/versions stay next to the code that
# finds them (they are not a package a regular install would copy).
RUN pip install uv && uv pip install --system -e . \
    && mkdir -p /app/var && chown trainlytics /app/var

USER trainlytics
EXPOSE 8000
# Every role stops within 10 s of SIGTERM (docs/deploy.md); compose and Kubernetes send it.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('TRAINLYTICS_PORT', os.environ.get('PORT', '8000')))"
CMD ["trainlytics", "run", "web"]
