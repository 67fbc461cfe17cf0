# The agent in a container: `docker compose up -d` (compose.yaml). Three stages:
#   build    compiles the four programs in release mode (`make release`, the Swift runtime linked in statically)
#            and strips them;
#   test     the suite, the way CI runs it: built only when asked for (`docker build --target test .`);
#   runtime  what runs (last): the stripped programs, as the unprivileged user `agent`, state in /data, the
#            workspace in /workspace. Build it with BuildKit (Docker 23+, `docker compose`, or DOCKER_BUILDKIT=1):
#            BuildKit builds only the stages the target needs, the classic builder every stage above it.
# The runtime carries the Swift toolchain, so that `agent-build` can stage a self-update inside the container:
# docs/container.md says why (measured against a separate builder service) and what it costs. No secret is in any
# layer: they come from the environment at run time. No `# syntax=` line: the frontend image would be pulled.

ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev libcurl4-openssl-dev make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make release RELEASE_EXTRA_FLAGS=--static-swift-stdlib \
    && mkdir -p /out/bin /out/deps \
    && bin="$(swift build -c release --scratch-path .build-release --show-bin-path)" \
    && cp "$bin/supervisord-agent" "$bin/agent-worker" "$bin/agent-log" "$bin/agent-build" /out/bin/ \
    && strip /out/bin/* \
    && cp Package.resolved /out/deps/ \
    && cp -a .build-release/checkouts .build-release/repositories /out/deps/

FROM build AS test
RUN apt-get update \
    && apt-get install -y --no-install-recommends sqlite3 ripgrep bubblewrap fd-find git python3 python3-venv util-linux bsdutils \
    && rm -rf /var/lib/apt/lists/*
RUN make test

FROM ${SWIFT_IMAGE} AS runtime
# The programs' libraries, the tools' commands (bubblewrap for `bash` and the stage's fence, ripgrep, git), sqlite3
# for backups (docs/operations.md), and what the suite of a staged update needs (.ci/run's list: libsqlite3-dev,
# fd-find, make, curl for DemoTests; Python is not needed, a stage sets AGENT_SKIP_PYTHON_TESTS=1).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libsqlite3-dev libcurl4 libcurl4-openssl-dev \
        ca-certificates tzdata bubblewrap ripgrep fd-find git sqlite3 curl make util-linux bsdutils \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --uid 1000 --user-group --create-home --home-dir /home/agent --shell /bin/bash agent \
    && mkdir -p /data /workspace \
    && chown agent:agent /data /workspace
COPY --from=build /out/bin/ /usr/local/bin/
# The project's own source (a git checkout), cloned into the workspace at first start for the agent to work on,
# with the resolved dependencies, so that a staged build resolves nothing over the network (docs/self-update.md).
COPY --chown=agent:agent . /opt/agent/src
COPY --from=build --chown=agent:agent /out/deps/ /opt/agent/src/.build/
COPY --from=build --chown=agent:agent /out/deps/Package.resolved /opt/agent/src/
ENV AGENT_HOME=/data \
    AGENT_DB=/data/agent.db \
    AGENT_WORKSPACE=/workspace/agent \
    AGENT_SOURCE=/opt/agent/src
USER agent
WORKDIR /home/agent
VOLUME ["/data", "/workspace"]
STOPSIGNAL SIGTERM
# Asks the database whether the supervisor's newest worker sent READY=1 and still runs (Sources/agent-log/Ready.swift).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["agent-log", "ready"]
# The supervisor is PID 1: it reaps every child and forwards the stop to the worker.
ENTRYPOINT ["/usr/local/bin/supervisord-agent", "--worker", "/usr/local/bin/agent-worker"]
