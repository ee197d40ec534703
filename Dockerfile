# syntax=docker/dockerfile:1.7
# Build: docker build -t dimona-adapter .   (see docs/operations.md)

FROM python:3.11.7-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
# Dependencies first (cached layer), from the lock file only.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY adapter ./adapter
COPY schemas ./schemas
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11.7-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 adapter \
 && useradd --system --uid 10001 --gid adapter --home-dir /app --shell /usr/sbin/nologin adapter
WORKDIR /app
COPY --from=build --chown=adapter:adapter /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DIMONA_ADAPTER_HTTP__PORT=8080 DIMONA_ADAPTER_LOG_FORMAT=json
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["dimona-adapter"]
CMD ["run"]
