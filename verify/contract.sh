#!/usr/bin/env bash
# make contract: the CI contract checks.
#  1. `ultra diff` of openapi.yaml against the last release tag, else the previous commit. Breaking
#     changes fail the build unless the major part of info.version changed (a bump is the declared way
#     to ship them: `ultra diff --allow-major`). No earlier openapi.yaml means nothing to compare: pass.
#  2. `ultra verify` against a freshly started gateway (ENVIRONMENT=testing, in-process provider mocks,
#     a token minted with `ultra token`), stopped afterwards whatever happens.
# Reports land in $CONTRACT_OUT (default bin/contract): diff.md (for a pull-request comment),
# verify-junit.xml and verify-report.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${ULTRA_BIN:-bin/ultra}"
OUT="${CONTRACT_OUT:-bin/contract}"
mkdir -p "$OUT"
[ -x "$BIN" ] || { echo "contract: $BIN is missing (run make build)" >&2; exit 2; }

echo "== ultra diff"
base=""
if tag=$(git describe --tags --abbrev=0 2>/dev/null); then
  base="$tag"
elif git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null 2>&1; then
  base="HEAD~1"
fi
if [ -n "$base" ] && git cat-file -e "$base:openapi.yaml" 2>/dev/null; then
  echo "comparing openapi.yaml with $base"
  "$BIN" diff --format markdown --allow-major "git:$base:openapi.yaml" openapi.yaml >"$OUT/diff.md" || true
  "$BIN" diff --allow-major "git:$base:openapi.yaml" openapi.yaml
else
  echo "no earlier openapi.yaml (${base:-no tag, no previous commit}): nothing to compare"
fi

echo "== ultra verify"
export ENVIRONMENT=testing USE_MOCK=true
export JWT_SECRET="${JWT_SECRET:-contract-check-secret-$(date +%s)-$$-0123456789}"
export OPENAI_API_KEY=mock-key ANTHROPIC_API_KEY=mock-key GOOGLE_API_KEY=mock-key
# Generated requests come fast: lift the rate limits so 429s do not hide real answers.
export RATE_LIMIT_ANALYZE_RPM=100000 RATE_LIMIT_ANALYZE_BURST=100000
export RATE_LIMIT_DEFAULT_RPM=100000 RATE_LIMIT_DEFAULT_BURST=100000
log="$OUT/gateway.log"
"$BIN" gateway --addr 127.0.0.1:0 >"$log" 2>&1 &
gw=$!
trap 'kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
  kill -0 "$gw" 2>/dev/null || { echo "contract: the gateway exited:" >&2; cat "$log" >&2; exit 2; }
  url=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -n1 | sed 's/listening on //' || true)
  if [ -n "$url" ] && curl -fsS "$url/api/health/live" >/dev/null 2>&1; then
    break
  fi
  url=""
  sleep 0.1
done
[ -n "$url" ] || { echo "contract: the gateway did not become live in 10s:" >&2; cat "$log" >&2; exit 2; }
# Provider health checks run in the background: wait for readiness so analyses can be served.
for _ in $(seq 1 100); do
  curl -fsS "$url/api/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "gateway at $url"

token=$("$BIN" token --sub contract-check --ttl 1h)
# --accept-status 400: model names are configuration, not schema (a valid name the gateway lacks is a 400).
"$BIN" verify --target "$url" --header "Authorization: Bearer $token" --seed "${VERIFY_SEED:-1}" --accept-status 400 \
  --junit "$OUT/verify-junit.xml" --report json "$OUT/verify-report.json"
