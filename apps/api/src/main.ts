import { serve } from "@hono/node-server";
import { ConfigError, describeStorageLocation, storageLocationOf } from "@kiln/core";
import { createLogger } from "@kiln/telemetry";
import { createApp } from "./app.ts";
import { resolveAdminToken } from "./auth/admin-token.ts";
import { buildServices } from "./build-services.ts";
import { loadApiConfig } from "./config.ts";

/** The API process: config, services, HTTP server, and a graceful stop on SIGTERM/SIGINT. */
const main = async () => {
  const config = loadApiConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, base: { service: "kiln-api" } });
  const admin = await resolveAdminToken({
    configured: config.KILN_ADMIN_TOKEN,
    dataDir: config.KILN_DATA_DIR,
    production: config.NODE_ENV === "production",
  });
  if (admin.source === "generated") {
    // Printed once, to the terminal only (never to the logs): the token is also kept in the file.
    process.stdout.write(`Generated an admin token, kept in ${admin.path}: ${admin.token}\n`);
  } else if (admin.source === "file") {
    logger.info({ path: admin.path }, "admin token read from the data directory");
  }
  if (config.NODE_ENV === "production" && !config.KILN_METRICS_TOKEN && !config.KILN_METRICS_PUBLIC) {
    logger.warn(
      "GET /metrics answers 401: set KILN_METRICS_TOKEN (or KILN_METRICS_PUBLIC=true) to scrape it",
    );
  }
  const { services, close } = await buildServices({ config, logger, adminToken: admin.token });
  const app = createApp(services);

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info(
      {
        port: info.port,
        host: config.HOST,
        artifacts: describeStorageLocation(storageLocationOf(config)),
        artifactDownloads: config.KILN_ARTIFACT_REDIRECT,
      },
      "kiln api listening",
    );
    // One machine-readable line for scripts and tests that start the API on port 0.
    process.stdout.write(`KILN_API_LISTENING port=${info.port}\n`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping api");
    const forced = setTimeout(() => process.exit(1), config.KILN_SHUTDOWN_GRACE_MS + 5_000);
    forced.unref();
    server.close();
    await close();
    if ("closeAllConnections" in server) server.closeAllConnections();
    logger.info("api stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `kiln api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});
