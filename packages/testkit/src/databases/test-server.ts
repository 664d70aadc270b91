// Test-only configuration. Tests may read the environment (packages may not): the server is the
// one thing a developer or CI points elsewhere.

/** Where test databases live unless `KILN_TEST_DATABASE_URL` says otherwise. */
export const defaultTestServerUrl = "postgresql://postgres@127.0.0.1:5432/postgres";

/** A URL of the test PostgreSQL server's maintenance database: `KILN_TEST_DATABASE_URL` or the default. */
export function testServerUrl(): string {
  return process.env.KILN_TEST_DATABASE_URL || defaultTestServerUrl;
}

/** The URL of database `name` on the server of `serverUrl` (same host, port, user and options). */
export function databaseUrlOnServer(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** `kiln_test_template_<run>` is a run's template; `kiln_test_<run>_<random>` are its copies. */
export const templateNamePrefix = "kiln_test_template_";

/** Every database copied from `templateName` starts with this; teardown drops them all and nothing else. */
export function testDatabasePrefix(templateName: string): string {
  const run = templateName.startsWith(templateNamePrefix)
    ? templateName.slice(templateNamePrefix.length)
    : templateName;
  return `kiln_test_${run}_`;
}
