#!/usr/bin/env bash
# Make a Docker engine available for the container suite on a fresh CI machine: install Debian's
# docker.io when dockerd is missing, start dockerd in the background when no engine answers, and wait
# until `docker info` works. Exports nothing; .ci/run sets ULTRA_REQUIRE_DOCKER=1 after it succeeds.
set -euo pipefail

log=${DOCKERD_LOG:-/tmp/dockerd.log}
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if docker info >/dev/null 2>&1; then
  echo "ci-docker: a Docker engine is already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "ci-docker: installing docker.io"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "ci-docker: starting dockerd (log: $log)"
  $sudo sh -c "nohup dockerd >'$log' 2>&1 &"
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "ci-docker: Docker engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 1
done
echo "ci-docker: dockerd did not become ready within 60 s; last lines of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1
