#!/usr/bin/env bash
# Event store and agent-log: append throughput (against the sqlite3 shell), tail -f latency, tree and runs on
# a 1,000,000-event database.
set -euo pipefail
"$AGENT_BIN_DIR/bench-events"
