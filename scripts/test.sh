#!/usr/bin/env bash
# `npm test`: install, then every check CI runs: types, unit tests, e2e tests on a fresh database, the build.
source "$(dirname "$0")/lib.sh"
step "Checking the machine"
check_node
ensure_services
install_deps
step "Type-checking"
npm run typecheck --silent
ok "types"
step "Lint"
npm run lint --silent
ok "lint"
step "Unit tests"
npx jest --config jest.config.js
step "Console component tests (Vitest, jsdom)"
npm run test:console --silent
step "Production build (API, worker, chat widget, web console)"
npm run build --silent
ok "dist/apps/api/main.js, dist/apps/worker/main.js, apps/widget/dist/widget.js and apps/console/dist built"
step "OpenAPI document (the committed openapi.json against the built API) and the console's types from it"
DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node dist/apps/api/main.js openapi --check
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
generated="$scratch/openapi.gen.ts"
npx openapi-typescript openapi.json -o "$generated" > /dev/null 2>&1
if ! cmp -s "$generated" apps/console/src/api/openapi.gen.ts; then
  echo "✖ apps/console/src/api/openapi.gen.ts is not what openapi.json gives: run \`npm run openapi\` and commit it." >&2
  exit 1
fi
ok "apps/console/src/api/openapi.gen.ts matches openapi.json"
ensure_chromium
ensure_dovecot
step "End-to-end tests (real PostgreSQL and Redis, a fresh database and key prefix for this run; the widget and the console in Chromium)"
npx jest --config test/jest-e2e.config.js --runInBand
printf '\n\033[1;32mAll checks passed.\033[0m\n'
