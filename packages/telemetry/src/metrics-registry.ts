import { collectDefaultMetrics, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The `Content-Type` of Prometheus' text exposition format (0.0.4). */
export const prometheusContentType: string = Registry.PROMETHEUS_CONTENT_TYPE;

export interface CreateMetricsRegistryOptions {
  /** Prepended to the name of every default process metric. Default `kiln_`. */
  prefix?: string;
  /** Node.js process metrics: CPU, memory, event-loop lag, GC, handles. Default `true`. */
  processMetrics?: boolean;
}

/**
 * A Prometheus registry of its own, never prom-client's global one: each API or worker instance
 * (and each app a test builds in the same process) registers its metrics without name clashes.
 * No `service` label is added: Prometheus' own `job`/`instance` target labels tell processes apart.
 */
export const createMetricsRegistry = ({
  prefix = "kiln_",
  processMetrics = true,
}: CreateMetricsRegistryOptions = {}) => {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix });
  return registry;
};
