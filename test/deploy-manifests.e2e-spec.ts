import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob, type ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ENV_KEYS, validateEnv } from '../src/config/env.schema';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * The deployment files, checked without a cluster. kubeconform is neither on npm nor in
 * Debian, so: every document is validated against the Kubernetes OpenAPI schemas that
 * the `kubernetes-models` package compiles (types, required fields, enums; it does not
 * reject unknown fields), and then the fields we rely on are checked one by one against
 * the code: ENV_KEYS, the probe routes, the CLI files the build produces, the
 * Dockerfile's user and layout.
 */

const ROOT = process.cwd(); // jest runs from the repository root
const K8S = join(ROOT, 'deploy/k8s');
const SECRET_FILE = 'secret.example.yaml';

/** Variables that belong in the Secret: the ones whose value is a credential (the URLs carry a password). */
const isSecretName = (key: string) =>
  key === 'DATABASE_URL' || key === 'SMTP_URL' || /(_SECRET|_KEY|_TOKEN|PASSWORD)$/.test(key);

/** The kinds deploy/k8s holds, each with its schema-validating model and how many we expect. */
const MODELS = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
} as const;

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function loadManifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS() as Manifest | null;
      if (value !== null) out.push({ ...value, file });
    }
  }
  return out;
}

const manifests = loadManifests();

