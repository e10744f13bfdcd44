# syntax=docker/dockerfile:1
# The operator image; the same image runs seed, infrastructure and load Jobs
# (`understudy seed`, …): the Job sets only the arguments.
#
# Every base is pinned by the digest of its multi-arch index (amd64 and
# arm64). The digests were copied from the registries' published indexes, not
# resolved on this project's build machine (it has no registry access); the
# release workflow resolves them again before it builds, and a digest bump is
# an ordinary reviewed change.
ARG BUILDER=node:24-bookworm-slim@sha256:3638d9a6fe4030bd716be989438248074489337ba3275657f93595428be4fc03
ARG RUNTIME=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a
ARG GO_BUILDER=golang:1.26-bookworm@sha256:18aedc16aa19b3fd7ded7245fc14b109e054d65d22ed53c355c899582bbb2113
# The pulumi engine the infrastructure controller drives; the same version as
# the @pulumi/pulumi package in package-lock.json.
ARG PULUMI_VERSION=v3.276.0

# The dependencies are plain JavaScript (no native addons), so the build runs
# once on the builder's own platform and its output serves every target.
FROM --platform=$BUILDPLATFORM ${BUILDER} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY operator ./operator
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force

# The pulumi engine and its dynamic-provider launcher, built from the Go
# module as the tests build it. Built for the target platform (the script
# runs the binary it built), so arm64 builds it under emulation.
FROM ${GO_BUILDER} AS engine
ARG PULUMI_VERSION
COPY test/cluster/build-pulumi.sh /build-pulumi.sh
RUN UNDERSTUDY_CACHE=/cache PULUMI_VERSION=${PULUMI_VERSION} bash /build-pulumi.sh && cp -r /cache/pulumi/${PULUMI_VERSION} /engine

# Distroless: no shell, no npm, no corepack, no package manager; uid 65532.
FROM ${RUNTIME}
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
# Set by the release workflow to the repository it builds from.
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="understudy" \
      org.opencontainers.image.description="Kubernetes operator for production-like staging environments, safe seeded data and parity checks" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=engine /engine/bin /opt/pulumi/bin
ENV UNDERSTUDY_PULUMI_ROOT=/opt/pulumi
# The chart mounts /tmp and keeps the root filesystem read-only.
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/understudy.js"]
CMD ["operator"]
