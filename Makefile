# The README's two commands are `make run` and `make test`; everything else is for developers.
SWIFT ?= swift
# The Swift runtime and Foundation linked statically, as the container and a stage build them: smaller resident
# memory (docs/performance.md) and one kind of binary whichever way the system is run.
RELEASE_EXTRA_FLAGS ?= --static-swift-stdlib
RELEASE_FLAGS := -c release --scratch-path .build-release $(RELEASE_EXTRA_FLAGS)

.PHONY: build release test test-slow bench lint run demo clean venv doubles container-smoke

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(RELEASE_FLAGS)

## The Python of the tests (.venv): the official openai and python-telegram-bot clients, pinned in
## requirements-test.txt, that prove the doubles speak the real APIs. Installs only when the pins change.
venv: .venv/.installed

.venv/.installed: requirements-test.txt
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

## Every test of the suite: units and end-to-end tests of the real executables. One test at a time: the end-to-end
## tests start processes and measure deadlines, which two cores cannot honour for many tests at once.
test: venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## The slow tests, which `make test` skips: the real self-update of this project (RealSelfUpdateTests: a release
## build of the worker and the suite in a fenced copy, then a deploy and a rollback). It stages the repository's
## HEAD, so commit first; `.ci/run` runs it after `make test`, whose build it reuses.
test-slow:
	$(SWIFT) build --build-tests
	AGENT_SLOW_TESTS=1 $(SWIFT) test --skip-build --no-parallel --filter RealSelfUpdateTests

## The benchmarks of the issues, on a release build; prints one report per figure.
bench: release
	AGENT_BIN_DIR=$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path) scripts/bench.sh

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

## Runs the system: the supervisor, which starts the worker. Settings come from the environment and `.env`
## (ENV_FILE=PATH for another file); the required ones are checked before anything is built, and what is missing
## is one line (make's own `*** ... Stop.` around the script's message, and no second line of make's).
ENV_FILE ?= .env
export ENV_FILE
ifneq ($(filter run,$(MAKECMDGOALS)),)
run_problem := $(shell ENV_FILE='$(ENV_FILE)' scripts/run.sh --check 2>&1 >/dev/null)
ifneq ($(run_problem),)
$(error $(run_problem))
endif
endif
run:
	@scripts/run.sh

## The whole system without a bot token or the network (scripts/demo.sh): the real supervisor and worker against the
## loopback doubles, a scripted conversation, a kill -9, a staged update approved and promoted; state in var/demo.
demo: release
	AGENT_BIN_DIR=$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path) scripts/demo.sh

## The Telegram and OpenAI doubles on loopback, for manual runs and demos (docs/doubles.md); stops on Ctrl-C.
doubles:
	$(SWIFT) build --product agent-doubles
	$$($(SWIFT) build --show-bin-path)/agent-doubles

## The container smoke test (scripts/container-smoke.sh says what it checks): builds the image, runs it with
## compose.yaml against the loopback doubles. Installs Debian's docker.io and starts dockerd when they are missing.
container-smoke:
	timeout 3600 scripts/container-smoke.sh

clean:
	rm -rf .build .build-release var/tmp
