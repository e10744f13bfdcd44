# syntax=docker/dockerfile:1
# The operator image; the same image runs seed, infrastructure and load Jobs
# (`understudy seed`, …): the Job sets only the arguments.
#
# Both bases are pinned by the digest of their multi-arch index (amd64 and
# arm64). The digests were copied from the registries' published indexes, not
# resolved on this project's build machine (it has no registry access); the
# release workflow resolves them again before it builds, and a digest bump is
# an ordinary reviewed change.
ARG BUILDER=node:24-bookworm-slim@sha256:3638d9a6fe4030bd716be989438248074489337ba3275657f93595428be4fc03
ARG RUNTIME=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

# The dependencies are plain JavaScript (no native addons), so the build runs
# once on the builder's own platform and its output serves every target.
FROM --platform=$BUILDPLATFORM ${BUILDER} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY operator ./operator
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force

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
# The chart mounts /tmp and keeps the root filesystem read-only.
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/understudy.js"]
CMD ["operator"]
