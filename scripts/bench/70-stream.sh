#!/usr/bin/env bash
# Streamed replies (issue 11): 400 tokens at 20 tokens/s into a private chat; the first token leaving the OpenAI
# double to the first draft at the Telegram double, drafts per second against the throttle, the worker's CPU time
# per streamed token (beside the same run unstreamed). About 3 minutes (BENCH_STREAM_RUNS, 6).
set -euo pipefail
"$AGENT_BIN_DIR/bench-stream"
