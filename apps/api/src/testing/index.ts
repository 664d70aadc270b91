// The API's test harness, for the tests of this app and of the packages that talk to it (the
// client, the React hooks). What is not specific to Kiln's API lives in @kiln/testkit.

export { roomyLimits } from "./roomy-limits.ts";
export {
  type ApiThrough,
  createTestHarness,
  type HarnessOptions,
  type InProcessWorker,
  type InProcessWorkerOptions,
  type RequestOptions,
  type TestHarness,
  testRedisUrl,
} from "./test-harness.ts";
