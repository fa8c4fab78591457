import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * deploy/grafana/*.json: each is an importable Grafana dashboard (docs/operations.md,
 * "Dashboard") whose every query names only metrics, and label names, the app serves.
 */
const DIR = 'deploy/grafana';

/** PromQL's functions and aggregation operators: an identifier followed by `(` must be one of these. */
const FUNCTIONS = new Set([
  ...['abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil'],
  ...['changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week'],
  ...['day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'double_exponential_smoothing', 'exp', 'floor'],
  ...['histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_stddev'],
  ...['histogram_stdvar', 'histogram_sum', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join'],
  ...['label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'mad_over_time', 'max_over_time', 'min_over_time'],
  ...['minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'rate', 'resets'],
  ...['round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_by_label', 'sort_by_label_desc', 'sort_desc', 'sqrt'],
  ...['stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'vector', 'year'],
  // aggregation operators
  ...['avg', 'bottomk', 'count', 'count_values', 'group', 'limit_ratio', 'limitk', 'max', 'min', 'quantile'],
  ...['stddev', 'stdvar', 'sum', 'topk'],
  // the @ modifier's start() and end()
  ...['start', 'end'],
]);
/** PromQL's keywords and constants: never metric names. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const CONSTANTS = new Set(['offset', 'bool', 'atan2', 'inf', 'nan']);
/** Whatever is shaped like a counter, a histogram's series, a ratio or a state must be served, wherever it stands. */
const METRIC_SHAPE = /^[a-z_]+(_total|_seconds|_bucket|_count|_sum|_ratio|_open|_state)$/;
/** Grafana's built-in variables. */
const BUILT_INS = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__name']);

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const IDENTIFIER = /(?<![\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*/g;

/** What a PromQL expression uses: metric names, functions it calls that PromQL lacks, and `{label op ...}` matchers by metric. */
function analyse(expr: string): { metrics: string[]; unknownFunctions: string[]; matchers: [string, string][] } {
  const bare = expr.replace(STRING, '""');
  const matchers = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].flatMap(([, metric, inner]) =>
    [...inner.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map(([, label]) => [metric, label] as [string, string]),
  );
  const stripped = bare
    .replace(/\$\{?\w+(?::\w+)?\}?/g, ' ') // Grafana variables
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists, with their keyword
  const metrics = new Set<string>();
  const unknownFunctions = new Set<string>();
  for (const match of stripped.matchAll(IDENTIFIER)) {
    const name = match[0];
    const called = /^\s*\(/.test(stripped.slice(match.index + name.length));
    if (called) {
      if (!FUNCTIONS.has(name)) unknownFunctions.add(name);
    } else if (!KEYWORDS.has(name) && !CONSTANTS.has(name)) {
      metrics.add(name);
    }
  }
  // Belt and braces: anything shaped like a metric name outside string literals, wherever the stripping put it.
  for (const [name] of bare.replace(/\$\{?\w+(?::\w+)?\}?/g, ' ').matchAll(IDENTIFIER)) {
    if (METRIC_SHAPE.test(name)) metrics.add(name);
  }
  return { metrics: [...metrics], unknownFunctions: [...unknownFunctions], matchers };
}

/** The PromQL inside a Grafana variable query: `label_values(<selector>, label)`, `query_result(<expr>)`, or none. */
function variableExpr(query: string): string | null {
  const labelValues = /^\s*label_values\(\s*(.*?)\s*,\s*\w+\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  if (/^\s*label_values\(\s*\w+\s*\)\s*$/.test(query)) return null;
  const result = /^\s*query_result\(\s*(.*)\)\s*$/s.exec(query);
  if (result) return result[1];
  throw new Error(`unsupported variable query ${query}`);
}

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: unknown;
  type?: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  title?: unknown;
  uid?: unknown;
  schemaVersion?: unknown;
  panels?: Panel[];
  templating?: { list?: Variable[] };
  __inputs?: { name: string; type: string; pluginId: string }[];
}

const files = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => join(DIR, file));

/** Every panel, those inside collapsed rows included. */
const allPanels = (dashboard: Dashboard): Panel[] => (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);

/** Every PromQL expression of a dashboard with where it stands. */
function expressions(dashboard: Dashboard): { where: string; expr: string }[] {
  const fromPanels = allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr ?? '' })),
  );
  const fromVariables = (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({
      where: `variable $${v.name}`,
      expr: variableExpr(typeof v.query === 'string' ? v.query : (v.query?.query ?? '')),
    }))
    .filter((e): e is { where: string; expr: string } => e.expr !== null);
  return [...fromPanels, ...fromVariables];
}

describe('the PromQL reader the dashboard test relies on', () => {
  it('finds metric names, and only them, in PromQL', () => {
    expect(
      analyse(
        'histogram_quantile(0.95, sum by (integration, le) (rate(a_seconds_bucket{integration=~"$integration",le!="x_total"}[$__rate_interval]))) ' +
          '/ on (instance) group_left b_gauge offset 10m > 2 * (sum(rate(c_total[1d] offset 1h)) or vector(0)) and d_ratio',
      ),
    ).toEqual({
      metrics: ['a_seconds_bucket', 'b_gauge', 'c_total', 'd_ratio'],
      unknownFunctions: [],
      matchers: [
        ['a_seconds_bucket', 'integration'],
        ['a_seconds_bucket', 'le'],
      ],
    });
    expect(analyse('sum(rat(x_total[5m])) + jobs').unknownFunctions).toEqual(['rat']);
    expect(analyse('topk(3, sum by (route) (http_requests_total))').metrics).toEqual(['http_requests_total']);
    expect(variableExpr('label_values(integration_requests_total, integration)')).toBe('integration_requests_total');
    expect(variableExpr('label_values(jobs{state="failed"}, queue)')).toBe('jobs{state="failed"}');
  });
});

describe('deploy/grafana dashboards', () => {
  let t: TestApp;
  /** Every series name the app serves (histograms as _bucket, _sum and _count), with its label names. */
  const served = new Map<string, Set<string>>();
  /** Every metric the app serves, histograms by their own name. */
  const families = new Set<string>();

  beforeAll(async () => {
    // The Stripe gateway (never called here) so that stripe_circuit_state is served as in production.
    t = await createTestApp({
      env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_grafana', STRIPE_API_BASE: 'http://127.0.0.1:9' },
    });
    const registry = t.app.get(MetricsRegistry);
    const text = await registry.metrics();
    const labelsOf = new Map(
      registry
        .getMetricsAsArray()
        .map((metric) => [metric.name, (metric as unknown as { labelNames?: string[] }).labelNames ?? []] as const),
    );
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      families.add(name);
      const labels = new Set([...(labelsOf.get(name) ?? []), 'instance', 'job']); // Prometheus adds the target labels
      if (type === 'histogram') {
        served.set(`${name}_bucket`, new Set([...labels, 'le']));
        served.set(`${name}_sum`, labels);
        served.set(`${name}_count`, labels);
      } else {
        served.set(name, labels);
      }
    }
  });
  afterAll(async () => t.close());

  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
  });

  it.each(files)(
    '%s is an importable dashboard: title, uid, schemaVersion, a Prometheus data source, panels with unique ids',
    (file) => {
      const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
      expect(typeof dashboard.title).toBe('string');
      expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/); // Grafana's limit
      expect(dashboard.schemaVersion).toEqual(expect.any(Number));
      expect(dashboard.schemaVersion as number).toBeGreaterThanOrEqual(36);

      // Panels name their data source through a datasource variable or an import input, never a uid of one Grafana.
      const variables = dashboard.templating?.list ?? [];
      const names = new Set(variables.map((v) => v.name));
      const dataSources = new Set([
        ...variables.filter((v) => v.type === 'datasource' && v.query === 'prometheus').map((v) => `\${${v.name}}`),
        ...(dashboard.__inputs ?? [])
          .filter((i) => i.type === 'datasource' && i.pluginId === 'prometheus')
          .map((i) => `\${${i.name}}`),
      ]);
      expect(dataSources.size).toBeGreaterThanOrEqual(1);

      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && (id as number) > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const problems: string[] = [];
      for (const panel of panels) {
        const where = `panel ${String(panel.id)} "${panel.title}"`;
        if (!panel.title) problems.push(`${where}: no title`);
        if (!panel.gridPos || panel.gridPos.x + panel.gridPos.w > 24) problems.push(`${where}: gridPos missing or wider than 24`);
        if (panel.type === 'row') continue;
        if (!['timeseries', 'stat'].includes(panel.type ?? '')) problems.push(`${where}: type ${panel.type}`);
        if (!panel.targets?.length) problems.push(`${where}: no target`);
        for (const ds of [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)]) {
          if (ds?.type !== 'prometheus' || !dataSources.has(ds.uid ?? ''))
            problems.push(`${where}: data source ${JSON.stringify(ds)}`);
        }
        const refIds = (panel.targets ?? []).map((target) => target.refId);
        if (new Set(refIds).size !== refIds.length) problems.push(`${where}: duplicate refIds`);
        for (const target of panel.targets ?? []) if (!target.expr?.trim()) problems.push(`${where} ${target.refId}: no expr`);
      }
      // Every $variable a query uses is defined (or is one of Grafana's own).
      for (const { where, expr } of expressions(dashboard)) {
        for (const [, name] of expr.matchAll(/\$\{?(\w+)/g)) {
          if (!names.has(name) && !BUILT_INS.has(name)) problems.push(`${where}: undefined variable $${name}`);
        }
        const depth = [...expr].reduce((d, c) => (d < 0 ? d : d + (c === '(' ? 1 : c === ')' ? -1 : 0)), 0);
        if (depth !== 0) problems.push(`${where}: unbalanced parentheses`);
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(files)('%s queries only metrics, and label names, the app serves', (file) => {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
    const problems: string[] = [];
    const used = new Set<string>();
    for (const { where, expr } of expressions(dashboard)) {
      const { metrics, unknownFunctions, matchers } = analyse(expr);
      if (metrics.length === 0) problems.push(`${where}: names no metric`);
      for (const name of unknownFunctions) problems.push(`${where}: ${name}() is not a PromQL function`);
      for (const name of metrics) {
        used.add(name);
        if (!served.has(name)) problems.push(`${where}: ${name} is not served by GET /metrics`);
      }
      for (const [metric, label] of matchers) {
        if (served.has(metric) && !served.get(metric)!.has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
      }
    }
    expect(problems).toEqual([]);
    expect(used.size).toBeGreaterThan(25);
  });

  it("draws every one of seed 003's integration and payment metrics", () => {
    const drawn = new Set(
      files
        .flatMap((file) =>
          expressions(JSON.parse(readFileSync(file, 'utf8')) as Dashboard).flatMap(({ expr }) => analyse(expr).metrics),
        )
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    const seed003 = [...families].filter((name) => /^(integration|payment|webhook|refund|stripe)_/.test(name));
    expect(seed003.length).toBeGreaterThanOrEqual(15);
    expect(seed003.filter((name) => !drawn.has(name))).toEqual([]);
  });
});
