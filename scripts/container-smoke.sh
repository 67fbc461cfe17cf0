#!/usr/bin/env bash
# The container smoke test (`make container-smoke`, run by .ci/run after `make test` and `make lint`).
#
# Builds the image from a clone of HEAD (what is committed is what is tested) and runs it with compose.yaml, plus
# only an override for host networking (so nothing leaves loopback) and the image tag, against the project's
# loopback doubles (`agent-doubles`, docs/doubles.md). It checks, in this order, and says each as it passes:
#   1. the image: the runtime stage runs as an unprivileged user and carries no secret in its configuration;
#   2. the worker gets ready (`agent-log ready` inside) and a message is answered;
#   3. `agent-log runs` works inside, and the database is on the /data volume;
#   4. the `bash` tool runs sandboxed inside: `/status` says `sandboxed (bubblewrap)`, and a scripted model
#      answer's bash call runs in the fence (it sees /data, the agent's home, as an empty folder);
#   5. a self-update inside: `agent-build stage` builds the worker with the image's toolchain, offline, in the
#      fence (its tests replaced by `true`), `agent-build approve`, and the supervisor deploys and promotes it
#      (CONTAINER_SMOKE_STAGE=0 leaves this out); the image's HEALTHCHECK (`agent-log ready`) reports healthy;
#   6. `compose stop` is clean: exit code 0, well within the stop grace (no SIGKILL);
#   7. after `compose start` the state survived: the runs are kept, a message sent just before the stop and a new
#      one are answered, and no message is answered twice.
# Docker: installs Debian's docker.io and docker-compose when missing and starts dockerd when no engine answers
# (stopped again at the end). On the project's machine a plain `dockerd` works (overlay2, cgroup v1, iptables);
# where it does not, it is tried with `--iptables=false --bridge=none`, then also with `--storage-driver=vfs`.
# Base images that cannot be pulled are made offline (scripts/container/base-images.sh, which says so).
# Every step has a time bound. Measured on the 2-core machine: 432 to 540 s with the base images there (the image
# build 202-267 s, the stage 206-240 s), plus 98 s and 172 s to make the base images when missing (docs/container.md).
set -euo pipefail
# The engine, its socket and apt need root: as another user, run again under sudo (keeping PATH for swift).
[ "$(id -u)" -eq 0 ] || exec sudo -E env "PATH=$PATH" "$0" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
work=${CONTAINER_SMOKE_DIR:-$root/var/tmp/container-smoke}
project=agent-smoke
image=telegram-agent:smoke
started_at=$SECONDS

say() { printf 'container-smoke: %s\n' "$*"; }
fail() {
    printf 'container-smoke: FAILED: %s\n' "$*" >&2
    exit 1
}
passed() { say "ok ($((SECONDS - started_at)) s): $*"; }

