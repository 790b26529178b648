#!/usr/bin/env bash
# System packages the test suite needs: Chromium for the browser tests, Pango for WeasyPrint,
# poppler-utils to turn PDFs into images, Redis (the broker, and the throw-away servers of the Celery
# tests), npm (fetches the pinned axe-core of the accessibility audit, see tests/navigateur/conftest.py).
# Installs only what is missing (Debian/Ubuntu).
set -euo pipefail
manquants=()
command -v chromium >/dev/null || manquants+=(chromium)
command -v pdftoppm >/dev/null || manquants+=(poppler-utils)
command -v redis-server >/dev/null || manquants+=(redis-server)
command -v npm >/dev/null || manquants+=(npm)
ldconfig -p | grep -q libpango-1.0 || manquants+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || manquants+=(fonts-dejavu-core)
[ ${#manquants[@]} -eq 0 ] && exit 0
echo "Installation des paquets système manquants : ${manquants[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${manquants[@]}" >/dev/null
