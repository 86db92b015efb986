# The internal assistant as one image: a Nuxt 3 app built into a self-contained Nitro server.
#   docker build -t assistant .
#   docker run --rm -p 3000:3000 --env-file assistant.env assistant
# Settings come from the environment at run time (see .env.example); none is baked in here.
# Plain Dockerfile syntax (no frontend to pull, no BuildKit-only flag): builds with docker,
# buildah/podman or kaniko, also on a closed network with a registry mirror for node:24-slim.
# Kubernetes manifests: deploy/kubernetes/. What this file promises is checked by tests/deploy/.

# ---- build: all dependencies, dev ones included, to run `nuxi build` ----
FROM node:24-slim AS build
WORKDIR /src
ENV CI=true NUXT_TELEMETRY_DISABLED=1

# Dependencies first, so that a change to the app alone reuses this layer. npm ci runs the
# project's postinstall (scripts/expose-next-auth-core.mjs, then `nuxi prepare`), which loads
# nuxt.config.ts, its local modules and what it imports (shared/: the languages): those come
# along, the rest of the app comes after.
COPY package.json package-lock.json nuxt.config.ts tsconfig.json ./
COPY scripts/ scripts/
COPY modules/ modules/
COPY shared/ shared/
RUN npm ci --no-audit --no-fund

# The app's sources. .dockerignore keeps out tests/, emulators/ (dev and test only: the module
# that starts them returns before importing them in a build), local data, .env files and .git.
COPY . .
RUN npm run build

# ---- runtime: Debian slim, Node's binary and the built server, nothing else ----
# Not node:24-slim again: its own layers hold npm, corepack and yarn (about 20 MB), which a later
# RUN rm can hide but not take out of the image. Debian's slim image, and Node's one binary
# from the build stage: less to pull, to store and to patch in a security scan.
FROM debian:bookworm-slim
# A smaller young generation: on a large node V8 sizes it from the machine's memory; 16 MB
# semi-spaces take idle RSS from ~280 to ~180 MB for some CPU under load (README, Performance;
# npm run bench runs the server with this line's NODE_OPTIONS).
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 NODE_OPTIONS=--max-semi-space-size=16

# A fixed numeric user so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 app \
  && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app

COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
# .output carries its own traced node_modules and the database migrations (as server assets).
# Owned by root and only readable by the app's user: the server cannot rewrite its own code.
COPY --from=build /src/.output ./.output

USER 10001:10001
EXPOSE 3000
# Liveness only; readiness (/api/ready) is for the orchestrator. slim has no curl: Node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# On SIGTERM the server turns not-ready, drains open streams for SHUTDOWN_GRACE_SECONDS, exits 0.
STOPSIGNAL SIGTERM
CMD ["node", ".output/server/index.mjs"]
