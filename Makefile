# The README's two commands are `make run` and `make test`; everything else is for developers.
SWIFT ?= swift
BIN_DEBUG := $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
RELEASE_FLAGS := -c release --scratch-path .build-release

.PHONY: build release test bench lint run clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(RELEASE_FLAGS)

## Every test of the suite: units and end-to-end tests of the real executables.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## The benchmarks of the issues, on a release build; prints one report per figure.
bench: release
	AGENT_BIN_DIR=$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path) scripts/bench.sh

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

## Runs the system: the supervisor, which starts the worker. Secrets come from the environment (or .env).
run: release
	scripts/run.sh

clean:
	rm -rf .build .build-release var/tmp
