/**
 * The service's Prometheus metrics, in a registry of its own (two services
 * in one process do not mix): request counts and latency histograms by
 * route (the route's pattern, so ids do not explode the label set), the
 * served model's version, reloads and refusals, and the process metrics of
 * prom-client, event-loop delay included.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelHandle } from './model-handle.js';

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'mfrec_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'mfrec_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [this.registry],
  });
  private readonly version = new Gauge({
    name: 'mfrec_model_version',
    help: 'Version (reload count + 1) of the model being served',
    registers: [this.registry],
  });
  private readonly reloads = new Counter({ name: 'mfrec_model_reloads_total', help: 'Models swapped in after a reload', registers: [this.registry] });
  private readonly refusals = new Counter({
    name: 'mfrec_model_refusals_total',
    help: 'Model files refused on reload (bad file, wrong type, gate)',
    registers: [this.registry],
  });

  constructor() {
    // Includes nodejs_eventloop_lag_seconds and its percentiles (monitorEventLoopDelay).
    collectDefaultMetrics({ register: this.registry });
  }

  /** Follows a handle's model: its version now and each reload or refusal from now on. Returns the unsubscribe. */
  follow(handle: ModelHandle): () => void {
    this.version.set(handle.info.version);
    const onReload = (info: { version: number }) => {
      this.reloads.inc();
      this.version.set(info.version);
    };
    const onRefused = () => this.refusals.inc();
    handle.on('reload', onReload);
    handle.on('refused', onRefused);
    return () => {
      handle.off('reload', onReload);
      handle.off('refused', onRefused);
    };
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
