#!/usr/bin/env bash
# Builds, with podman, every image docker-compose.yml and the chart name, without Docker Hub:
#   localhost/sdfleet-deploy/debian:trixie   a debootstrapped Debian (minbase + ca-certificates)
#   localhost/sdfleet-deploy/jdk:21, jre:21  Debian's OpenJDK 21, the Dockerfile's BUILD_IMAGE and RUNTIME_IMAGE
#   rabbitmq:3.13-management, postgres:16, minio/minio:latest
#                                            stand-ins from Debian's RabbitMQ and PostgreSQL and S3Proxy (images/)
#   the four services from the repository's Dockerfile, offline (--network=none, MAVEN_ARGS=-o, the Maven user home
#   copied into the build context as .m2-offline/), tagged sdfleet/<name>:latest (the chart) and
#   <project>_<service> (podman-compose's name for a service it builds; project: SDFLEET_COMPOSE_PROJECT).
# An image that exists is kept (a real rabbitmq:3.13-management is used as it is), except a service image whose
# io.sdfleet.source label (a hash of every file git does not ignore, but for the ones no service jar is built from:
# deploy-tests/, scripts/deploy/, helm/, .ci/, *.md) differs from the working tree's: the four are rebuilt when the
# sources changed, or always with SDFLEET_DEPLOY_REBUILD=true. Needs root (debootstrap), podman, runc, debootstrap, and the Debian mirror.
# Usage: scripts/deploy/build-images.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
. scripts/deploy/podman-env.sh
work="$SDFLEET_DEPLOY_WORK"
project="${SDFLEET_COMPOSE_PROJECT:-sdfleet-deploy}"
suite="${SDFLEET_DEBIAN_SUITE:-trixie}"
base="localhost/sdfleet-deploy/debian:$suite"
jdk=localhost/sdfleet-deploy/jdk:21
jre=localhost/sdfleet-deploy/jre:21
mirror="${SDFLEET_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(grep -rhoE '(https?://[^ ]*/debian)/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null \
    | grep -v security | head -n1 | tr -d ' ' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

t0=$(date +%s)
step() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
exists() { podman image exists "$1"; }

if ! exists "$base"; then
  step "debootstrap $suite from $mirror"
  rootfs="$work/rootfs-$suite"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  # PATH as Docker Hub's debian image has it: podman kube play gives a container no default PATH.
  tar -C "$rootfs" -c . | podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$base" >/dev/null
  rm -rf "$rootfs"
fi

build_standin() { # image dir from: kept when it exists, unless it is a stand-in of another recipe or base image
  local image="$1" dir="$2" from="$3" hash
  hash=$( (cd "$dir" && cat *; podman image inspect --format '{{.Id}}' "$from") | sha256sum | cut -c1-16)
  if exists "$image"; then
    local label
    label=$(podman image inspect --format '{{index .Labels "io.sdfleet.stand-in"}}/{{index .Labels "io.sdfleet.recipe"}}' "$image")
    case "$label" in
      "<no value>/"*|/*|"/$hash"|*"/$hash") step "have $image"; return ;; # not a stand-in (a real image), or this recipe's
    esac
  fi
  step "build $image"
  podman build --quiet --build-arg "BASE=$from" --label "io.sdfleet.recipe=$hash" -t "$image" "$dir" >/dev/null
}
build_standin "$jdk" scripts/deploy/images/jdk "$base"
build_standin "$jre" scripts/deploy/images/jre "$base"
build_standin docker.io/library/rabbitmq:3.13-management scripts/deploy/images/rabbitmq "$base"
build_standin docker.io/library/postgres:16 scripts/deploy/images/postgres "$base"
if ! exists docker.io/minio/minio:latest || [ -n "$(podman image inspect --format '{{index .Labels "io.sdfleet.stand-in"}}' docker.io/minio/minio:latest | grep -v '<no value>')" ]; then
  jar="${SDFLEET_S3PROXY_JAR:-}"
  [ -n "$jar" ] || jar=$(ls launcher/target/s3proxy/s3proxy.jar 2>/dev/null \
    || find "${MAVEN_USER_HOME:-$HOME/.m2}/repository/org/gaul/s3proxy" -name 's3proxy-*-jar-with-dependencies.jar' | sort -V | tail -n1)
  [ -f "$jar" ] || { echo "no S3Proxy jar (build the launcher module, or set SDFLEET_S3PROXY_JAR)" >&2; exit 1; }
  mkdir -p "$work/minio"; cp scripts/deploy/images/minio/* "$work/minio/"; cp "$jar" "$work/minio/s3proxy.jar"
  build_standin docker.io/minio/minio:latest "$work/minio" "$jre"
fi

# The four services, from the Dockerfile with no network. The Maven user home goes into the build context as
# .m2-offline/ (hard links where possible: same file system, no copy).
m2="${MAVEN_USER_HOME:-$HOME/.m2}"
source=$(git ls-files -z --cached --others --exclude-standard -- . ':!deploy-tests' ':!scripts/deploy' ':!helm' ':!.ci' ':!*.md' | sort -z \
  | xargs -0 -r sh -c 'for f; do [ -f "$f" ] && sha256sum "$f"; done' sh \
  | cat - <(podman image inspect --format '{{.Id}}' "$jdk" "$jre") | sha256sum | cut -c1-16)
dangling_before=$(podman images --filter dangling=true --quiet --no-trunc | sort)
for service in storage scheduler worker gateway; do
  image="localhost/sdfleet/$service:latest"
  if exists "$image" && [ "${SDFLEET_DEPLOY_REBUILD:-false}" != true ] \
      && [ "$(podman image inspect --format '{{index .Labels "io.sdfleet.source"}}' "$image")" = "$source" ]; then
    step "have $image (sources $source)"
  else
    if [ ! -d .m2-offline ]; then
      step "Maven user home $m2 -> .m2-offline/"
      trap 'rm -rf "$repo/.m2-offline"' EXIT # ours: removed however the script ends; one already there is kept
      cp -al "$m2" .m2-offline 2>/dev/null || { rm -rf .m2-offline; cp -r "$m2" .m2-offline; }
    fi
    step "build $image (offline, sources $source)"
    podman build --network=none --label "io.sdfleet.source=$source" --build-arg "SERVICE=$service-service" --build-arg "BUILD_IMAGE=$jdk" \
      --build-arg "RUNTIME_IMAGE=$jre" --build-arg MAVEN_ARGS=-o -t "$image" -f Dockerfile . \
      > "$work/build-$service.log" 2>&1 || { tail -n 40 "$work/build-$service.log"; exit 1; }
  fi
  podman tag "$image" "localhost/${project}_$service:latest"
done
# The build stages these builds left (the Maven user home is in them: 2 GB each); others' are kept.
comm -13 <(echo "$dangling_before") <(podman images --filter dangling=true --quiet --no-trunc | sort) \
  | xargs -r podman rmi --force >/dev/null 2>&1 || true
step "images ready"
