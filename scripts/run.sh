#!/usr/bin/env bash
# `make run`: the supervisor on the release build, state in ./var (or $AGENT_HOME). Secrets come from your
# environment (export TELEGRAM_BOT_TOKEN=... OPENAI_API_KEY=... TELEGRAM_ALLOWED_USER_IDS=...); nothing is read
# from a file here.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release --scratch-path .build-release --show-bin-path)"
for variable in TELEGRAM_BOT_TOKEN OPENAI_API_KEY TELEGRAM_ALLOWED_USER_IDS; do
    if [ -z "${!variable:-}" ]; then
        echo "make run: $variable is not set (see README.md, Configuration)" >&2
        exit 2
    fi
done
export AGENT_HOME="${AGENT_HOME:-$PWD/var/home}"
export AGENT_WORKSPACE="${AGENT_WORKSPACE:-$PWD/var/workspace}"
export PATH="$bin:$PATH"
exec "$bin/supervisord-agent" --worker "$bin/agent-worker"