# --- The engine -------------------------------------------------------------------------------------------------
install_missing() {
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q "${missing[@]}" >/dev/null
}
install_missing docker.io docker-compose debootstrap curl
# Debian's CLI, which matches its engine and has BuildKit built in (DOCKER_BUILDKIT=1); a newer CLI elsewhere on
# the PATH may lack the buildx plugin that BuildKit needs there.
docker=${DOCKER:-$([ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker)}
# Compose v2 runs compose.yaml itself; Debian's docker-compose 1.x reads and checks it, and the docker CLI starts
# the service with its options (scripts/container/compose-run.py says why).
if "$docker" compose version >/dev/null 2>&1; then
    compose=("$docker" compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
else
    fail "neither docker compose nor docker-compose is installed"
fi

mkdir -p "$work"
dockerd_pid=""
doubles_pid=""
cleanup() {
    set +e
    [ -n "${compose_files:-}" ] && remove_service
    [ -n "$doubles_pid" ] && kill "$doubles_pid" 2>/dev/null && wait "$doubles_pid" 2>/dev/null
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null
        timeout 30 tail --pid="$dockerd_pid" -f /dev/null 2>/dev/null
    fi
}
trap cleanup EXIT

engine_answers() { timeout 10 "$docker" info >/dev/null 2>&1; }
start_dockerd() {
    say "no engine answers: starting dockerd $*"
    dockerd "$@" >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do
        engine_answers && return 0
        kill -0 "$dockerd_pid" 2>/dev/null || break
        sleep 1
    done
    kill "$dockerd_pid" 2>/dev/null
    timeout 30 tail --pid="$dockerd_pid" -f /dev/null 2>/dev/null || true
    dockerd_pid=""
    tail -5 "$work/dockerd.log" >&2
    return 1
}
if ! engine_answers; then
    start_dockerd \
        || start_dockerd --iptables=false --bridge=none \
        || start_dockerd --iptables=false --bridge=none --storage-driver=vfs \
        || fail "dockerd does not start here (see $work/dockerd.log)"
fi
passed "the engine answers ($("$docker" info --format '{{.ServerVersion}}, storage {{.Driver}}'))"

# --- The image --------------------------------------------------------------------------------------------------
timeout 1800 "$root/scripts/container/base-images.sh" "$docker"
rm -rf "$work/src"
timeout 120 git clone --quiet --no-hardlinks "$root" "$work/src"
# An owner's .env beside the Dockerfile, with a made-up token: it must reach no layer (.dockerignore).
canary="123456:canary-$RANDOM$RANDOM"
printf 'TELEGRAM_BOT_TOKEN=%s\n' "$canary" >"$work/src/.env"
build_started=$SECONDS
# BuildKit builds only the stages `runtime` needs (never `test`); host networking reaches the Debian mirror.
# CONTAINER_SMOKE_REUSE_IMAGE=1 (for working on this script) keeps an image built before.
if [ "${CONTAINER_SMOKE_REUSE_IMAGE:-}" = 1 ] && "$docker" image inspect "$image" >/dev/null 2>&1; then
    say "reusing $image (CONTAINER_SMOKE_REUSE_IMAGE=1)"
elif ! DOCKER_BUILDKIT=1 timeout 2400 "$docker" build --network host --target runtime -t "$image" "$work/src" \
    >"$work/build.log" 2>&1; then
    tail -30 "$work/build.log" >&2
    fail "the image does not build (see $work/build.log)"
fi
size=$("$docker" image inspect --format '{{.Size}}' "$image")
passed "the image builds in $((SECONDS - build_started)) s, $((size / 1000000)) MB"

user=$("$docker" image inspect --format '{{.Config.User}}' "$image")
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "the image runs as root (USER '$user')"
if "$docker" image inspect --format '{{json .Config.Env}}' "$image" | grep -q -E 'TOKEN|API_KEY'; then
    fail "the image's environment names a secret"
fi
if [ "${CONTAINER_SMOKE_REUSE_IMAGE:-}" != 1 ]; then
    "$docker" history --no-trunc "$image" | grep -q -F "$canary" && fail "the .env token is in the image's history"
    timeout 120 "$docker" run --rm --network none --entrypoint grep "$image" -r -l -s -F "$canary" /opt /home /usr/local \
        && fail "the .env token is in the image's files"
fi
passed "the runtime stage runs as '$user'; no secret in its environment, its history or its files (a .env was there)"

# --- The doubles and the container ------------------------------------------------------------------------------
timeout 1200 swift build --package-path "$root" --product agent-doubles >"$work/doubles-build.log" 2>&1 \
    || fail "agent-doubles does not build (see $work/doubles-build.log)"
doubles_bin="$(swift build --package-path "$root" --show-bin-path)/agent-doubles"
"$doubles_bin" --telegram-port 0 --openai-port 0 >"$work/doubles.env" 2>"$work/doubles.log" &
doubles_pid=$!
for _ in $(seq 1 50); do
    [ "$(wc -l <"$work/doubles.env")" -ge 2 ] && break
    sleep 0.2
done
telegram=$(sed -n 's/^TELEGRAM_API_BASE=//p' "$work/doubles.env")
openai=$(sed -n 's/^OPENAI_BASE_URL=//p' "$work/doubles.env")
[ -n "$telegram" ] && [ -n "$openai" ] || fail "agent-doubles did not start (see $work/doubles.log)"
model_control=${openai%/v1}/_double

cat >"$work/compose.smoke.yaml" <<EOF
# The smoke test's only differences from compose.yaml: the image it built, and host networking (loopback doubles).
services:
  agent:
    image: $image
    network_mode: host
EOF
compose_files=(-p "$project" -f "$root/compose.yaml" -f "$work/compose.smoke.yaml")
# The settings, as an owner's .env would give them (test values; the doubles accept any token and key).
export TELEGRAM_BOT_TOKEN=123456:container-smoke OPENAI_API_KEY=container-smoke TELEGRAM_ALLOWED_USER_IDS=1
export TELEGRAM_ADMIN_USER_IDS=2 TELEGRAM_API_BASE="$telegram" OPENAI_BASE_URL="$openai" AGENT_POLL_TIMEOUT_S=2
export AGENT_PROBATION_S=5
# up / stop / start / remove, by compose v2, or by the docker CLI with the options docker-compose 1.x resolved.
service_up() {
    if [ "${compose[0]}" != docker-compose ]; then
        timeout 120 "${compose[@]}" "${compose_files[@]}" up -d --no-build >>"$work/compose.log" 2>&1 || return 1
        container=$(timeout 30 "${compose[@]}" "${compose_files[@]}" ps -q agent)
        return 0
    fi
    timeout 60 docker-compose "${compose_files[@]}" config >"$work/compose.resolved.yaml" 2>>"$work/compose.log" || return 1
    mapfile -d '' -t run_options < <("$root/scripts/container/compose-run.py" agent "$project" "$work/agent.env" \
        <"$work/compose.resolved.yaml")
    [ "${#run_options[@]}" -gt 0 ] || return 1
    say "docker-compose ${compose_version}: starting compose.yaml's service with docker run ${run_options[*]}"
    container=$(timeout 120 "$docker" run "${run_options[@]}" 2>>"$work/compose.log") || return 1
}
service_stop() {
    if [ "${compose[0]}" != docker-compose ]; then
        timeout 60 "${compose[@]}" "${compose_files[@]}" stop >>"$work/compose.log" 2>&1
    else
        timeout 60 "$docker" stop "$container" >>"$work/compose.log" 2>&1
    fi
}
service_start() {
    if [ "${compose[0]}" != docker-compose ]; then
        timeout 120 "${compose[@]}" "${compose_files[@]}" start >>"$work/compose.log" 2>&1
    else
        timeout 120 "$docker" start "$container" >>"$work/compose.log" 2>&1
    fi
}
remove_service() {
    if [ "${compose[0]}" != docker-compose ]; then
        timeout 60 "${compose[@]}" "${compose_files[@]}" down --volumes --timeout 5 >/dev/null 2>&1 || true
    else
        timeout 60 "$docker" rm -f "${project}_agent_1" >/dev/null 2>&1 || true
        timeout 60 "$docker" volume rm "${project}_agent-home" "${project}_agent-workspace" >/dev/null 2>&1 || true
        rm -f "$work/agent.env"
    fi
}
compose_version=$("${compose[@]}" version --short 2>/dev/null || echo "?")
remove_service
service_up || { cat "$work/compose.log" >&2; fail "the service does not start"; }
[ -n "$container" ] || fail "no container was started"

in_container() { timeout 60 "$docker" exec "$container" "$@"; }
wait_ready() {
    for _ in $(seq 1 120); do
        in_container agent-log ready >"$work/ready.txt" 2>&1 && return 0
        sleep 1
    done
    cat "$work/ready.txt" >&2
    timeout 30 "$docker" logs --tail 30 "$container" >&2 2>&1
    fail "the worker is not ready after 120 s"
}
# Sends a user's message, waits (60 s) for the bot's answer number COUNT in chat 1 and checks it contains TEXT.
message_number=0
say_and_expect() {
    local text=$1 expected=$2 count=$3 sent
    curl -s -m 10 -d "{\"chat_id\":1,\"user_id\":1,\"text\":\"$text\"}" "$telegram/_double/messages" >/dev/null \
        || fail "the Telegram double refused a message"
    for _ in $(seq 1 120); do
        sent=$(curl -s -m 10 "$telegram/_double/sent?chat_id=1")
        [ "$(grep -o '"message_id"' <<<"$sent" | wc -l)" -ge "$count" ] && break
        sleep 0.5
    done
    grep -q -F "$expected" <<<"$sent" || fail "no answer containing '$expected' to '$text': $sent"
}

wait_ready
passed "the worker is ready: $(cat "$work/ready.txt")"
say_and_expect "hello" "Echo: hello" 1
passed "a message is answered"

in_container agent-log runs >"$work/runs.txt" 2>&1 || fail "agent-log runs fails inside: $(cat "$work/runs.txt")"
grep -q . "$work/runs.txt" || fail "agent-log runs printed nothing"
in_container test -s /data/agent.db || fail "the database is not on /data"
volumes=$("$docker" inspect --format '{{range .Mounts}}{{.Destination}}={{.Type}} {{end}}' "$container")
grep -q '/data=volume' <<<"$volumes" && grep -q '/workspace=volume' <<<"$volumes" \
    || fail "/data and /workspace are not volumes: $volumes"
passed "agent-log runs works inside; the database is on the /data volume ($volumes)"

say_and_expect "/status" "sandboxed (bubblewrap)" 2
passed "/status says the tools are sandboxed (bubblewrap)"
command='echo \"uid=$(id -u) data_entries=$(ls -A /data | wc -l)\"'
curl -s -m 10 -d "[{\"tool_calls\":[{\"name\":\"bash\",\"arguments\":{\"command\":\"$command\"}}]},{\"text\":\"the command ran\"}]" \
    "$model_control/answers" >/dev/null || fail "the OpenAI double refused the script"
say_and_expect "run a command" "the command ran" 3
tool_result=$(curl -s -m 10 "$model_control/requests" | grep -o 'uid=[0-9]* data_entries=[0-9]*' | tail -1)
[ "$tool_result" = "uid=1000 data_entries=0" ] \
    || fail "the bash tool did not run in the fence as the agent user: '$tool_result' (want uid=1000 data_entries=0)"
passed "the bash tool ran inside the fence as the agent user ($tool_result: /data hidden)"

# The self-update inside: the image's toolchain builds the worker offline in the fence (its tests replaced by `true`:
# the suite is `make test`'s job, and takes 12 minutes), an admin approves, the supervisor deploys it on probation.
if [ "${CONTAINER_SMOKE_STAGE:-1}" = 1 ]; then
    stage_started=$SECONDS
    timeout 1800 "$docker" exec -e AGENT_TEST_COMMAND=true "$container" agent-build stage --reason container-smoke \
        >"$work/stage.log" 2>&1 || { tail -20 "$work/stage.log" >&2; fail "agent-build stage failed inside"; }
    rev=$(tail -1 "$work/stage.log")
    passed "agent-build stage built the worker inside in $((SECONDS - stage_started)) s: rev ${rev:0:12}"
    in_container agent-build approve "$rev" >/dev/null || fail "agent-build approve $rev failed"
    for _ in $(seq 1 120); do
        in_container agent-build show "$rev" >"$work/artifact.txt" 2>&1 || true
        grep -q -E '^artifact [0-9]+: (promoted|rolled_back|rejected)' "$work/artifact.txt" && break
        sleep 1
    done
    grep -q -E '^artifact [0-9]+: promoted' "$work/artifact.txt" || fail "the update was not promoted: $(head -1 "$work/artifact.txt")"
    wait_ready
    grep -q -F "rev ${rev:0:12}" "$work/ready.txt" || fail "the ready worker is not the update: $(cat "$work/ready.txt")"
    say_and_expect "after the update" "Echo: after the update" 4
    notices=$(curl -s -m 10 "$telegram/_double/sent?chat_id=2" | grep -o '"message_id"' | wc -l)
    [ "$notices" -ge 2 ] || fail "the admin (chat 2) was not told of the stage and the promotion ($notices messages)"
    passed "the update was approved, deployed and promoted, the admin told ($notices messages); the new worker answers"
    answers=4
else
    say "CONTAINER_SMOKE_STAGE=0: no self-update inside"
    answers=3
fi

for _ in $(seq 1 45); do
    health=$("$docker" inspect --format '{{.State.Health.Status}}' "$container")
    [ "$health" = healthy ] && break
    sleep 2
done
[ "$health" = healthy ] || fail "the HEALTHCHECK says '$health' after 90 s"
passed "the HEALTHCHECK (agent-log ready) says healthy"

in_container agent-log runs >"$work/runs-before.txt" 2>&1 || fail "agent-log runs fails inside"
# A message in flight at the stop: answered before it, or after the restart, but once.
curl -s -m 10 -d '{"chat_id":1,"user_id":1,"text":"in flight"}' "$telegram/_double/messages" >/dev/null
stop_started=$SECONDS
service_stop || fail "the stop failed"
stop_s=$((SECONDS - stop_started))
code=$("$docker" inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || fail "the container exited with $code on compose stop"
[ "$stop_s" -lt 20 ] || fail "compose stop took $stop_s s (the stop grace is 20 s)"
passed "compose stop is clean: exit code 0 after $stop_s s"

service_start || fail "the start failed"
wait_ready
say_and_expect "again" "Echo: again" $((answers + 2))
sent=$(curl -s -m 10 "$telegram/_double/sent?chat_id=1")
for text in "Echo: hello" "Echo: in flight" "Echo: again"; do
    [ "$(grep -o "\"text\":\"$text\"" <<<"$sent" | wc -l)" -eq 1 ] || fail "'$text' was not sent exactly once: $sent"
done
[ "$(grep -o '"message_id"' <<<"$sent" | wc -l)" -eq $((answers + 2)) ] || fail "not $((answers + 2)) answers: $sent"
in_container agent-log runs >"$work/runs.txt" 2>&1 || fail "agent-log runs fails inside after the restart"
while read -r line; do
    grep -q -F -x "$line" "$work/runs.txt" || fail "the run '$line' is gone after the restart"
done < <(tail -n +2 "$work/runs-before.txt")
[ "$(wc -l <"$work/runs.txt")" -gt "$(wc -l <"$work/runs-before.txt")" ] || fail "the new message made no run"
passed "after the restart the state survived: the runs before it are kept, the new message is answered, none twice"

violations=$(curl -s -m 10 "$telegram/_double/violations")$(curl -s -m 10 "$model_control/violations")
[ "$violations" = "[][]" ] || fail "the doubles saw specification violations: $violations"
say "passed in $((SECONDS - started_at)) s"
