#!/usr/bin/env bash
# Clients and doubles: the time a TelegramClient / OpenAIChatClient call takes against the doubles beside the same
# exchange over a raw socket (the difference is the client's overhead, p50 and p99), and the requests per second
# each double sustains over 4 keep-alive connections (target: at least 2,000/s).
set -euo pipefail
"$AGENT_BIN_DIR/bench-clients" "$@"