function only<T>(kind: string): T & Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} in deploy/k8s, found ${found.length}`);
  return found[0] as T & Manifest;
}

const configMap = only<IConfigMap>('ConfigMap');
const secret = only<ISecret>('Secret');
const deployment = only<IDeployment>('Deployment');
const service = only<IService>('Service');
const pdb = only<IPodDisruptionBudget>('PodDisruptionBudget');
const job = only<IJob>('Job');
const cronJob = only<ICronJob>('CronJob');

/** Every pod template, by the workload that owns it. */
const podSpecs: Record<string, IPodSpec> = {
  [`Deployment/${deployment.metadata.name}`]: deployment.spec!.template.spec!,
  [`Job/${job.metadata.name}`]: job.spec!.template.spec!,
  [`CronJob/${cronJob.metadata.name}`]: cronJob.spec!.jobTemplate.spec!.template.spec!,
};
const allContainers = (spec: IPodSpec): IContainer[] => [...(spec.initContainers ?? []), ...spec.containers];
const appContainer = deployment.spec!.template.spec!.containers[0];
const config = configMap.data ?? {};
const secretValues = secret.stringData ?? {};

/** The Dockerfile's stages, each as its instructions (continuation lines joined, comments dropped). */
function dockerStages(): string[][] {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  return stages;
}

/** `dist/src/cli/migrate.js` -> `src/cli/migrate.ts`: the source the build compiles it from. */
function sourceOf(distPath: string): string {
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    compilerOptions: { outDir: string; rootDir: string };
  };
  expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
  expect(distPath).toMatch(/^dist\/.+\.js$/);
  return distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

function probePort(probe: IProbe | undefined, container: IContainer): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

describe('deploy/k8s manifests', () => {
  it('are valid YAML, one of each kind we expect, and valid against the Kubernetes schemas', () => {
    const kinds = manifests.map((m) => `${m.apiVersion}/${m.kind}`).sort();
    expect(kinds).toEqual(Object.keys(MODELS).sort());
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}` as keyof typeof MODELS];
      const { file, ...data } = m;
      // validate() throws with every schema error, e.g. "data/spec/replicas must be integer".
      let errors: string | null = null;
      try {
        new Model(data as never).validate();
      } catch (error) {
        errors = (error as Error).message;
      }
      expect([file, m.kind, errors]).toEqual([file, m.kind, null]);
      expect(m.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'holdfast', 'app.kubernetes.io/part-of': 'holdfast' });
    }
  });

  it('kustomization.yaml applies every manifest but the Secret example, and names the image every container runs', () => {
    const kustomization = parseYaml(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
      images: { name: string; newName?: string; newTag?: string }[];
    };
    const files = [...new Set(manifests.map((m) => m.file))].filter((f) => f !== SECRET_FILE);
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(secret.file).toBe(SECRET_FILE); // never applied over the real Secret

    const images = new Set(Object.values(podSpecs).flatMap((spec) => allContainers(spec).map((c) => c.image)));
    expect(images.size).toBe(1);
    const [image] = [...images];
    expect(kustomization.images).toEqual([expect.objectContaining({ name: image!.split(':')[0] })]);
  });

  it('the ConfigMap and the Secret hold exactly ENV_KEYS, credentials only in the Secret, and together pass validateEnv', () => {
    const configKeys = Object.keys(config);
    const secretKeys = Object.keys(secretValues);
    expect(configKeys.filter((k) => secretKeys.includes(k))).toEqual([]);
    expect([...configKeys, ...secretKeys].sort()).toEqual([...ENV_KEYS].sort());
    expect(secretKeys.sort()).toEqual(ENV_KEYS.filter(isSecretName).sort());
    // ConfigMap data is string to string: a bare `3000` or `false` in YAML would be refused.
    for (const [key, value] of Object.entries({ ...config, ...secretValues }))
      expect([key, typeof value]).toEqual([key, 'string']);
    // Placeholders only: nothing that could be a real credential is committed.
    for (const [key, value] of Object.entries(secretValues))
      expect([key, value]).toEqual([key, expect.stringContaining('CHANGE_ME')]);

    const env = validateEnv({ ...config, ...secretValues });
    expect(env).toMatchObject({ NODE_ENV: 'production', MIGRATIONS_RUN: false, DEMO_CATALOG: false });
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('the Deployment runs 3 replicas, selects its own pods, and probes /health/ready and /health/live on the app port', () => {
    const spec = deployment.spec!;
    expect(spec.replicas).toBe(3);
    const podLabels = spec.template.metadata!.labels!;
    expect(podLabels).toMatchObject(spec.selector.matchLabels!);

    const port = appContainer.ports!.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(Number(config.PORT));
    expect(appContainer.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(appContainer.livenessProbe?.httpGet?.path).toBe('/health/live');
    for (const probe of [appContainer.readinessProbe, appContainer.livenessProbe, appContainer.startupProbe]) {
      expect(probePort(probe, appContainer)).toBe(Number(config.PORT));
    }
    // The pods never migrate: nothing overrides the ConfigMap's MIGRATIONS_RUN=false.
    expect(config.MIGRATIONS_RUN).toBe('false');
    expect(appContainer.env ?? []).toEqual([]);
    // ... and start only once the Job has migrated.
    expect(spec.template.spec!.initContainers?.map((c) => c.command)).toEqual([
      ['node', 'dist/src/cli/migrate.js', 'wait', '600'],
    ]);
  });

  it('the Service and the PodDisruptionBudget select exactly the Deployment pods, not the jobs', () => {
    const podLabels = deployment.spec!.template.metadata!.labels!;
    const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    const jobPods = [job.spec!.template.metadata!.labels!, cronJob.spec!.jobTemplate.spec!.template.metadata!.labels!];

    for (const selector of [service.spec!.selector!, pdb.spec!.selector!.matchLabels!]) {
      expect(matches(selector, podLabels)).toBe(true);
      for (const labels of jobPods) expect(matches(selector, labels)).toBe(false);
    }
    const [svcPort] = service.spec!.ports!;
    expect(probePort({ httpGet: { port: svcPort.targetPort! } }, appContainer)).toBe(Number(config.PORT));
    expect(pdb.spec!.minAvailable).toBeLessThan(deployment.spec!.replicas!);
  });

  it('the migration Job and the hold-sweep CronJob run CLIs the build produces, the sweep every minute, never overlapping', () => {
    expect(job.spec!.template.spec!.containers.map((c) => c.command)).toEqual([['node', 'dist/src/cli/migrate.js', 'run']]);
    expect(job.spec!.parallelism ?? 1).toBe(1);
    expect(job.spec!.template.spec!.restartPolicy).toBe('Never');

    const sweep = cronJob.spec!;
    expect(sweep.schedule).toBe('* * * * *');
    expect(sweep.concurrencyPolicy).toBe('Forbid');
    expect(sweep.jobTemplate.spec!.template.spec!.containers.map((c) => c.command)).toEqual([
      ['node', 'dist/src/cli/holds-expire.js'],
    ]);
    expect(sweep.jobTemplate.spec!.activeDeadlineSeconds).toBeLessThan(60);

    for (const spec of Object.values(podSpecs)) {
      for (const c of allContainers(spec)) {
        const args = c.command ?? [];
        const script = args[0] === 'node' ? args[1] : undefined;
        if (script) expect([script, existsSync(join(ROOT, sourceOf(script)))]).toEqual([script, true]);
      }
    }
    // The image's CMD is the Deployment's entry point; its files sit under WORKDIR /app.
    const runtime = dockerStages().at(-1)!;
    expect(runtime).toContain('WORKDIR /app');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toContain('CMD ["node", "dist/src/main.js"]');
    expect(existsSync(join(ROOT, sourceOf('dist/src/main.js')))).toBe(true);
  });

  it('every pod runs as the image non-root user, unprivileged, with its resources and the whole configuration', () => {
    const user = dockerStages()
      .at(-1)!
      .find((l) => /^USER\s/.test(l));
    const uid = Number(/^USER\s+(\d+)/.exec(user ?? '')?.[1]);
    expect(uid).toBeGreaterThan(0); // numeric: runAsNonRoot cannot verify a user name

    for (const [owner, spec] of Object.entries(podSpecs)) {
      expect([owner, spec.securityContext]).toEqual([owner, expect.objectContaining({ runAsNonRoot: true, runAsUser: uid })]);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of allContainers(spec)) {
        const where = `${owner} container ${c.name}`;
        expect([where, c.securityContext]).toEqual([
          where,
          expect.objectContaining({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          }),
        ]);
        expect([where, c.resources]).toEqual([
          where,
          {
            requests: { cpu: expect.any(String), memory: expect.any(String) },
            limits: { memory: expect.any(String) },
          },
        ]);
        // validateEnv runs in every one of them (CLIs included): each gets all of it.
        expect([where, c.envFrom]).toEqual([
          where,
          [{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }],
        ]);
      }
    }
  });

  it('a SIGTERMed pod finishes draining (preStop sleep + SHUTDOWN_TIMEOUT_MS) before the kubelet kills it', () => {
    const [, seconds] = appContainer.lifecycle!.preStop!.exec!.command!;
    const drainMs = Number(seconds) * 1000 + Number(config.SHUTDOWN_TIMEOUT_MS);
    expect(deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(drainMs);
  });
});

describe('Dockerfile and docker-compose.yml', () => {
  it('build in two stages and run production dependencies only, as a non-root user, with a health check on a probe route', () => {
    const stages = dockerStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime.filter((l) => l.startsWith('RUN npm ci'))).toEqual([expect.stringContaining('--omit=dev')]);
    expect(runtime.some((l) => /^RUN .*npm (run )?build/.test(l))).toBe(false);
    expect(runtime).toContain(`EXPOSE ${config.PORT}`);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/\/health\/(ready|live)/);

    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<
        string,
        { build?: string; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } }
      >;
    };
    expect(compose.services.app).toMatchObject({ build: '.', depends_on: { postgres: { condition: 'service_healthy' } } });
    expect(compose.services.app.healthcheck!.test.join(' ')).toContain('/health/ready');
  });

  it("docker-compose.yml's app, with the image's ENV beneath its environment, passes validateEnv", () => {
    // The runtime stage's `ENV A=1 B=2` lines, then compose's environment over them, as Docker does.
    const imageEnv: Record<string, string> = {};
    for (const line of dockerStages()
      .at(-1)!
      .filter((l) => /^ENV\s/.test(l))) {
      for (const [, key, value] of line.slice(4).matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)/g)) imageEnv[key] = value;
    }
    expect(imageEnv.NODE_ENV).toBeDefined();
    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { app: { environment: Record<string, string | number> } };
    };
    // `${JWT_SECRET:-default}`: compose substitutes the default when the variable is unset.
    const composeEnv = Object.fromEntries(
      Object.entries(compose.services.app.environment).map(([k, v]) => [k, String(v).replace(/^\$\{\w+:-(.*)\}$/, '$1')]),
    );
    expect(() => validateEnv({ ...imageEnv, ...composeEnv })).not.toThrow();
  });
});

describe('the probe routes the manifests name', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('answer 200 on the real app, without a token', async () => {
    for (const probe of [appContainer.readinessProbe, appContainer.livenessProbe, appContainer.startupProbe]) {
      const res = await t.http.get(probe!.httpGet!.path!);
      expect([probe!.httpGet!.path, res.status]).toEqual([probe!.httpGet!.path, 200]);
    }
  });
});
