#!/usr/bin/env bash
# Names of the locally built images, shared by scripts/images.sh (builds them) and the runner of
# the platform from its images (tools/platform, IMAGE_TAG / BASE_IMAGE). Source after node.sh.
DEBIAN_RELEASE="${DEBIAN_RELEASE:-bookworm}"
# The npm that builds the images is the one this repository is installed with (its allowScripts
# list decides which install scripts run), pinned like Node.
NPM_PIN="${NPM_PIN:-11.19.1}"
BASE_IMAGE="${BASE_IMAGE:-localhost/bhyt/node-base:$NODE_PIN-$DEBIAN_RELEASE}"
IMAGE_TAG="${IMAGE_TAG:-$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")}"
export DEBIAN_RELEASE NPM_PIN BASE_IMAGE IMAGE_TAG
image_ref() { echo "localhost/bhyt/$1:$IMAGE_TAG"; }
