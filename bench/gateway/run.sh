#!/bin/sh
# Bounded wrk run against `ultra gateway` (development, in-process mock providers, limits raised).
# Usage: bench/gateway/run.sh [seconds]   (needs wrk: apt-get install -y wrk)
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-15}
go build -o bin/ultra ./cmd/ultra
export ENVIRONMENT=development JWT_SECRET=bench-only-secret-0123456789abcdef0123 LOG_LEVEL=error \
  ULTRA_ADDR=127.0.0.1:18000 RATE_LIMIT_ANALYZE_RPM=100000000 RATE_LIMIT_ANALYZE_BURST=1000000 \
  RATE_LIMIT_DEFAULT_RPM=100000000 RATE_LIMIT_DEFAULT_BURST=1000000
bin/ultra gateway >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:18000/api/health/live >/dev/null 2>&1 && break; sleep 0.2; done
TOKEN=$(bin/ultra token --sub bench); export TOKEN
echo "== GET /api/available-models"; wrk -t2 -c16 -d"${secs}s" --latency -s bench/gateway/models.lua http://127.0.0.1:18000
echo "== POST /api/analyze (3 models + synthesis, mock providers)"; wrk -t2 -c16 -d"${secs}s" --latency -s bench/gateway/analyze.lua http://127.0.0.1:18000
