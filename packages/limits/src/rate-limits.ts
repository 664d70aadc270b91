import type { CompanyLimits, Logger, RateLimitState } from "@kiln/core";
import type { RedisClient } from "@kiln/queue";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from "rate-limiter-flexible";

/**
 * Which requests a rate limit counts: `submit` (submits and retries, which create work) or `read`
 * (every other request a company key makes).
 */
export type RateLimitGroup = "submit" | "read";

/** Who is asking: the key, and the company it belongs to. */
export interface RateLimitSubject {
  keyId: string;
  companyId: string;
}

/** A named quota of requests per window, as `RateLimit-Policy` advertises it. */
export interface RatePolicy {
  name: string;
  quota: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Every policy the request counts against (steady and burst), for `RateLimit-Policy`. */
  policies: RatePolicy[];
  /** The state of each policy consulted, for `RateLimit`. */
  states: RateLimitState[];
  /** Refused: seconds until a request would be allowed again (`Retry-After`). */
  retryAfterSeconds: number;
  /** Refused: the policies that ran out. */
  violated: string[];
}

/** A steady rate per second, with a burst allowance on top of it per burst window. */
interface Dimension {
  name: string;
  scope: "key" | "company";
  perSecond: number;
  burst: number;
}

const dimensionsOf = (group: RateLimitGroup, limits: CompanyLimits): Dimension[] =>
  group === "submit"
    ? [
        {
          name: "submit",
          scope: "key",
          perSecond: limits.submitsPerSecondPerKey,
          burst: limits.submitBurstPerKey,
        },
        {
          name: "submit-company",
          scope: "company",
          perSecond: limits.submitsPerSecondPerCompany,
          burst: limits.submitBurstPerCompany,
        },
      ]
    : [{ name: "read", scope: "key", perSecond: limits.readsPerSecondPerKey, burst: limits.readBurstPerKey }];

export interface RateLimiterOptions {
  /** The API's request-path connection (fails fast while Redis is down). */
  redis: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  /** The window of burst allowances, in seconds. Default 10. */
  burstWindowSeconds?: number;
  /**
   * How long Redis may take to count a request before this instance counts it alone, in memory,
   * with the same quotas (Redis down or slow: limits hold per instance instead of fleet-wide,
   * and no request fails because of it). Default 250 ms.
   */
  timeoutMs?: number;
  logger: Logger;
}

const secondsOf = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * Rate limits per API key and per company, counted in Redis by rate-limiter-flexible so they hold
 * across every API instance: fixed windows of one second for the steady rate, and a second counter
 * per burst window that a request draws on only once the steady rate is used up.
 */
