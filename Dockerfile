# Production image: gunicorn web, Celery worker and beat all run from this image.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libpq-dev gcc \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock \
    && apt-get purge -y gcc libpq-dev && apt-get autoremove -y
COPY . .
COPY --from=assets /build/node_modules ./node_modules
# collectstatic needs settings but no real secrets: throwaway values for this step only.
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    BLIND_INDEX_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=build TWILIO_ACCOUNT_SID=x TWILIO_AUTH_TOKEN=x TWILIO_FROM_NUMBER=x \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "practitioner_health.wsgi", "--config", "python:practitioner_health.gunicorn_config", "--bind", "0.0.0.0:8000", "--workers", "4"]
