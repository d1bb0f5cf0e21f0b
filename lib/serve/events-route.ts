/**
 * POST /events: a batch of shop events appended to the event log. The
 * answer (200, { accepted, offset, end }) comes only once the batch is on
 * disk; then its items join each user's recent items (recent-events.ts),
 * which GET /recommend/:user folds in at once.
 */
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../events/event-log.js';
import type { ShopEventInput } from '../events/validate-events.js';
import type { ServiceMetrics } from './metrics.js';
import type { RecentEvents } from './recent-events.js';
import { eventsBody } from './schemas.js';

/** 10,000 events with 256-character ids fit; fastify's default (1 MiB) would not. */
const EVENTS_BODY_LIMIT = 8 * 1024 * 1024;

export function registerEventsRoute(app: FastifyInstance, log: EventLog, recent: RecentEvents, metrics: ServiceMetrics): void {
  app.post<{ Body: ShopEventInput[] }>('/events', { schema: { body: eventsBody }, bodyLimit: EVENTS_BODY_LIMIT }, async (request) => {
    const { offset, end, events } = await log.append(request.body);
    metrics.countEvents(events);
    recent.add(events);
    return { accepted: events.length, offset, end };
  });
}
