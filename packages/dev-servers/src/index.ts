export { DevServerError } from "./dev-server-error.ts";
export { type DevServers, type DevServersOptions, startDevServers } from "./dev-servers.ts";
export { findRedisServer, redisAnswersPing, redisInstallHint } from "./local-redis.ts";
export { portAnswers } from "./port-answers.ts";