export const createRateLimiter = ({
  redis,
  prefix = "kiln",
  burstWindowSeconds = 10,
  timeoutMs = 250,
  logger,
}: RateLimiterOptions) => {
  // One limiter per counter and size. Counters are named by policy, not by size, so a company whose
  // limit changes keeps its count for the current window.
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (counter: string, points: number, duration: number) => {
    const id = `${counter}/${points}/${duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const insuranceLimiter = new RateLimiterMemory({ points, duration });
      limiter = new RLWrapperTimeouts({
        limiter: new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:rate:${counter}`,
          points,
          duration,
          rejectIfRedisNotReady: true,
          insuranceLimiter,
        }),
        insuranceLimiter,
        timeoutMs,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  const steadyOf = (dimension: Dimension) => limiterFor(dimension.name, dimension.perSecond, 1);
  const burstOf = (dimension: Dimension) =>
    limiterFor(`${dimension.name}-burst`, dimension.burst, burstWindowSeconds);
  const policiesOf = (dimensions: Dimension[]): RatePolicy[] =>
    dimensions.flatMap((dimension) => [
      { name: dimension.name, quota: dimension.perSecond, windowSeconds: 1 },
      ...(dimension.burst > 0
        ? [{ name: `${dimension.name}-burst`, quota: dimension.burst, windowSeconds: burstWindowSeconds }]
        : []),
    ]);
  const stateOf = (policy: string, quota: number, res: RateLimiterRes | null): RateLimitState => ({
    policy,
    quota,
    windowSeconds: policy.endsWith("-burst") ? burstWindowSeconds : 1,
    remaining: res ? Math.max(0, quota - res.consumedPoints) : quota,
    resetSeconds: res ? secondsOf(res.msBeforeNext) : 0,
  });

  /** Counts one request; a refusal (`RateLimiterRes`) is an answer, anything else a fault. */
  const take = async (limiter: RateLimiterAbstract, key: string) => {
    try {
      return { allowed: true, res: await limiter.consume(key) };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { allowed: false, res: error };
      throw error;
    }
  };

  /** One dimension: the steady rate first, then the burst allowance. */
  const consumeDimension = async (dimension: Dimension, key: string) => {
    const steady = await take(steadyOf(dimension), key);
    const states = [stateOf(dimension.name, dimension.perSecond, steady.res)];
    if (steady.allowed || dimension.burst === 0) {
      return { allowed: steady.allowed, states, retryMs: steady.res.msBeforeNext };
    }
    const burst = await take(burstOf(dimension), key);
    states.push(stateOf(`${dimension.name}-burst`, dimension.burst, burst.res));
    // Refused by both: whichever window ends first allows the next request.
    return {
      allowed: burst.allowed,
      states,
      retryMs: Math.min(steady.res.msBeforeNext, burst.res.msBeforeNext),
    };
  };

  const keyOf = (dimension: Dimension, subject: RateLimitSubject) =>
    dimension.scope === "key" ? subject.keyId : subject.companyId;

  return {
    /** Counts a request against every limit of its group; the caller answers 429 if not allowed. */
    async consume(
      group: RateLimitGroup,
      subject: RateLimitSubject,
      limits: CompanyLimits,
    ): Promise<RateDecision> {
      const dimensions = dimensionsOf(group, limits);
      const policies = policiesOf(dimensions);
      let results: Awaited<ReturnType<typeof consumeDimension>>[];
      try {
        results = await Promise.all(
          dimensions.map((dimension) => consumeDimension(dimension, keyOf(dimension, subject))),
        );
      } catch (error) {
        // The in-memory fallback answers whenever Redis does not, so this is a defect: let it pass.
        logger.error({ err: error, group }, "rate limiter failed; request allowed");
        return { allowed: true, policies, states: [], retryAfterSeconds: 0, violated: [] };
      }
      const refused = results.filter((result) => !result.allowed);
      return {
        allowed: refused.length === 0,
        policies,
        states: results.flatMap((result) => result.states),
        retryAfterSeconds: Math.max(1, ...refused.map((result) => secondsOf(result.retryMs))),
        violated: refused.map((result) => result.states[0]!.policy),
      };
    },

    /** The state of each policy without counting a request; `keyId` null: the company's only. */
    async peek(
      group: RateLimitGroup,
      subject: { keyId: string | null; companyId: string },
      limits: CompanyLimits,
    ): Promise<RateLimitState[]> {
      const dimensions = dimensionsOf(group, limits).filter(
        (dimension) => dimension.scope === "company" || subject.keyId !== null,
      );
      const states = await Promise.all(
        dimensions.map(async (dimension) => {
          const key = dimension.scope === "key" ? subject.keyId! : subject.companyId;
          const [steady, burst] = await Promise.all([
            steadyOf(dimension).get(key),
            dimension.burst > 0 ? burstOf(dimension).get(key) : null,
          ]);
          return [
            stateOf(dimension.name, dimension.perSecond, steady),
            ...(dimension.burst > 0 ? [stateOf(`${dimension.name}-burst`, dimension.burst, burst)] : []),
          ];
        }),
      );
      return states.flat();
    },
  };
};

export type RateLimiter = ReturnType<typeof createRateLimiter>;
