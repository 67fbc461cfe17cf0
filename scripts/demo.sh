#!/usr/bin/env bash
# `make demo`: the whole system without a bot token and without the network.
#
# Starts the loopback doubles of Telegram and OpenAI (`agent-doubles`, docs/doubles.md) and the real
# `supervisord-agent` and `agent-worker` against them, with a home, a database and a workspace of their own under
# DEMO_DIR (default ./var/demo, emptied first and kept afterwards), then plays a conversation through the doubles'
# control endpoints: a plain answer; an answer that uses the ls, grep and read tools (the model's answers are
# scripted, the tools run for real in the workspace); a user who is not allowed; a `kill -9` of the worker and its
# restart; a staged update (a copy of the running worker, so nothing is compiled) approved with the admin's button
# and promoted after its probation. It ends with `agent-log tree --last-run` and `agent-log runs`.
#
# AGENT_BIN_DIR names the folder of the executables (default .build-release/release: `make demo` builds it).
# Every wait has a deadline; a failed step says what failed and where the logs are; every process the demo started
# is stopped when it ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
bin="${AGENT_BIN_DIR:-$root/.build-release/release}"
demo="${DEMO_DIR:-$root/var/demo}"
case "$demo" in /*) ;; *) demo="$root/$demo" ;; esac
home="$demo/home"
db="$home/agent.db"
logs="$demo/logs"
scratch="$demo/scratch"

# The people of the demo: one allowed user who is also the admin, and a stranger.
owner=1001
stranger=2002
# A made-up token in the shape of a real one: the Telegram double accepts only this one.
token="1000000001:DEMO-not-a-real-token"

started_at=$(date +%s%3N)
doubles_pid=""
supervisor_pid=""
current_step="start"

fail() {
    echo "make demo: $current_step failed: $*" >&2
    echo "make demo: the logs are in $logs, the database is $db" >&2
    exit 1
}

# --- Cleaning up: every process the demo started, however it ends ------------------------------------------------
# The worker of a supervisor that is killed sees its stdin close and stops by itself; it is killed here only when it
# is still the one the database names, runs from this demo's home, and outlived its supervisor.
stop_children() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$supervisor_pid" ] && kill -0 "$supervisor_pid" 2>/dev/null; then
        kill -TERM "$supervisor_pid" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$supervisor_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$supervisor_pid" 2>/dev/null || true
    fi
    if [ -f "$db" ]; then
        local worker
        worker=$(query "SELECT json_extract(payload, '\$.pid') FROM events WHERE kind = 'worker.ready' ORDER BY id DESC LIMIT 1" 2>/dev/null || true)
        if [ -n "$worker" ] && [[ "$(readlink "/proc/$worker/exe" 2>/dev/null)" == "$home/"* ]]; then
            for _ in $(seq 1 50); do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$worker" 2>/dev/null || true
        fi
    fi
    if [ -n "$doubles_pid" ] && kill -0 "$doubles_pid" 2>/dev/null; then
        kill -TERM "$doubles_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$doubles_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$doubles_pid" 2>/dev/null || true
    fi
    exit "$status"
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Helpers ------------------------------------------------------------------------------------------------------
# A read-only query of the demo's database; prints the rows, `|` between columns.
query() {
    sqlite3 -readonly -cmd ".timeout 5000" "$db" "$1"
}

# A query over a JSON file (`readfile('FILE')` in the SQL), on an in-memory database.
json_query() {
    sqlite3 :memory: "$1"
}

# A JSON string literal of $1.
json_string() {
    local text="$1"
    text="${text//\\/\\\\}"
    text="${text//\"/\\\"}"
    text="${text//$'\n'/\\n}"
    printf '"%s"' "$text"
}

# POST $2 (JSON) to the URL $1; fails the step on anything but 200.
post() {
    local answer
    answer=$(curl --silent --show-error --max-time 10 --noproxy '*' --output "$scratch/post.json" --write-out '%{http_code}' \
        --header 'content-type: application/json' --data "$2" "$1") || fail "POST $1 did not get through"
    [ "$answer" = 200 ] || fail "POST $1 answered $answer: $(cat "$scratch/post.json")"
}

# What the bot sent to chat $1, as JSON in $scratch/sent.json.
fetch_sent() {
    curl --silent --show-error --max-time 10 --noproxy '*' --output "$scratch/sent.json" \
        "$TELEGRAM_API_BASE/_double/sent?chat_id=$1" || fail "GET /_double/sent did not get through"
}

sent_count() {
    fetch_sent "$1"
    json_query "SELECT json_array_length(readfile('$scratch/sent.json'))"
}

# `wait_for WHAT SECONDS COMMAND...`: runs COMMAND every 100 ms until it prints something other than nothing or 0,
# and prints that; after SECONDS the step fails, naming WHAT.
wait_for() {
    local what="$1" seconds="$2" deadline value
    shift 2
    deadline=$(($(date +%s) + seconds))
    while :; do
        value=$("$@" 2>/dev/null || true)
        if [ -n "$value" ] && [ "$value" != 0 ]; then
            printf '%s\n' "$value"
            return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || fail "no $what within $seconds s"
        sleep 0.1
    done
}

# The id of the first event of kind $1 after event $2 (with the SQL condition $3, when given).
event_after() {
    query "SELECT MIN(id) FROM events WHERE kind = '$1' AND id > $2 ${3:+AND $3}"
}

# The text of the first message the bot sent to chat $1, beyond its first $2, that starts with $3.
message_starting() {
    fetch_sent "$1"
    json_query "SELECT json_extract(value, '\$.text') FROM json_each(readfile('$scratch/sent.json'))
        WHERE key >= $2 AND substr(json_extract(value, '\$.text'), 1, length('$3')) = '$3' ORDER BY key LIMIT 1"
}

# A user writes $3 in chat $2 as user $1.
user_writes() {
    post "$TELEGRAM_API_BASE/_double/messages" "{\"chat_id\": $2, \"user_id\": $1, \"text\": $(json_string "$3")}"
}

# `bot_says CHAT SKIP PREFIX [SECONDS]`: waits for a message of the bot in CHAT, beyond its first SKIP, whose text
# starts with PREFIX, and prints it, indented.
bot_says() {
    wait_for "message \"$3...\" from the bot in chat $1" "${4:-30}" message_starting "$1" "$2" "$3" | sed 's/^/    bot> /'
}

# The model's next answers (the OpenAI double's script), a JSON array.
model_will_answer() {
    post "$OPENAI_ROOT/_double/answers" "$1"
}

# The newest event id, for "events after this point".
last_event_id() {
    query "SELECT COALESCE(MAX(id), 0) FROM events"
}

# Milliseconds since the demo started.
elapsed() {
    echo $(($(date +%s%3N) - started_at))
}

step() {
    current_step="step $1 ($2)"
    printf '\n== %s. %s ==\n' "$1" "$2"
}

# --- Preparation --------------------------------------------------------------------------------------------------
for program in curl sqlite3 git; do
    command -v "$program" >/dev/null || fail "$program is not installed (sudo apt-get install $program)"
done
for program in agent-doubles supervisord-agent agent-worker agent-build agent-log; do
    [ -x "$bin/$program" ] || fail "$bin/$program is missing: run \`make demo\` (it builds them), or set AGENT_BIN_DIR"
done

# Only a folder an earlier demo made is emptied.
if [ -e "$demo" ] && [ ! -e "$demo/.make-demo" ] && [ -n "$(ls -A "$demo" 2>/dev/null)" ]; then
    fail "$demo exists and was not made by make demo: set DEMO_DIR to another folder"
fi
rm -rf "$demo"
mkdir -p "$home" "$logs" "$scratch"
touch "$demo/.make-demo"

echo "make demo: the real supervisor and worker against loopback doubles of Telegram and OpenAI (no token, no network)"
echo "  state in $demo"

current_step="starting the doubles"
"$bin/agent-doubles" --token "$token" >"$logs/doubles.out" 2>"$logs/doubles.err" &
doubles_pid=$!
wait_for "address from agent-doubles" 10 grep -c '^OPENAI_BASE_URL=' "$logs/doubles.out" >/dev/null
TELEGRAM_API_BASE=$(sed -n 's/^TELEGRAM_API_BASE=//p' "$logs/doubles.out")
OPENAI_BASE_URL=$(sed -n 's/^OPENAI_BASE_URL=//p' "$logs/doubles.out")
OPENAI_ROOT="${OPENAI_BASE_URL%/v1}"
echo "  Telegram double: $TELEGRAM_API_BASE   OpenAI double: $OPENAI_BASE_URL"

# bubblewrap is what fences `bash` and a stage's steps. Where it cannot make namespaces (some containers), the demo
# says so and lets its stage's self-check run unfenced: the demo runs nothing but its own scripted steps.
fence_note=""
if ! bwrap_error=$(bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --unshare-net --cap-drop ALL -- /bin/true 2>&1); then
    fence_note="${bwrap_error:-bubblewrap is not installed}"
    echo "  note: bubblewrap does not work here ($fence_note): for this demo, which runs only its own scripted steps, the sandbox is waived (AGENT_ALLOW_UNSANDBOXED_EXEC=1)"
    export AGENT_ALLOW_UNSANDBOXED_EXEC=1
fi

export TELEGRAM_BOT_TOKEN="$token" OPENAI_API_KEY="demo-key-not-secret" TELEGRAM_API_BASE OPENAI_BASE_URL
export TELEGRAM_ALLOWED_USER_IDS="$owner" TELEGRAM_ADMIN_USER_IDS="$owner" OPENAI_MODEL="gpt-4o-mini"
export AGENT_HOME="$home" AGENT_DB="$db" AGENT_WORKSPACE="$demo/workspace"
# The worker clones the workspace from this checkout at its first start; a copy of the source that is not a git
# checkout (a tarball, a stage's --source copy) is copied in instead.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    export AGENT_SOURCE="$root"
    workspace_note="a clone of this checkout, made by the worker at its first start"
else
    mkdir -p "$AGENT_WORKSPACE"
    tar -C "$root" --exclude='./.build*' --exclude=./var --exclude=./.venv -cf - . | tar -C "$AGENT_WORKSPACE" -xf -
    workspace_note="a copy of this source folder (not a git checkout)"
fi
# Fast settings, so that the demo takes a minute: quick restarts, a 3 s probation, short polls.
export AGENT_BACKOFF_BASE_MS=200 AGENT_BACKOFF_MAX_S=2 AGENT_PROBATION_S=3 AGENT_UPDATE_POLL_MS=100
export AGENT_STOP_GRACE_S=3 AGENT_READY_TIMEOUT_S=60 AGENT_POLL_TIMEOUT_S=10 AGENT_SEND_PER_CHAT_PER_S=20
export AGENT_LOG_LEVEL=info AGENT_BUILD_BIN="$bin/agent-build"
export PATH="$bin:$PATH"

current_step="starting the supervisor"
"$bin/supervisord-agent" --worker "$bin/agent-worker" >"$logs/supervisor.out" 2>"$logs/supervisor.log" &
supervisor_pid=$!
worker_is_ready() { [ -f "$db" ] && agent-log ready >/dev/null 2>&1 && echo yes; }
wait_for "ready worker (agent-log ready)" 90 worker_is_ready >/dev/null
first_rev=$(query "SELECT json_extract(payload, '\$.rev') FROM events WHERE kind = 'revision.promoted' ORDER BY id DESC LIMIT 1")
echo "  supervisord-agent (pid $supervisor_pid) started agent-worker rev ${first_rev:0:12}: $(agent-log ready)"
echo "  the workspace, $workspace_note: $AGENT_WORKSPACE"

# --- 1. A plain answer --------------------------------------------------------------------------------------------
step 1 "A plain answer"
model_will_answer '[{"text": "Hello! I am your agent. I answer here in Telegram, and I can look at the files of my workspace with tools."}]'
echo "    you> Hello, who are you?"
user_writes "$owner" "$owner" "Hello, who are you?"
bot_says "$owner" 0 "Hello! I am your agent"

# --- 2. An answer that uses tools ---------------------------------------------------------------------------------
step 2 "An answer that uses tools (ls, grep, read)"
mark=$(last_event_id)
model_will_answer '[
  {"tool_calls": [{"id": "call_ls", "name": "ls", "arguments": {"path": "."}}]},
  {"tool_calls": [{"id": "call_grep", "name": "grep", "arguments": {"pattern": "^struct (AgentBuild|AgentLog|AgentWorkerCommand|SupervisordAgent):", "path": "Sources"}}]},
  {"tool_calls": [{"id": "call_read", "name": "read", "arguments": {"path": "Package.swift", "limit": 2}}]},
  {"text": "I listed the workspace, found where the four programs start with grep, and read the top of Package.swift: the tool results are above."}
]'
echo "    you> What is in your workspace, and where do the four programs start?"
user_writes "$owner" "$owner" "What is in your workspace, and where do the four programs start?"
bot_says "$owner" 1 "I listed the workspace"
run=$(query "SELECT MAX(run_id) FROM events WHERE kind = 'agent.completed' AND id > $mark")
[ -n "$run" ] || fail "the run of the tools did not complete"
# The tools ran for real in the workspace: their calls are events of the run, their results rows of `messages`.
query "SELECT tool_name, json_extract(content, '\$.ok'), json_extract(content, '\$.stdout') FROM messages
       WHERE role = 'tool' AND run_id = $run ORDER BY id" >"$scratch/tools.txt"
tools_seen=$(query "SELECT group_concat(json_extract(payload, '\$.tool'), ' ') FROM events WHERE kind = 'tool_call.started' AND run_id = $run")
[ "$tools_seen" = "ls grep read" ] || fail "expected the tool calls ls grep read, the run has: ${tools_seen:-none}"
for call in ls grep read; do
    ok=$(query "SELECT json_extract(content, '\$.ok') FROM messages WHERE role = 'tool' AND run_id = $run AND tool_name = '$call'")
    [ "$ok" = 1 ] || fail "the $call tool did not succeed: $(query "SELECT content FROM messages WHERE role = 'tool' AND run_id = $run AND tool_name = '$call'")"
    args=$(query "SELECT json_extract(payload, '\$.args') FROM events WHERE kind = 'tool_call.started' AND run_id = $run AND json_extract(payload, '\$.tool') = '$call'")
    echo "    tool $call $args ->"
    query "SELECT json_extract(content, '\$.stdout') FROM messages WHERE role = 'tool' AND run_id = $run AND tool_name = '$call'" \
        | awk 'NF' | head -n 4 | cut -c1-110 | sed 's/^/        /'
done
echo "    (run $run: agent-log tree --last-run below shows its turns and tool calls)"

# --- 3. A user who is not allowed ---------------------------------------------------------------------------------
step 3 "A user who is not allowed"
mark=$(last_event_id)
echo "    stranger $stranger> Hi, may I use you?"
user_writes "$stranger" "$stranger" "Hi, may I use you?"
wait_for "telegram.unauthorized for user $stranger" 30 \
    event_after telegram.unauthorized "$mark" "json_extract(payload, '\$.user_id') = $stranger" >/dev/null
# The rejection is committed before anything could be sent; a moment more shows nothing was.
sleep 0.5
[ "$(sent_count "$stranger")" = 0 ] || fail "the bot answered the stranger"
echo "    (no answer) recorded: $(query "SELECT kind || ' ' || payload FROM events WHERE kind = 'telegram.unauthorized' AND id > $mark")"

# --- 4. kill -9 of the worker ------------------------------------------------------------------------------------
step 4 "kill -9 of the worker, restarted by the supervisor"
mark=$(last_event_id)
read -r worker_pid instance < <(query "SELECT json_extract(r.payload, '\$.pid'), json_extract(s.payload, '\$.instance')
    FROM events r JOIN events s ON s.id = r.parent_id WHERE r.kind = 'worker.ready' ORDER BY r.id DESC LIMIT 1" | tr '|' ' ')
[[ "$(readlink "/proc/$worker_pid/exe" 2>/dev/null)" == "$home/"* ]] || fail "worker pid $worker_pid is not this demo's worker"
kill -KILL "$worker_pid"
killed_at=$(date +%s%3N)
echo "    kill -9 $worker_pid (worker instance $instance)"
# Written while no worker runs: it waits in Telegram and the next worker answers it.
echo "    you> /status"
user_writes "$owner" "$owner" "/status"
wait_for "worker.exited after the kill" 20 event_after worker.exited "$mark" >/dev/null
echo "    supervisor: $(query "SELECT kind || ' ' || payload FROM events WHERE kind = 'worker.exited' AND id > $mark")"
wait_for "new ready worker" 60 event_after worker.ready "$mark" >/dev/null
ready_at=$(query "SELECT ts FROM events WHERE kind = 'worker.ready' AND id > $mark ORDER BY id LIMIT 1")
echo "    supervisor: $(query "SELECT kind || ' ' || payload FROM events WHERE kind = 'worker.restart_scheduled' AND id > $mark LIMIT 1")"
echo "    supervisor: worker.ready $(query "SELECT payload FROM events WHERE kind = 'worker.ready' AND id > $mark LIMIT 1"), $((ready_at - killed_at)) ms after the kill"
bot_says "$owner" 2 "Status"

# --- 5. A staged update, approved with the admin's button, promoted ---------------------------------------------
step 5 "A staged update: approved by the admin's button press, deployed, promoted"
mark=$(last_event_id)
# A copy of the running worker with a few bytes appended: it runs the same, but it is another revision.
next="$demo/agent-worker-next"
cp "$bin/agent-worker" "$next"
printf '\nmake demo update %s\n' "$(date -u +%FT%TZ)" >>"$next"
echo "    \$ agent-build stage --binary $next --reason 'make demo'"
timeout 120 agent-build stage --binary "$next" --reason "make demo: a copy of the running worker" \
    >"$logs/stage.out" 2>"$logs/stage.err" || fail "agent-build stage: $(tail -n 1 "$logs/stage.err")"
sed 's/^/    /' "$logs/stage.err"
next_rev=$(tail -n 1 "$logs/stage.out")
[[ "$next_rev" =~ ^[0-9a-f]{64}$ ]] || fail "agent-build stage did not print a rev: $(cat "$logs/stage.out")"
artifact=$(query "SELECT id FROM artifacts WHERE rev = '$next_rev' ORDER BY id DESC LIMIT 1")
echo "    staged artifact #$artifact, rev ${next_rev:0:12}"

# The worker tells the admin, with the buttons.
notice_with_buttons() {
    fetch_sent "$owner"
    json_query "SELECT json_extract(value, '\$.message_id') FROM json_each(readfile('$scratch/sent.json'))
        WHERE json_extract(value, '\$.reply_markup.inline_keyboard[0][0].callback_data') = 'approve:$artifact'"
}
notice=$(wait_for "staging notice with the buttons in the admin's chat" 30 notice_with_buttons)
json_query "SELECT json_extract(value, '\$.text') FROM json_each(readfile('$scratch/sent.json')) WHERE json_extract(value, '\$.message_id') = $notice" \
    | sed 's/^/    bot> /'
json_query "SELECT '    bot> [' || group_concat(json_extract(button.value, '\$.text') || ': ' || json_extract(button.value, '\$.callback_data'), '] [') || ']'
    FROM json_each(readfile('$scratch/sent.json')) AS message, json_each(json_extract(message.value, '\$.reply_markup.inline_keyboard[0]')) AS button
    WHERE json_extract(message.value, '\$.message_id') = $notice"
before=$(sent_count "$owner")
echo "    (the admin presses Approve)"
post "$TELEGRAM_API_BASE/_double/callbacks" \
    "{\"chat_id\": $owner, \"user_id\": $owner, \"message_id\": $notice, \"data\": \"approve:$artifact\"}"
bot_says "$owner" "$before" "Artifact #$artifact"
promoted=$(wait_for "revision.promoted of rev ${next_rev:0:12}" 60 \
    event_after revision.promoted "$mark" "json_extract(payload, '\$.rev') = '$next_rev'")
echo "    the supervisor's side (agent-log tail --since $mark):"
agent-log tail --since "$mark" | grep '  supervisor  ' | sed 's/^/      /'
[[ "$(readlink -f "$home/current")" == *"$next_rev"* ]] || fail "AGENT_HOME/current does not point at the new revision"
[[ "$(readlink -f "$home/previous")" == *"$first_rev"* ]] || fail "AGENT_HOME/previous does not point at the first revision"
echo "    revision.promoted: rev ${next_rev:0:12} is current (the previous one, ${first_rev:0:12}, is kept as AGENT_HOME/previous)"
bot_says "$owner" "$before" "Update promoted" 20
count=$(sent_count "$owner")
echo "    you> /version"
user_writes "$owner" "$owner" "/version"
bot_says "$owner" "$count" "agent-worker"
[ "$(query "SELECT status FROM artifacts WHERE id = $artifact")" = promoted ] || fail "artifact #$artifact is not promoted"

# --- The log ------------------------------------------------------------------------------------------------------
current_step="agent-log"
violations=$(curl --silent --max-time 10 --noproxy '*' "$TELEGRAM_API_BASE/_double/violations")$(curl --silent --max-time 10 --noproxy '*' "$OPENAI_ROOT/_double/violations")
[ "$violations" = "[][]" ] || fail "requests broke the API specifications: $violations"

printf '\n== agent-log tree --last-run ==\n'
agent-log tree --last-run
printf '\n== agent-log runs ==\n'
agent-log runs

total_ms=$(elapsed)
cat <<EOF

make demo: every step passed in $((total_ms / 1000)).$((total_ms % 1000 / 100)) s (promoted rev ${next_rev:0:12}, event $promoted).
The database is $db; explore it (it stays until the next \`make demo\`):
  export AGENT_DB=$db PATH=$bin:\$PATH
  agent-log tail -n 40            agent-log tree            agent-log usage
  agent-build list                sqlite3 $db '.tables'
EOF
