#!/usr/bin/env bash
# Worker and supervisor (issue 4): latency added per message, throughput with 100 chats at once, resident memory
# idle and after 50,000 messages, the same latency under supervisord-agent and the supervisor's resident memory
# (issue 12), kill -9 to the next READY beyond the backoff.
set -euo pipefail
"$AGENT_BIN_DIR/bench-worker"
