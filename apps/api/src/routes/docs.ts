import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { noFraming } from "../middleware/no-framing.ts";
import type { AppEnv } from "../services.ts";

const require = createRequire(import.meta.url);
const swaggerUiRoot = dirname(require.resolve("swagger-ui-dist/package.json"));
const swaggerUiVersion = (require("swagger-ui-dist/package.json") as { version: string }).version;

/** The version is in the path, so the files can be cached for good and a new version is a new URL. */
const assetBase = `/docs/assets/swagger-ui-${swaggerUiVersion}`;
const initScriptPath = "/docs/kiln-docs.js";

/** The only files served from the package: nothing else under it is reachable. */
const assetTypes: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/**
 * Everything the page loads is served by this API: no CDN, so the docs work offline and load
 * nothing a third party could change. No inline script or style either (Swagger UI sets styles
 * through the DOM, which CSP allows); its stylesheet draws icons as `data:` images.
 */
const docsPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Kiln API</title>
    <link rel="icon" type="image/png" href="${assetBase}/favicon-32x32.png">
    <link rel="stylesheet" href="${assetBase}/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${assetBase}/swagger-ui-bundle.js"></script>
    <script src="${initScriptPath}"></script>
  </body>
</html>
`;

// A file of its own rather than an inline script, so the policy needs no 'unsafe-inline' for scripts.
// `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io.
const initScript = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

const cachedFiles = new Map<string, Promise<Buffer>>();
const assetBytes = (name: string): Promise<Buffer> => {
  let bytes = cachedFiles.get(name);
  if (!bytes) {
    bytes = readFile(join(swaggerUiRoot, name));
    cachedFiles.set(name, bytes);
  }
  return bytes;
};

/**
 * `/docs`: interactive documentation of `/openapi.json` (Swagger UI from the `swagger-ui-dist`
 * package, served by the API itself), never framed by another page. Not in the OpenAPI document.
 */
export const registerDocs = (app: OpenAPIHono<AppEnv>) => {
  app.use("/docs", noFraming(docsPolicy));
  app.use("/docs/*", noFraming(docsPolicy));
  app.get("/docs", (c) =>
    c.html(page, 200, { "cache-control": "no-cache", "referrer-policy": "no-referrer" }),
  );
  app.get(initScriptPath, (c) =>
    c.body(initScript, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    }),
  );
  app.get(`${assetBase}/:file`, async (c) => {
    const name = c.req.param("file");
    const type = assetTypes[name];
    if (!type) return c.notFound();
    return c.body(new Uint8Array(await assetBytes(name)), 200, {
      "content-type": type,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    });
  });
};
