# eha's image: the GOV.UK Frontend assets built in a Node stage, the Python packages in a build stage, and a slim
# runtime that runs as an unprivileged user. See docs/deploy.md; compose.yaml runs it with PostgreSQL, Redis and
# nginx. Migrations are a separate step (`flask db upgrade`, compose's "migrate" service) before new app servers.

# --- assets: sass and the GOV.UK Frontend files, as `make assets` builds them ---
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=optional
COPY assets ./assets
RUN mkdir -p eha/static/css eha/static/js eha/static/assets \
    && node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
        --load-path=node_modules assets/scss/application.scss eha/static/css/application.css \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js eha/static/js/ \
    && cp assets/js/application.mjs eha/static/js/ \
    && cp -R node_modules/govuk-frontend/dist/govuk/assets/. eha/static/assets/ \
    && rm -rf eha/static/assets/fonts eha/static/assets/*/govuk-crest.svg

# --- python: eha and its dependencies into a virtual environment ---
FROM python:3.11-slim AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/eha
WORKDIR /build
COPY pyproject.toml README.md ./
COPY eha ./eha
COPY --from=assets /build/eha/static ./eha/static
RUN /opt/eha/bin/pip install .

# --- runtime ---
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 eha \
    && useradd --system --uid 10001 --gid eha --home-dir /srv/eha --shell /usr/sbin/nologin eha
COPY --from=python /opt/eha /opt/eha
WORKDIR /srv/eha
COPY --chown=root:root config.py wsgi.py gunicorn.conf.py ./
COPY --chown=root:root migrations ./migrations
# The package's own copy (first on the path), so that it finds migrations/ beside it.
COPY --from=python --chown=root:root /build/eha ./eha
RUN mkdir -p /srv/eha/instance /tmp/eha-metrics && chown eha:eha /srv/eha/instance /tmp/eha-metrics
ENV PATH=/opt/eha/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/eha \
    FLASK_APP=wsgi \
    EHA_CONFIG=production \
    EHA_TRUSTED_PROXIES=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/eha-metrics
USER eha
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "-b", "0.0.0.0:8000", "--workers", "4", "wsgi:app"]
