import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { registerDashboard } from "./dashboard/register-dashboard.ts";
import { ApiError } from "./errors/api-error.ts";
import { renderProblem, validationHook } from "./errors/render-problem.ts";
import { httpMetrics } from "./middleware/http-metrics.ts";
import { requestContext } from "./middleware/request-context.ts";
import { registerAdminQueues } from "./routes/admin-queues.ts";
import { registerCancelJob } from "./routes/cancel-job.ts";
import { registerCompanyEvents } from "./routes/company-events.ts";
import { registerCreateApiKey } from "./routes/create-api-key.ts";
import { registerCreateCompany } from "./routes/create-company.ts";
import { registerCreateStreamToken } from "./routes/create-stream-token.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerGetArtifact } from "./routes/get-artifact.ts";
import { registerGetCompanyLimits } from "./routes/get-company-limits.ts";
import { registerGetCompanyUsage } from "./routes/get-company-usage.ts";
import { registerGetJob } from "./routes/get-job.ts";
import { registerHealth } from "./routes/health.ts";
import { registerJobEvents } from "./routes/job-events.ts";
import { registerListJobTypes } from "./routes/list-job-types.ts";
import { registerListJobs } from "./routes/list-jobs.ts";
import { registerMetrics } from "./routes/metrics.ts";
import { registerRetryJob } from "./routes/retry-job.ts";
import { registerRevokeApiKey } from "./routes/revoke-api-key.ts";
import { registerSubmitJob } from "./routes/submit-job.ts";
import { registerUpdateCompanyLimits } from "./routes/update-company-limits.ts";
import type { AppEnv, Services } from "./services.ts";

/** The HTTP app. This file is the route manifest: every endpoint is one `register*` line below. */
export const createApp = (services: Services) => {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use("*", requestContext(services));
  app.use("*", httpMetrics(services.metrics));
  const limitBody = bodyLimit({
    maxSize: services.config.KILN_BODY_LIMIT_BYTES,
    // The rest of the body is left unread, so the connection cannot carry another request:
    // `Connection: close` makes the server close it once the 413 is sent, and tells the client.
    onError: (c) => {
      const response = renderProblem(
        c,
        new ApiError("payload_too_large", `The body exceeds ${services.config.KILN_BODY_LIMIT_BYTES} bytes`),
      );
      response.headers.set("connection", "close");
      return response;
    },
  });
  // GET and HEAD routes read no body; asking whether one exists would build a web Request for each
  // (kept for a stream's whole life by the Node adapter).
  app.use("/api/*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next),
  );

  registerHealth(app);
  registerMetrics(app);
  registerListJobTypes(app, services.renderers);
  registerCreateCompany(app);
  registerCreateApiKey(app);
  registerRevokeApiKey(app);
  registerGetCompanyLimits(app);
  registerUpdateCompanyLimits(app);
  registerGetCompanyUsage(app);
  registerSubmitJob(app);
  registerListJobs(app);
  registerGetJob(app);
  registerCancelJob(app);
  registerRetryJob(app);
  registerGetArtifact(app);
  registerJobEvents(app);
  registerCompanyEvents(app);
  registerCreateStreamToken(app);
  registerAdminQueues(app, services);
  registerDashboard(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Kiln",
      version: "1.0.0",
      description: "Render content asynchronously and follow its progress live.",
    },
    security: [{ bearer: [] }],
  });
  registerDocs(app);

  app.notFound((c) =>
    renderProblem(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => renderProblem(c, error));
  return app;
};

export type KilnApp = ReturnType<typeof createApp>;
