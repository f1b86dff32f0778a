#!/usr/bin/env bash
# `npm run bench`: every benchmark in turn (each prints its figures, ratios and PASS/FAIL against its goal).
# Run on an otherwise idle machine: benchmarks that share the cores measure each other.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for b in tickets-create realtime-fanout email-ingest sla-timers; do
  if [ -x "bench/$b" ]; then
    printf '\n\033[1;36m▶ bench/%s\033[0m\n' "$b"
    "bench/$b" || status=$?
  fi
done
printf '\n\033[1;36m▶ bench/sla-calendar.ts\033[0m\n'
node -r ./scripts/register.js -r tsconfig-paths/register bench/sla-calendar.ts || status=$?
exit $status
