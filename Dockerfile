# syntax=docker/dockerfile:1
# The operator image; the same image runs seed Jobs (`understudy seed`).
FROM node:24.12-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY operator ./operator
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24.12-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
# Runs as an unprivileged user; the chart mounts /tmp and keeps the root filesystem read-only.
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/understudy.js"]
CMD ["operator"]
