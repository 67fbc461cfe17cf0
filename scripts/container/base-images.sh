#!/usr/bin/env bash
# The two base images of the Dockerfile, made offline when no registry can be pulled from (this project's machines
# reach no image registry). Each is used as it is when the engine has it or can pull it; otherwise a stand-in is
# made, and said so on stderr:
#   debian:bookworm-slim  debootstrap --variant=minbase bookworm over the Debian mirror of /etc/apt/sources.list*
#   swift:6.3-bookworm    that image, the packages of the official swift:bookworm image, the machine's toolchain
#                         (SWIFT_TOOLCHAIN, default the one `swift` runs from: /opt/swift/usr here) copied to /usr,
#                         and its Swift package mirror (SWIFT_PACKAGE_MIRROR, default the folder git maps
#                         https://github.com/ to) copied in with the same git mapping, so `swift build` resolves offline.
# Measured on the project's 2-core machine: 31 s and 93 s. Usage: scripts/container/base-images.sh [DOCKER]
set -euo pipefail
docker=${1:-docker}
pull_timeout=${PULL_TIMEOUT_S:-60}

say() { printf 'base-images: %s\n' "$*" >&2; }

have_or_pull() {
    "$docker" image inspect "$1" >/dev/null 2>&1 && return 0
    timeout "$pull_timeout" "$docker" pull -q "$1" >/dev/null 2>&1
}

# The first Debian mirror apt uses here (deb822 `URIs:` or a one-line `deb URL bookworm ...`).
debian_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit} /^deb / && $0 ~ / bookworm / && $2 ~ /\/debian\/?$/ {print $2; exit}')
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

make_debian() {
    local mirror root started=$SECONDS
    mirror=$(debian_mirror)
    root=$(mktemp -d /var/tmp/bookworm-root.XXXXXX)
    say "debian:bookworm-slim cannot be pulled: making a stand-in with debootstrap --variant=minbase bookworm from $mirror"
    timeout 900 debootstrap --variant=minbase bookworm "$root" "$mirror" >/var/tmp/debootstrap.log 2>&1 \
        || { tail -20 /var/tmp/debootstrap.log >&2; rm -rf "$root"; return 1; }
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$root/etc/apt/sources.list"
    # As the official slim image: no apt cache, no documentation of installed packages.
    printf 'APT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/90no-recommends"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    timeout 300 tar -C "$root" -c . | timeout 300 "$docker" import --change 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
    rm -rf "$root"
    say "debian:bookworm-slim stand-in made in $((SECONDS - started)) s"
}

# The folder git maps https://github.com/ to (url.<folder>.insteadOf), if any.
package_mirror() {
    git config --get-regexp '^url\..*\.insteadof$' 'https://github.com/' 2>/dev/null | head -1 \
        | sed -E 's/^url\.(.*)\.insteadof .*$/\1/'
}

make_swift() {
    local toolchain mirror name started=$SECONDS
    toolchain=${SWIFT_TOOLCHAIN:-$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")}
    mirror=${SWIFT_PACKAGE_MIRROR:-$(package_mirror)}
    mirror=${mirror%/}
    [ -x "$toolchain/bin/swift" ] || { say "no Swift toolchain at $toolchain"; return 1; }
    say "swift:6.3-bookworm cannot be pulled: making a stand-in from debian:bookworm-slim with $toolchain${mirror:+ and the package mirror $mirror}"
    name=swift-standin-$$
    local mounts=(-v "$toolchain:/mnt/toolchain:ro")
    [ -n "$mirror" ] && mounts+=(-v "$mirror:/mnt/packages:ro")
    # The packages of the official image's Dockerfile (swiftlang/swift-docker, 6.x/bookworm), then the copies.
    timeout 900 "$docker" run --name "$name" --network host "${mounts[@]}" -e DEBIAN_FRONTEND=noninteractive \
        -e MIRROR="$mirror" debian:bookworm-slim bash -euc '
            apt-get update -q
            apt-get install -y -q --no-install-recommends binutils git gnupg2 libc6-dev libcurl4-openssl-dev \
                libedit2 libgcc-12-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libncurses-dev \
                libz3-dev pkg-config tzdata zlib1g-dev unzip ca-certificates >/dev/null
            rm -rf /var/lib/apt/lists/*
            cp -a /mnt/toolchain/. /usr/
            if [ -n "$MIRROR" ]; then
                mkdir -p "$MIRROR" && cp -a /mnt/packages/. "$MIRROR/"
                git config --system url."$MIRROR/".insteadOf https://github.com/
                git config --system --add url."$MIRROR/".insteadOf git@github.com:
                git config --system --add url."$MIRROR/".insteadOf ssh://git@github.com/
                git config --system --add safe.directory "*"
            fi
            swift --version' >/var/tmp/swift-standin.log 2>&1 \
        || { tail -20 /var/tmp/swift-standin.log >&2; "$docker" rm -f "$name" >/dev/null 2>&1; return 1; }
    timeout 600 "$docker" commit --change 'CMD ["bash"]' "$name" swift:6.3-bookworm >/dev/null
    "$docker" rm "$name" >/dev/null
    say "swift:6.3-bookworm stand-in made in $((SECONDS - started)) s"
}

have_or_pull debian:bookworm-slim || make_debian
have_or_pull swift:6.3-bookworm || make_swift
