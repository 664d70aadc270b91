// Filled in by the db test kit: creates and migrates the template test database once per run.
export default async function setup(): Promise<void> {}
