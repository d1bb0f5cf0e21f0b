/**
 * The JSON schemas of the service's requests: fastify validates (and, for
 * query strings, converts) them before a handler runs, so a bad `k` or body
 * is a 400 naming the field. Limits keep every request's cost bounded.
 */

/** Largest list a request may ask for. */
export const MAX_K = 1000;
/** Most users in one batch request, and most items in one cart. */
export const MAX_BATCH = 1000;
export const MAX_CART = 1000;

const id = { anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'number' }] } as const;
const k = { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } as const;

// propertyNames, not additionalProperties: fastify's default validator removes unknown properties silently, and a misspelt field should be an error.
export const kQuery = {
  type: 'object',
  properties: { k },
  propertyNames: { enum: ['k'] },
} as const;

export const userParams = {
  type: 'object',
  properties: { user: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['user'],
} as const;

export const itemParams = {
  type: 'object',
  properties: { item: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['item'],
} as const;

export const recommendBody = {
  type: 'object',
  properties: {
    user: id,
    items: { type: 'array', items: id, maxItems: MAX_CART },
    k,
  },
  propertyNames: { enum: ['user', 'items', 'k'] },
  anyOf: [{ required: ['user'] }, { required: ['items'] }],
} as const;

export const batchBody = {
  type: 'object',
  properties: {
    users: { type: 'array', items: id, minItems: 1, maxItems: MAX_BATCH },
    k,
  },
  required: ['users'],
  propertyNames: { enum: ['users', 'k'] },
} as const;

export const explainParams = {
  type: 'object',
  properties: { user: { type: 'string', minLength: 1, maxLength: 256 }, item: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['user', 'item'],
} as const;

export const nQuery = {
  type: 'object',
  properties: { n: { type: 'integer', minimum: 1, maximum: MAX_K, default: 5 } },
  propertyNames: { enum: ['n'] },
} as const;
