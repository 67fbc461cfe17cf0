#!/usr/bin/env bash
# Self-update (issue 10): approve -> the new worker's READY, and crash-loop detection -> the good worker's READY,
# with fixture workers staged by `agent-build stage --binary` (no build: these figures are the supervisor's).
# AGENT_UPDATE_POLL_MS (200) bounds how late an approval is seen; the backoff and the crash window are set small
# so that the figures show what the supervisor adds beyond them. Then one real stage of this project, split by
# step (BENCH_SELFUPDATE_STAGE=0 leaves it out: it takes as long as a release build and the suite).
set -euo pipefail
bin="$AGENT_BIN_DIR"
rounds="${BENCH_SELFUPDATE_ROUNDS:-5}"
work="$(mktemp -d /tmp/bench-selfupdate-XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

fixture() { # fixture NAME KIND: a worker that passes --self-check and is ready (ready) or exits at once (crash)
    local path="$work/$1"
    {
        echo '#!/bin/sh'
        echo "# $1"
        echo 'if [ "$1" = "--self-check" ]; then echo ok; exit 0; fi'
        if [ "$2" = ready ]; then
            echo 'echo READY=1; ( while :; do echo WATCHDOG=1; sleep 0.2; done ) & b=$!; while read -r _; do :; done; kill $b'
        else
            echo 'exit 3'
        fi
    } >"$path"
    chmod +x "$path"
    echo "$path"
}

query() { sqlite3 "$home/agent.db" "$1"; }
wait_for() { # wait_for SQL: until it prints a non-empty value, at most 30 s
    local deadline=$((SECONDS + 30)) value=""
    while [ $SECONDS -lt $deadline ]; do
        value="$(query "$1" 2>/dev/null || true)"
        [ -n "$value" ] && { echo "$value"; return 0; }
        sleep 0.02
    done
    echo "timed out: $1" >&2
    return 1
}

approve_ms=()
rollback_ms=()
for round in $(seq "$rounds"); do
    home="$work/home-$round"
    mkdir -p "$work/ws-$round"
    export AGENT_HOME="$home" AGENT_WORKSPACE="$work/ws-$round" TELEGRAM_ALLOWED_USER_IDS=1 AGENT_PROBATION_S=1 \
        AGENT_BACKOFF_BASE_MS=50 AGENT_BACKOFF_MAX_S=1 AGENT_CRASH_BEFORE_READY_MAX=3 AGENT_LOG_LEVEL=error
    "$bin/supervisord-agent" --worker "$(fixture good-$round ready)" 2>"$work/supervisor-$round.log" &
    supervisor=$!
    wait_for "SELECT id FROM events WHERE kind = 'worker.ready' LIMIT 1" >/dev/null

    rev="$("$bin/agent-build" stage --binary "$(fixture next-$round ready)" 2>/dev/null | tail -1)"
    "$bin/agent-build" approve "$rev" >/dev/null
    approve_ms+=("$(wait_for "SELECT r.ts - a.ts FROM events a, events r, events s WHERE a.kind = 'update.approved'
        AND s.kind = 'worker.spawned' AND json_extract(s.payload, '$.rev') = '$rev' AND r.kind = 'worker.ready'
        AND r.parent_id = s.id ORDER BY r.id LIMIT 1")")
    wait_for "SELECT id FROM events WHERE kind = 'revision.promoted' AND json_extract(payload, '$.rev') = '$rev'" >/dev/null

    bad="$("$bin/agent-build" stage --binary "$(fixture bad-$round crash)" 2>/dev/null | tail -1)"
    "$bin/agent-build" approve "$bad" >/dev/null
    rollback_ms+=("$(wait_for "SELECT r.ts - c.ts FROM events c, events r, events s WHERE c.kind = 'crash_loop.detected'
        AND s.kind = 'worker.spawned' AND s.id > c.id AND json_extract(s.payload, '$.rev') = '$rev'
        AND r.kind = 'worker.ready' AND r.parent_id = s.id ORDER BY r.id LIMIT 1")")
    kill "$supervisor"
    wait "$supervisor" 2>/dev/null || true
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, max %d ms (%d rounds)", a[int((NR+1)/2)], a[NR], NR}'; }
echo "approve to the new worker's READY: $(stats "${approve_ms[@]}") (poll 200 ms)"
echo "crash loop detected to the good worker's READY: $(stats "${rollback_ms[@]}")"

[ "${BENCH_SELFUPDATE_STAGE:-1}" = 1 ] || exit 0
# A real stage: a clone of this checkout's HEAD with no patch, the default build and test commands, fenced, the
# dependencies the release build resolved (its scratch folder stands in for the donor's `.build`).
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$bin"
while [ "$scratch" != / ] && [ ! -d "$scratch/checkouts" ]; do scratch="$(dirname "$scratch")"; done
mkdir -p "$work/deps"
cp "$root/Package.resolved" "$work/deps/"
ln -s "$scratch" "$work/deps/.build"
git clone --quiet --shared "$root" "$work/stage-workspace"
home="$work/stage-home"
export AGENT_HOME="$home" AGENT_WORKSPACE="$work/stage-workspace" AGENT_BUILD_DEPENDENCIES="$work/deps" \
    TELEGRAM_ALLOWED_USER_IDS=1
"$bin/agent-build" stage --reason "make bench" >"$work/stage.log" 2>&1 || {
    tail -5 "$work/stage.log" >&2
    grep -h -e '^✘' -e 'error:' "$home"/staging/*/*.log 2>/dev/null | head -40 >&2
    exit 1
}
step_s() { query "SELECT printf('%.1f', json_extract(payload, '$.duration_ms') / 1000.0) FROM events WHERE kind = 'update.$1.completed'"; }
tests="$(query "SELECT json_extract(metadata, '$.tests.passed') || ' passed, ' || json_extract(metadata, '$.tests.skipped')
    || ' skipped' FROM artifacts WHERE status = 'staged'")"
echo "real stage of this project, build: $(step_s build) s"
echo "real stage of this project, tests: $(step_s test) s ($tests)"
echo "real stage of this project, self-check: $(step_s self_check) s"
