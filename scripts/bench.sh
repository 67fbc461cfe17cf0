#!/usr/bin/env bash
# Runs every benchmark of scripts/bench/ in order against the release build in $AGENT_BIN_DIR.
# Each prints its figures as "name: value" lines; the whole report also goes to var/bench/report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${AGENT_BIN_DIR:?set AGENT_BIN_DIR to the release build folder (make bench does)}"
export AGENT_BIN_DIR
mkdir -p var/bench
{
    echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(swift --version 2>/dev/null | head -1)"
    for script in scripts/bench/*.sh; do
        echo
        echo "## $(basename "$script" .sh)"
        bash "$script"
    done
} 2>&1 | tee var/bench/report.txt
