# syntax=docker/dockerfile:1.7
# Build: docker build -t dimona-adapter:0.1.0 .   (docs/operations.md, "Container image")
# Two stages: uv installs the locked dependencies into /app/.venv; the runtime stage copies
# only that venv (no uv, no compiler, no build cache) and runs as an unprivileged user.

FROM python:3.11.7-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
# Dependencies first (a cached layer that changes only with uv.lock).
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY adapter ./adapter
COPY schemas ./schemas
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

FROM python:3.11.7-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="dimona-adapter" \
      org.opencontainers.image.description="Kafka employment events to Belgian Dimona declarations"
RUN groupadd --system --gid 10001 adapter \
 && useradd --system --uid 10001 --gid adapter --home-dir /app --shell /usr/sbin/nologin adapter
WORKDIR /app
COPY --from=build --chown=adapter:adapter /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DIMONA_ADAPTER_HTTP__PORT=8080 DIMONA_ADAPTER_LOG_FORMAT=json
USER 10001:10001
EXPOSE 8080
# SIGTERM starts the drain (DIMONA_ADAPTER_DRAIN_BUDGET_S); keep the stop timeout above it.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["dimona-adapter"]
CMD ["run"]
