# syntax=docker/dockerfile:1
# The mwop operator image: `node dist/main.js`, plus kubectl-mw (workflow steps such as retention
# cleanup run it from this image). Build: docker build -t ghcr.io/mwop/operator:0.1.0 .

# --- build: compile TypeScript with the dev dependencies ------------------------------------------
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- deps: production dependencies only, without the compiler and test tools -----------------------
FROM node:24-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------------
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin/kubectl-mw ./bin/kubectl-mw
RUN ln -s /app/bin/kubectl-mw /usr/local/bin/kubectl-mw
# 65532 is the conventional "nonroot" uid; the Deployment also sets runAsNonRoot and a read-only root.
USER 65532:65532
EXPOSE 8080 8081 9443
CMD ["node", "dist/main.js"]
