#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry (never from a CDN at runtime).
#   scripts/refresh_vendor.sh [DESIGNSYSTEMET_CSS_VERSION] [HTMX_VERSION]
# Defaults are the versions currently vendored (static/vendor/*/VERSION). Needs npm and tar.
set -euo pipefail
cd "$(dirname "$0")/.."

DS_VERSION="${1:-$(cat static/vendor/designsystemet/VERSION 2>/dev/null || echo latest)}"
HTMX_VERSION="${2:-$(cat static/vendor/htmx/VERSION 2>/dev/null || echo 2)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- Designsystemet CSS (components + the default "designsystemet" theme shipped in the same package)
(cd "$work" && npm pack --silent "@digdir/designsystemet-css@${DS_VERSION}" >/dev/null)
mkdir -p "$work/ds" && tar -xzf "$work"/digdir-designsystemet-css-*.tgz -C "$work/ds"
ds_dest=static/vendor/designsystemet
rm -rf "$ds_dest" && mkdir -p "$ds_dest"
# index.css is the bundle of every component stylesheet.
cp "$work/ds/package/dist/src/index.css" "$ds_dest/index.css"
cp "$work/ds/package/dist/theme/designsystemet.css" "$ds_dest/theme.css"
cp "$work/ds/package/LICENSE" "$ds_dest/LICENSE"
node -e 'process.stdout.write(require(process.argv[1]).version + "\n")' "$work/ds/package/package.json" >"$ds_dest/VERSION"

# --- htmx
(cd "$work" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null)
mkdir -p "$work/htmx" && tar -xzf "$work"/htmx.org-*.tgz -C "$work/htmx"
htmx_dest=static/vendor/htmx
rm -rf "$htmx_dest" && mkdir -p "$htmx_dest"
cp "$work/htmx/package/dist/htmx.min.js" "$htmx_dest/htmx.min.js"
cp "$work/htmx/package/LICENSE" "$htmx_dest/LICENSE"
node -e 'process.stdout.write(require(process.argv[1]).version + "\n")' "$work/htmx/package/package.json" >"$htmx_dest/VERSION"

echo "Designsystemet CSS $(cat "$ds_dest/VERSION"), htmx $(cat "$htmx_dest/VERSION") vendored under static/vendor/."
