#!/bin/sh
# The image's default command: serve the one mineadmin service named by $SERVICE with uvicorn.
#   SERVICE  rights | restoration | greenmine | notifier   (required)
#   PORT     listening port (the image sets 8000; deploy/docker-compose.yml uses 8001-8004)
# Extra arguments go to uvicorn. `exec` makes uvicorn PID 1, so it receives SIGTERM and drains.
# uvicorn trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS (default 127.0.0.1): set it to the
# address of the reverse proxy in front of the services.
set -eu

case "${SERVICE:-}" in
  rights) package=rights_api ;;
  restoration) package=restoration_api ;;
  greenmine) package=greenmine_api ;;
  notifier) package=notifier ;;
  *)
    echo "entrypoint: unknown SERVICE '${SERVICE:-}'; expected one of:" \
      "rights restoration greenmine notifier" >&2
    exit 64
    ;;
esac

exec uvicorn --factory "${package}.app:create_app" \
  --host 0.0.0.0 --port "${PORT:-8000}" --proxy-headers --no-access-log "$@"
