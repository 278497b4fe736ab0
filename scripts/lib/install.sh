#!/usr/bin/env bash
# npm dependencies (with Node 24, so native modules build against its headers) and the build.
install_and_build() {
  local stamp="$ROOT/node_modules/.install-stamp"
  local want; want="$(node --version)-$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "› installing npm dependencies (npm ci)" >&2
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
  echo "› building (swc)" >&2
  (cd "$ROOT" && node_modules/.bin/swc apps libs test tools -d dist --config-file .swcrc --copy-files --quiet >&2)
}
