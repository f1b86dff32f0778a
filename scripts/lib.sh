# Shared helpers for start.sh and test.sh: readable steps, and the services Crewdesk needs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step() { printf '\n\033[1;36m▶ %s\033[0m\n' "$*"; }
ok() { printf '  \033[32m✔\033[0m %s\n' "$*"; }
fail() { printf '  \033[31m✖ %s\033[0m\n' "$*" >&2; exit 1; }

check_node() {
  command -v node >/dev/null || fail "Node.js 20.19 or newer is needed (https://nodejs.org)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || fail "Node.js $(node -v) is too old: Crewdesk needs 20.19 or newer"
  ok "Node.js $(node -v)"
}

# Starts local PostgreSQL / Redis when they are installed here but stopped (developer machines and CI).
ensure_services() {
  local db_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crewdesk}" redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
  if ! node -e "const s=require('net').connect({host:new URL(process.argv[1]).hostname,port:+new URL(process.argv[1]).port||5432},()=>process.exit(0));s.on('error',()=>process.exit(1))" "$db_url"; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      sleep 2
    fi
  fi
  if ! node -e "const s=require('net').connect({host:new URL(process.argv[1]).hostname,port:+new URL(process.argv[1]).port||6379},()=>process.exit(0));s.on('error',()=>process.exit(1))" "$redis_url"; then
    if command -v redis-server >/dev/null; then
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
        || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
      sleep 1
    fi
  fi
  ok "PostgreSQL and Redis checked (the app explains what to do if one is still missing)"
}

install_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "Installing dependencies"
    # `npm install`, not `npm ci`: the registry here lacks some optional platform packages that the lock file
    # names (other operating systems' @swc/core builds), which `npm ci` refuses.
    npm install --no-audit --no-fund
  fi
  ok "dependencies installed"
}

build() {
  local stamp=dist/apps/api/main.js widget=apps/widget/dist/widget.js console=apps/console/dist/index.html
  if [ ! -f "$stamp" ] || [ ! -f "$widget" ] || [ ! -f "$console" ] || [ "$widget" -ot "$stamp" ] || [ "$console" -ot "$widget" ] \
    || [ -n "$(find apps libs migrations package-lock.json \( -name '*.ts' -o -name '*.tsx' -o -name '*.mts' -o -name '*.css' -o -name '*.html' -o -name 'package-lock.json' \) -newer "$console" -not -path '*/dist/*' -not -path '*/node_modules/*' 2>/dev/null | head -1)" ]; then
    step "Building the API, the worker, the chat widget and the web console"
    npm run build --silent
  fi
  ok "build is current"
}

# Browser tests drive Debian's Chromium through playwright-core (no browser download).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then ok "Chromium $(chromium --version 2>/dev/null | awk '{print $2}')"; return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "Installing Debian's chromium for the browser tests"
    # A CJK font too, so screenshots of Chinese text are readable.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
    ok "Chromium installed"
  else
    fail "Chromium is needed for the browser tests: sudo apt-get install chromium (or set CHROMIUM_PATH)"
  fi
}

# The IMAP e2e test starts a Dovecot of its own (Debian's dovecot-imapd); no system-wide IMAP server is used.
ensure_dovecot() {
  local bin
  bin="$(command -v dovecot 2>/dev/null || { [ -x /usr/sbin/dovecot ] && echo /usr/sbin/dovecot; } || true)"
  if [ -n "${DOVECOT_PATH:-}" ] || [ -n "$bin" ]; then ok "Dovecot $("${DOVECOT_PATH:-$bin}" --version 2>/dev/null | awk '{print $1}')"; return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "Installing Debian's dovecot-imapd for the IMAP tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
    # The package's own service is not needed (the test runs a private instance on a free port).
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true; fi
    ok "Dovecot installed"
  else
    fail "Dovecot is needed for the IMAP tests: sudo apt-get install dovecot-imapd (or set DOVECOT_PATH)"
  fi
}
