#!/usr/bin/env bash
# `make run`: the supervisor on a release build, state in ./var (or $AGENT_HOME).
#
# Settings come from the environment and from `.env` (ENV_FILE overrides the path), whose `NAME=value` lines are
# read, never sourced as shell code and never echoed; a variable already set in the environment wins, as with
# docker compose. The required settings are checked before anything is built, so a newcomer without a bot token
# learns it at once, in one line. `scripts/run.sh --check` stops after that check.
set -euo pipefail
cd "$(dirname "$0")/.."

env_file="${ENV_FILE:-.env}"
required=(TELEGRAM_BOT_TOKEN OPENAI_API_KEY TELEGRAM_ALLOWED_USER_IDS)

# Reads NAME=value lines; quotes around a value are removed, ` # comment` after an unquoted one too.
load_env_file() {
    local file="$1" number=0 line name value
    while IFS= read -r line || [ -n "$line" ]; do
        number=$((number + 1))
        line="${line%$'\r'}"
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line#export }"
        if ! [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
            # The line itself is not shown: it may hold a secret.
            echo "make run: $file line $number is not NAME=value" >&2
            exit 2
        fi
        name="${BASH_REMATCH[1]}"
        value="${BASH_REMATCH[2]}"
        if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ ]] || [[ "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
            value="${BASH_REMATCH[1]}"
        else
            value="${value%%[[:space:]]#*}"
            value="${value%"${value##*[![:space:]]}"}"
        fi
        if [ -z "${!name:-}" ]; then export "$name=$value"; fi
    done <"$file"
}

source_note="the environment"
if [ -f "$env_file" ]; then
    load_env_file "$env_file"
    source_note="the environment and $env_file"
elif [ "$env_file" != ".env" ]; then
    source_note="the environment; ENV_FILE $env_file does not exist"
fi

missing=()
for variable in "${required[@]}"; do
    [ -n "${!variable:-}" ] || missing+=("$variable")
done
if [ "${#missing[@]}" -gt 0 ]; then
    list="$(printf '%s, ' "${missing[@]}")"
    echo "make run: ${list%, } not set (read from $source_note): copy .env.example to .env and fill it in (README.md, "Telegram quickstart"), or run \`make demo\`, which needs neither a bot nor a model" >&2
    exit 2
fi
if [ "${1:-}" = "--check" ]; then
    echo "make run: the required settings are there (read from $source_note)"
    exit 0
fi

"${MAKE:-make}" --no-print-directory release
bin="$(swift build -c release --scratch-path .build-release --show-bin-path)"
export AGENT_HOME="${AGENT_HOME:-$PWD/var/home}"
export AGENT_WORKSPACE="${AGENT_WORKSPACE:-$PWD/var/workspace}"
export PATH="$bin:$PATH"
exec "$bin/supervisord-agent" --worker "$bin/agent-worker"
