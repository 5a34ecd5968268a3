# arbot in a small image: runs as a non-root user, keeps its database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ARBOT_CONFIG=/etc/arbot/config.toml

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY templates ./templates
RUN pip install --disable-pip-version-check . \
 && useradd --system --uid 10001 --home-dir /var/lib/arbot --create-home arbot \
 && mkdir -p /etc/arbot && cp /app/templates/messages/README.md /etc/arbot/TEMPLATES.md

# The database lives here: set [database] path = "/var/lib/arbot/arbot.db" in the config.
VOLUME ["/var/lib/arbot"]
USER arbot
WORKDIR /var/lib/arbot

# Slack in HTTP mode only ([slack] mode = "http", http_host = "0.0.0.0"): Slack's signed
# requests arrive here, behind your HTTPS proxy. Socket Mode needs no open port.
EXPOSE 3000

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
  CMD ["arbot", "health"]

ENTRYPOINT ["arbot"]
CMD ["run"]
