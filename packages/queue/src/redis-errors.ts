import { type DriverError, guardDependency, isSocketFailure, someInCauseChain } from "@kiln/core";

/**
 * What ioredis says when Redis cannot be reached: a closed connection, a stream it cannot write to,
 * or a command given up after `maxRetriesPerRequest` (request-path connections fail fast).
 */
const unavailableMessage = /Connection is closed|Stream isn't writeable|MaxRetriesPerRequest/i;

const saysUnavailable = (error: DriverError): boolean =>
  isSocketFailure(error) || unavailableMessage.test(error.message);

/** `true` when an error (or one in its cause chain) says Redis could not be reached. */
export const isRedisUnavailable = (error: unknown): boolean => someInCauseChain(error, saysUnavailable);

/** A service whose connectivity failures surface as `DependencyUnavailableError("redis")`: a 503. */
export const guardRedis = <T extends object>(service: T): T =>
  guardDependency("redis", service, isRedisUnavailable);
