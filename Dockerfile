# OAS application image: web (granian, WSGI), Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OAS_VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=oas.settings.production

# weasyprint needs Pango; gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 oas

WORKDIR /app
COPY pyproject.toml README.md ./
COPY oas ./oas
COPY kindergarten ./kindergarten
COPY school ./school
COPY sfo ./sfo
COPY substitutes ./substitutes
COPY timetable ./timetable
COPY messaging ./messaging
COPY integrations ./integrations
RUN pip install .
COPY . .

# Static files and translations are built into the image. devtools (development only) is left out (.dockerignore):
# the production settings do not install it. The settings need a database URL to load, but
# nothing here connects to it (collectstatic and compile_translations skip the start-up preflight).
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
        EMAIL_HOST=build-only \
        sh -c "python manage.py compile_translations && python manage.py collectstatic --noinput -v 0" \
    && mkdir -p /app/var/private && chown -R oas:oas /app/var

USER oas
EXPOSE 8000
# granian: 2 worker processes x 4 blocking threads (benchmarks/checkin.py and workspace.py measure this layout).
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", \
     "--blocking-threads", "4", "--respawn-failed-workers", "--access-log", "oas.wsgi:application"]
