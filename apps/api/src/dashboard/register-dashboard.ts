import { readFileSync } from "node:fs";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../services.ts";
import { buildDashboardBundle, type DashboardBundle } from "./dashboard-bundle.ts";
import { dashboardSecurityHeaders } from "./dashboard-csp.ts";
import { registerQueueHealth } from "./queue-health.ts";

const readPageFile = (name: string) => readFileSync(new URL(`./page/${name}`, import.meta.url), "utf8");

/**
 * `/dashboard`: a live view of a company's jobs for people, served by the API itself (no CDN). The
 * page is static; everything it shows comes from the public HTTP contract with the signed-in
 * user's key, plus `GET /api/admin/queue-health` for admins. Not part of the OpenAPI document.
 */
export const registerDashboard = (app: OpenAPIHono<AppEnv>) => {
  const html = readPageFile("index.html");
  const css = readPageFile("dashboard.css");
  let bundle: Promise<DashboardBundle> | undefined;
  const loadBundle = () => {
    bundle ??= buildDashboardBundle();
    return bundle;
  };

  app.use("/dashboard", dashboardSecurityHeaders);
  app.use("/dashboard/*", dashboardSecurityHeaders);
  app.get("/dashboard", (c) => c.html(html, 200, { "Cache-Control": "no-cache" }));
  app.get("/dashboard/dashboard.css", (c) =>
    c.body(css, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache" }),
  );
  app.get("/dashboard/dashboard.js", async (c) =>
    c.body((await loadBundle()).script, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
    }),
  );
  registerQueueHealth(app);
};
