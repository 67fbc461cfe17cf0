#!/usr/bin/env python3
"""The `docker run` options of one service of a resolved compose file (what `docker-compose config` prints).

For Debian's docker-compose 1.x, which cannot start compose.yaml's service itself: it sends every `security_opt`
to the daemon, and the daemon knows `seccomp`, `apparmor`, `label` and `no-new-privileges` but not
`systempaths=unconfined`, which compose v2 and the docker CLI turn into empty masked and read-only path lists on
the client side. So the smoke test lets docker-compose 1.x read, check and interpolate compose.yaml, and starts
the service with the docker CLI, option for option. A key this translation does not know stops it.

Usage: docker-compose -p PROJECT -f ... config | compose-run.py SERVICE PROJECT ENV_FILE
Prints the options, NUL-separated; the environment goes to ENV_FILE (mode 600), never onto a command line.
"""

import os
import re
import sys

import yaml

TRANSLATED = {"build", "image", "restart", "stop_grace_period", "security_opt", "environment", "volumes", "network_mode"}


def seconds(duration: str) -> int:
    """`20s`, `1m30s`, `90` as whole seconds."""
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms]?)", str(duration)):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


def main() -> None:
    service_name, project, env_file = sys.argv[1:4]
    config = yaml.safe_load(sys.stdin)
    service = config["services"][service_name]
    unknown = sorted(set(service) - TRANSLATED)
    if unknown:
        sys.exit(f"compose-run.py: compose.yaml's {service_name} has keys this translation does not know: {unknown}")
    options = ["--name", f"{project}_{service_name}_1", "--detach"]

    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        for name, value in environment.items():
            file.write(f"{name}={'' if value is None else value}\n")
    options += ["--env-file", env_file]

    named = set(config.get("volumes") or {})
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        if source in named:
            source = f"{project}_{source}"
        options += ["--volume", f"{source}:{target}"]
    for option in service.get("security_opt") or []:
        options += ["--security-opt", option]
    if "restart" in service:
        options += ["--restart", service["restart"]]
    if "stop_grace_period" in service:
        options += ["--stop-timeout", str(seconds(service["stop_grace_period"]))]
    if "network_mode" in service:
        options += ["--network", service["network_mode"]]
    options.append(service["image"])
    sys.stdout.write("\0".join(options))


if __name__ == "__main__":
    main()
