# One image for the API and the workers; the command picks the role (see docker-compose.yml).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY apps ./apps
COPY packages ./packages
# The worker compiles its render-thread module into packages/renderers/.render-thread at start.
RUN npm ci --no-audit --no-fund && mkdir -p /data packages/renderers/.render-thread \
 && chown node:node /data packages/renderers/.render-thread
ENV NODE_ENV=production KILN_CHROMIUM_PATH=/usr/bin/chromium STORAGE_DIR=/data/artifacts KILN_DATA_DIR=/data
USER node
CMD ["npm", "run", "start:api"]
