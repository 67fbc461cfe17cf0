# syntax=docker/dockerfile:1
# The agent in a container: `docker compose up` (see compose.yaml). No secret is baked in: they come from the
# environment at run time. The build runs the same Makefile target as `make run` (`make release`); the `test`
# stage runs the suite the way CI does (`docker build --target test .`).

FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev libcurl4-openssl-dev make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make release RELEASE_EXTRA_FLAGS=--static-swift-stdlib \
    && mkdir /out \
    && bin="$(swift build -c release --scratch-path .build-release --show-bin-path)" \
    && cp "$bin/supervisord-agent" "$bin/agent-worker" "$bin/agent-log" "$bin/agent-build" /out/

FROM build AS test
RUN apt-get update \
    && apt-get install -y --no-install-recommends sqlite3 ripgrep bubblewrap fd-find git python3 python3-venv util-linux \
    && rm -rf /var/lib/apt/lists/*
RUN make test

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libcurl4 ca-certificates tzdata ripgrep bubblewrap util-linux git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
# The project's own source (a git checkout), cloned into the workspace at first start for the agent to work on.
COPY . /opt/agent/src
ENV AGENT_HOME=/data \
    AGENT_WORKSPACE=/workspace/agent \
    AGENT_SOURCE=/opt/agent/src
VOLUME ["/data", "/workspace"]
STOPSIGNAL SIGTERM
# The supervisor is PID 1: it reaps every child and forwards the stop to the worker.
ENTRYPOINT ["/usr/local/bin/supervisord-agent", "--worker", "/usr/local/bin/agent-worker"]
