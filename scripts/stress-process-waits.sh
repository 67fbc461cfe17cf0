#!/usr/bin/env bash
# Runs the deadline case of ProcessControlTests N times (default 300) beside two CPU hogs that the test starts and
# kills itself: a lost wake-up between the reaper and a waiter shows as a run that does not return (issue 8, item 10).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
swift build --build-tests
AGENT_STRESS_PROCESS_WAITS="$runs" swift test --skip-build --no-parallel --filter ProcessWaitStressTests
