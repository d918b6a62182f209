# The hosted shape: gunicorn serving app:server as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8050 CACHE_DIR=/var/cache/hclust \
    NUMBA_CACHE_DIR=/var/cache/hclust/numba

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py gunicorn.conf.py ./
COPY hclust ./hclust
COPY services ./services
COPY components ./components
COPY callbacks ./callbacks
COPY assets ./assets

RUN useradd --create-home --uid 10001 hclust \
    && mkdir -p "$CACHE_DIR" "$NUMBA_CACHE_DIR" && chown hclust "$CACHE_DIR" "$NUMBA_CACHE_DIR" \
    && chmod 700 "$CACHE_DIR"
USER hclust

EXPOSE 8050
# Workers share sessions through the disk cache in $CACHE_DIR (or Redis when REDIS_URL is set).
# gunicorn.conf.py sizes workers and threads to the container's cores; WEB_CONCURRENCY,
# GUNICORN_THREADS and GUNICORN_TIMEOUT override it (docker run -e ...).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
