# agent-governance as a container: `docker build -t agent-governance .`
# Node 26 'Lithium' is the Active LTS line (since 2026-10-28). Both stages use the same image,
# pinned by its multi-platform index digest so a rebuild gets the same base; to move to a newer
# node:26-slim, `docker buildx imagetools inspect node:26-slim` prints the current digest.

# --- build: compile TypeScript with the dev dependencies --------------------
FROM node:26-slim@sha256:c0753125a3789977aefe869cbebccf70e3cfd7ea84ca48547458f02e4f1d7146 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled app, non-root ---------
FROM node:26-slim@sha256:c0753125a3789977aefe869cbebccf70e3cfd7ea84ca48547458f02e4f1d7146 AS runtime
# tini (Debian's package) runs as PID 1: it forwards SIGTERM to Node and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    LOG_LEVEL=info
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY bin ./bin
COPY schema ./schema
# The image's unprivileged user (uid 1000); the app writes nothing to disk.
USER node
EXPOSE 3000
# `docker stop` sends SIGTERM: the server stops accepting connections and lets the deliveries in
# flight finish within SHUTDOWN_TIMEOUT_MS (8 s), inside Docker's default 10 s before SIGKILL.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
