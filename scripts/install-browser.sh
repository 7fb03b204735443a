#!/usr/bin/env bash
# Installs what the console's browser test (kvs-server-it's ConsoleBrowserIT) drives: Debian's
# headless-capable Chromium and its matching chromedriver, the packages `chromium` and
# `chromium-driver`, with apt-get (through sudo when not root). Does nothing when both are there;
# adds a font when the machine has none. Prints what it found or did.
#
# Usage: scripts/install-browser.sh
set -euo pipefail

say() { echo "install-browser.sh: $*"; }
die() { echo "install-browser.sh: ERROR: $*" >&2; exit 1; }

# The same paths the test looks at.
browser() { command -v chromium || command -v chromium-browser || true; }
driver() { [[ -x /usr/bin/chromedriver ]] && echo /usr/bin/chromedriver || command -v chromedriver || true; }

missing=()
[[ -n $(browser) ]] || missing+=(chromium)
[[ -n $(driver) ]] || missing+=(chromium-driver)
# A headless browser with no font at all draws no text in the test's screenshots.
[[ -n $(fc-list 2>/dev/null | head -n1) ]] || missing+=(fonts-dejavu-core)

if [[ ${#missing[@]} -gt 0 ]]; then
  command -v apt-get >/dev/null 2>&1 \
    || die "${missing[*]} missing and no apt-get here: install Chromium and its chromedriver (same version) by hand"
  as_root=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root to install ${missing[*]}: run as root or install sudo"
    as_root=(sudo)
  fi
  say "installing ${missing[*]} with apt-get"
  # apt-get's chatter is shown only when it fails.
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 \
    || { cat "$log" >&2; die "apt-get update failed"; }
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "apt-get install ${missing[*]} failed"; }
fi

[[ -n $(browser) ]] || die "chromium still not found after installing it"
[[ -n $(driver) ]] || die "chromedriver still not found after installing chromium-driver"
state=$([[ ${#missing[@]} -gt 0 ]] && echo installed || echo "already installed")
say "$state: $("$(browser)" --version 2>/dev/null | head -n1) at $(browser), $("$(driver)" --version 2>/dev/null | head -n1 | cut -d' ' -f1-2) at $(driver)"
