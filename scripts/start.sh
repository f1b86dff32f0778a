#!/usr/bin/env bash
# `npm start`: install, build, migrate, seed the demo workspace, then run the API with the worker inline.
source "$(dirname "$0")/lib.sh"
step "Checking the machine"
check_node
ensure_services
install_deps
build
step "Preparing the database (create if missing, migrate, seed the demo workspace)"
node dist/apps/api/main.js setup
PORT="${PORT:-3000}"
export PUBLIC_URL="${PUBLIC_URL:-http://localhost:$PORT}"
export CREWDESK_BANNER="
  Console:  $PUBLIC_URL/  (workspace demo, e.g. wang@demo.crewdesk.dev / crewdesk-demo)
  Demo workspace \"demo\", password \"crewdesk-demo\" for everyone:
    admin      admin@demo.crewdesk.dev
    agents     wang@demo.crewdesk.dev, mia@demo.crewdesk.dev
    engineer   chen@demo.crewdesk.dev
    product    lily@demo.crewdesk.dev
  Sign in:  curl -s $PUBLIC_URL/api/v1/auth/login -H 'content-type: application/json' \\
              -d '{\"workspace\":\"demo\",\"email\":\"wang@demo.crewdesk.dev\",\"password\":\"crewdesk-demo\"}'
  Web form: curl -s $PUBLIC_URL/api/v1/public/demo/tickets -H 'content-type: application/json' \\
              -d '{\"subject\":\"Hello\",\"body\":\"My printer is offline\",\"email\":\"you@example.com\"}'
  Mail:     send to support@demo.crewdesk.dev over SMTP at localhost:${SMTP_INBOUND_PORT:-2525}
  Chat:     $PUBLIC_URL/widget-demo
  Stop with Ctrl+C.
"
step "Starting the API and the worker"
RUN_WORKER="${RUN_WORKER:-inline}" LOG_PRETTY="${LOG_PRETTY:-true}" exec node --single-threaded-gc --heap-growing-percent=100 --no-memory-reducer dist/apps/api/main.js serve
