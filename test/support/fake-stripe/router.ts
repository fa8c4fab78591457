import { invalidRequest } from './errors';
import type { AnyObject } from './objects';
import type { Params, Schema } from './schema';
import { clone, type EventCause, type FakeStripeStore } from './store';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteContext {
  store: FakeStripeStore;
  /** Validated parameters (form body for POST, query string otherwise). */
  params: Params;
  /** Path parameters, e.g. `{ id: 'pi_...' }` for `/v1/payment_intents/:id`. */
  path: Record<string, string>;
  cause: EventCause;
  /** The request's `Stripe-Version` (or the fake's default): some parameters exist only on some versions. */
  apiVersion: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

export interface Route {
  method: HttpMethod;
  /** `/v1/payment_intents/:id/confirm`; also the key of `counters.requests` (with the method). */
  template: string;
  schema: Schema;
  /** Fields `expand[]` may name (for a list: without the `data.` prefix). */
  expandable?: readonly string[];
  list?: boolean;
  /**
   * Checks that need no state and so, like schema validation, happen before execution
   * begins (their failures are not stored under the idempotency key).
   */
  check?: (params: Params, apiVersion: string) => void;
  /** Executes. Throws `StripeApiError` for Stripe errors (those ARE stored under the key). */
  handle: (ctx: RouteContext) => AnyObject | ListBody | RouteResult | DeletedBody;
}

export interface ListBody {
  object: 'list';
  data: AnyObject[];
  has_more: boolean;
  url: string;
}

export interface DeletedBody {
  id: string;
  object: string;
  deleted: true;
}

export interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.template.replace(/:([a-z_]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  pathname: string,
): { route: CompiledRoute; path: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    const path: Record<string, string> = {};
    route.names.forEach((name, i) => (path[name] = decodeURIComponent(m[i + 1])));
    return { route, path };
  }
  return undefined;
}

/** Rejects an `expand[]` path the endpoint cannot expand, before execution (as Stripe does). */
export function checkExpand(route: Route, expand: string[]): void {
  for (const path of expand) {
    const field = route.list ? path.replace(/^data\./, '') : path;
    const ok = (!route.list || path.startsWith('data.')) && (route.expandable ?? []).includes(field);
    if (!ok) throw invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
  }
}

/** Replaces the id at `path` (dotted, `data.` walks a list) with a copy of the object it names. */
export function applyExpand(store: FakeStripeStore, body: unknown, path: string): void {
  const [head, ...rest] = path.split('.');
  if (body === null || typeof body !== 'object') return;
  const record = body as Record<string, unknown>;
  if (head === 'data' && Array.isArray(record.data)) {
    for (const item of record.data) applyExpand(store, item, rest.join('.'));
    return;
  }
  if (rest.length > 0) {
    applyExpand(store, record[head], rest.join('.'));
    return;
  }
  const id = record[head];
  if (typeof id === 'string') {
    const found = store.lookup(id);
    if (found) record[head] = clone(found);
  }
}

/** Stripe's cursor pagination over `items` (newest first): `limit`, `starting_after`, `ending_before`. */
export function paginate<T extends { id: string }>(items: T[], params: Params, url: string): ListBody {
  const limit = typeof params.limit === 'number' ? params.limit : 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest('Invalid limit: must be between 1 and 100', { param: 'limit' });
  }
  let start = 0;
  let end = items.length;
  let backwards = false;
  if (typeof params.starting_after === 'string') {
    const i = items.findIndex((x) => x.id === params.starting_after);
    if (i === -1)
      throw invalidRequest(`No such object: '${params.starting_after}'`, { code: 'resource_missing', param: 'starting_after' });
    start = i + 1;
  } else if (typeof params.ending_before === 'string') {
    const i = items.findIndex((x) => x.id === params.ending_before);
    if (i === -1)
      throw invalidRequest(`No such object: '${params.ending_before}'`, { code: 'resource_missing', param: 'ending_before' });
    end = i;
    start = Math.max(0, end - limit);
    backwards = true;
  }
  const page = items.slice(start, Math.min(end, start + limit));
  return {
    object: 'list',
    data: page.map((x) => clone(x) as unknown as AnyObject),
    has_more: backwards ? start > 0 : start + limit < end,
    url,
  };
}

/** Newest first, as Stripe lists (ties keep reverse insertion order). */
export function newestFirst<T>(values: Iterable<T>): T[] {
  return [...values].reverse();
}

export const LIST_PARAMS: Schema = {
  limit: { type: 'integer' },
  starting_after: { type: 'string' },
  ending_before: { type: 'string' },
  expand: { type: 'array', of: { type: 'string' } },
};
