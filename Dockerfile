# syntax=docker/dockerfile:1
# smsgate-ca: a certificate authority for private IPv4 addresses (REST, ACME, Kubernetes operator).
#
#   docker build -t smsgate-ca:0.1.0 --build-arg VERSION=0.1.0 .
#   docker run --read-only -v smsgate-ca-data:/data --tmpfs /tmp -p 8443:8443 smsgate-ca:0.1.0
#
# Runs as uid/gid 65532 on a read-only root filesystem: everything it writes goes to /data (CA and
# SQLite store when standalone) and /tmp, which are volumes. Pin the base images by digest in CI.

ARG BUILD_IMAGE=node:20.19-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

# ---- toolchain: Node plus what node-gyp needs if better-sqlite3 has no prebuilt binary
FROM ${BUILD_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./

# ---- build: compile the TypeScript with every dependency
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-if-stale.mjs ./scripts/
COPY src ./src
COPY bench ./bench
RUN npm run build \
 && mkdir -p /out/data

# ---- prod-deps: production dependencies only, native addons built against this glibc and Node ABI
FROM toolchain AS prod-deps
ENV NODE_ENV=production
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: distroless Node, no shell, no package manager
FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="smsgate-ca" \
      org.opencontainers.image.description="Certificate authority for private IPv4 addresses: SMSGate-compatible REST API, ACME (RFC 8555/8738) and a Kubernetes operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/smsgate-ca/smsgate-ca" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs20-debian12:nonroot"
ENV NODE_ENV=production \
    PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin \
    TMPDIR=/tmp \
    SMSGATE_CA_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json ./
COPY bin ./bin
COPY crds ./crds
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data", "/tmp"]
EXPOSE 8443
# Standalone use only (Kubernetes uses the chart's probes): the generated serving certificate names
# 127.0.0.1 and is signed by the root in /data/ca.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:https').get({host:'127.0.0.1',port:8443,path:'/healthz',ca:require('node:fs').readFileSync('/data/ca/root.crt')},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/smsgate-ca.js"]
CMD ["serve"]
