#!/usr/bin/env bash
# The agent loop (issue 9): its own cost per turn (model and tool time excluded), context assembly for a chat with
# 100,000 stored messages, the worker's resident memory over 1,000 runs of 5 turns.
set -euo pipefail
"$AGENT_BIN_DIR/bench-agent"
