#!/usr/bin/env bash
# Worker and supervisor (issue 4): latency added per message, throughput with 100 chats at once, resident memory
# idle and after 10,000 messages, kill -9 to the next READY beyond the backoff.
set -euo pipefail
"$AGENT_BIN_DIR/bench-worker"
