/**
 * The service's Prometheus metrics, in a registry of its own (two services
 * in one process do not mix): request counts and latency histograms by
 * route (the route's pattern, so ids do not explode the label set), the
 * served model's version, reloads and refusals, and the process metrics of
 * prom-client, event-loop delay included.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_EVENT_WEIGHTS } from '../events/shop-event.js';
import type { ShopEvent } from '../events/shop-event.js';
import type { ModelHandle } from './model-handle.js';
import type { RetrainDecision, RetrainLoop } from './retrain-loop.js';

// Event types are the sender's words: only the known ones get a label of their own, so the label set stays small.
const KNOWN_EVENT_TYPES = new Set(Object.keys(DEFAULT_EVENT_WEIGHTS));

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

  private readonly retrainAccepted = new Counter({
    name: 'mfrec_retrain_accepted_total',
    help: 'Background retrains whose model passed the gate and was swapped in, by kind (partial, full)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly retrainRefused = new Counter({
    name: 'mfrec_retrain_refused_total',
    help: 'Background retrains whose model the gate refused (the running model kept serving), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly retrainFailed = new Counter({
    name: 'mfrec_retrain_failed_total',
    help: 'Background retrains that failed before a decision (reading events, training), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly retrainLastDecision = new Gauge({
    name: 'mfrec_retrain_last_decision_timestamp_seconds',
    help: 'Unix time of the last background retrain decision (accepted, refused, failed or skipped)',
    registers: [this.registry],
  });
  private readonly eventsAccepted = new Counter({
    name: 'mfrec_events_accepted_total',
    help: 'Shop events accepted by POST /events (durable in the event log), by type (view, cart, purchase, other)',
    labelNames: ['type'] as const,
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

  /** Counts a retrain loop's decisions from now on. Returns the unsubscribe. */
  followRetrain(loop: RetrainLoop): () => void {
    const onDecision = (d: RetrainDecision) => {
      if (d.outcome === 'accepted') this.retrainAccepted.inc({ kind: d.kind });
      else if (d.outcome === 'refused') this.retrainRefused.inc({ kind: d.kind });
      else if (d.outcome === 'failed') this.retrainFailed.inc({ kind: d.kind });
      this.retrainLastDecision.set(Date.parse(d.at) / 1000);
    };
    loop.on('decision', onDecision);
    return () => loop.off('decision', onDecision);
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }

  countEvents(events: readonly ShopEvent[]): void {
    const byType = new Map<string, number>();
    for (const e of events) {
      const type = KNOWN_EVENT_TYPES.has(e.type) ? e.type : 'other';
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    for (const [type, n] of byType) this.eventsAccepted.inc({ type }, n);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
