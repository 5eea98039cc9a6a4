/**
 * deploy/k8s: every document validates against the Kubernetes OpenAPI schemas (kubernetes-models,
 * class chosen by apiVersion and kind), and what a schema cannot see holds: the StatefulSet's
 * service is the headless one, selectors match the pod labels, probes and service ports name
 * the container's ports, the kustomization lists every file, and the configuration each pod gets
 * (ConfigMap, environment, entrypoint) loads as the broker would load it, with node ids 1..N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IContainer, IContainerPort, IPodSpec } from 'kubernetes-models/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { brokerConfigFrom, k8sDocuments, k8sFiles, type YamlDocument } from './testing/deploy-files.js';

interface KubernetesModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => KubernetesModel;

/** The kubernetes-models class for a document: the module by apiVersion (`v1`, `apps/v1`, ...), the export by kind. */
async function modelClass(apiVersion: unknown, kind: unknown): Promise<ModelClass | undefined> {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  let module: Record<string, unknown>;
  try {
    module = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const model = module[kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

const KUSTOMIZATION_KIND = 'Kustomization';
const describeDoc = ({ file, doc }: YamlDocument) => `${file}: ${String(doc.kind)} ${String((doc.metadata as { name?: string } | undefined)?.name ?? '')}`;

/** Every schema error, one line per document; empty when all are valid. */
async function schemaErrors(documents: readonly YamlDocument[]): Promise<string[]> {
  const errors: string[] = [];
  for (const document of documents) {
    if (document.doc.kind === KUSTOMIZATION_KIND) continue;
    const model = await modelClass(document.doc.apiVersion, document.doc.kind);
    if (model === undefined) {
      errors.push(`${describeDoc(document)}: no kubernetes-models class for ${String(document.doc.apiVersion)} ${String(document.doc.kind)}`);
      continue;
    }
    try {
      new model(document.doc).validate();
    } catch (error) {
      errors.push(`${describeDoc(document)}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/** The manifests as typed models (each kind the deployment must have, exactly once; Services by name). */
function manifests(documents: readonly YamlDocument[]) {
  const only = (kind: string) => {
    const found = documents.filter((d) => d.doc.kind === kind);
    assert.equal(found.length, 1, `exactly one ${kind} in deploy/k8s`);
    return found[0].doc;
  };
  const statefulSet = new StatefulSet(only('StatefulSet') as never);
  const services = documents.filter((d) => d.doc.kind === 'Service').map((d) => new Service(d.doc as never));
  const pdb = new PodDisruptionBudget(only('PodDisruptionBudget') as never);
  const configMap = new ConfigMap(only('ConfigMap') as never);
  const kustomization = only(KUSTOMIZATION_KIND) as { resources?: unknown };
  const pod = statefulSet.spec!.template.spec as IPodSpec;
  assert.equal(pod.containers.length, 1, 'one broker container');
  return { statefulSet, services, pdb, configMap, kustomization, pod, container: pod.containers[0] };
}

function includes(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** A container port by name or number, as probes and targetPorts refer to it. */
function containerPort(container: IContainer, ref: string | number | undefined): IContainerPort | undefined {
  return container.ports?.find((p) => p.name === ref || p.containerPort === ref);
}

test('every manifest validates against the Kubernetes OpenAPI schemas', async () => {
  const documents = k8sDocuments();
  assert.ok(documents.length >= 6, 'ConfigMap, two Services, PodDisruptionBudget, StatefulSet, Kustomization');
  assert.deepEqual(await schemaErrors(documents), []);
});

test('the schema check catches a broken manifest (a wrong type, a missing field, an unknown enum value)', async () => {
  const statefulSet = k8sDocuments().find((d) => d.doc.kind === 'StatefulSet')!;
  const spec = statefulSet.doc.spec as Record<string, unknown>;
  const broken: Array<[string, Record<string, unknown>]> = [
    ['replicas as text', { ...spec, replicas: 'three' }],
    ['no selector', { ...spec, selector: undefined }],
    ['podManagementPolicy', { ...spec, podManagementPolicy: 'AllAtOnce' }],
  ];
  for (const [what, brokenSpec] of broken) {
    const errors = await schemaErrors([{ file: statefulSet.file, doc: { ...statefulSet.doc, spec: JSON.parse(JSON.stringify(brokenSpec)) as unknown } }]);
    assert.equal(errors.length, 1, what);
  }
});

test('the kustomization lists every manifest file, and only those', () => {
  const { kustomization } = manifests(k8sDocuments());
  const listed = kustomization.resources;
  assert.ok(Array.isArray(listed), 'resources is a list');
  assert.deepEqual([...(listed as string[])].sort(), k8sFiles().filter((f) => f !== 'kustomization.yaml' && f !== 'kustomization.yml'));
});

test('cross-references: headless service, selectors, PodDisruptionBudget, ports, probes, volumes', () => {
  const { statefulSet, services, pdb, configMap, pod, container } = manifests(k8sDocuments());
  const spec = statefulSet.spec!;
  const podLabels = spec.template.metadata?.labels;
  assert.ok(includes(podLabels, spec.selector.matchLabels), 'the StatefulSet selects its own pods');
  const headless = services.find((s) => s.metadata?.name === spec.serviceName);
  assert.ok(headless, `serviceName ${spec.serviceName} is a Service here`);
  assert.equal(headless.spec?.clusterIP, 'None', 'and it is headless');
  assert.equal(headless.spec?.publishNotReadyAddresses, true, 'peers resolve before they are ready (readiness needs the quorum)');
  assert.ok(services.some((s) => s !== headless), 'a client Service too');
  for (const service of services) {
    assert.ok(includes(podLabels, service.spec?.selector), `Service ${service.metadata?.name} selects the pods`);
    for (const port of service.spec?.ports ?? []) assert.ok(containerPort(container, port.targetPort ?? port.port), `Service ${service.metadata?.name} port ${port.name} targets a container port`);
  }
  assert.ok(includes(podLabels, pdb.spec?.selector?.matchLabels), 'the PodDisruptionBudget selects the pods');
  assert.equal(pdb.spec?.maxUnavailable, 1);
  const http = containerPort(container, 'http');
  assert.ok(http, 'a container port named http');
  assert.deepEqual([container.readinessProbe?.httpGet?.path, containerPort(container, container.readinessProbe?.httpGet?.port)], ['/ready', http]);
  assert.deepEqual([container.livenessProbe?.httpGet?.path, containerPort(container, container.livenessProbe?.httpGet?.port)], ['/health', http]);
  const mounts = new Set(container.volumeMounts?.map((m) => m.name));
  for (const claim of spec.volumeClaimTemplates ?? []) assert.ok(mounts.has(claim.metadata!.name!), `claim ${claim.metadata?.name} is mounted`);
  for (const volume of pod.volumes ?? []) {
    assert.ok(mounts.has(volume.name), `volume ${volume.name} is mounted`);
    if (volume.configMap) assert.equal(volume.configMap.name, configMap.metadata?.name, 'the ConfigMap volume is the ConfigMap here');
  }
  assert.equal(spec.podManagementPolicy, 'Parallel');
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
  assert.ok(container.resources?.requests?.memory && container.resources.limits?.memory, 'memory requested and limited');
});

/** Kubernetes' `$(VAR)` references in env values, command and args (`$$` is a literal `$`). */
function expandReferences(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => (name === undefined ? '$' : (vars[name] ?? match)));
}

/** The container's environment in a given pod, as the kubelet builds it (downward API fields, references to earlier entries). */
function podEnvironment(container: IContainer, podName: string, namespace: string): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': podName, 'metadata.namespace': namespace };
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const fieldPath = entry.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath !== undefined) env[entry.name] = fields[fieldPath] ?? assert.fail(`no value for field ${fieldPath} in this test`);
    else env[entry.name] = expandReferences(entry.value ?? '', env);
  }
  return env;
}

/**
 * Runs the container's command (its script files, from the ConfigMap, copied here) and args with a
 * stand-in `node` that prints its arguments, one a line: what the broker would be started with.
 */
function entrypointArguments(command: readonly string[], args: readonly string[], files: Record<string, string>, env: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-k8s-'));
  try {
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done\n');
    chmodSync(join(dir, 'node'), 0o755);
    const [program, ...rest] = [...command.map((a) => (files[a] === undefined ? a : writeScript(dir, a, files[a]))), ...args];
    const output = execFileSync(program, rest, { env: { ...env, PATH: `${dir}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    return output.split('\n').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeScript(dir: string, path: string, text: string): string {
  const local = join(dir, path.replaceAll('/', '_'));
  writeFileSync(local, text);
  return local;
}

test("each pod's broker configuration loads: node ids 1..N from the ordinals, voters are the pods, advertised at their DNS names", () => {
  const { statefulSet, configMap, container } = manifests(k8sDocuments());
  const spec = statefulSet.spec!;
  const replicas = spec.replicas ?? 1;
  const namespace = 'streaming';
  const configMount = container.volumeMounts!.find((m) => m.name === 'config')!.mountPath;
  const files = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([key, text]) => [`${configMount}/${key}`, text]));
  const dnsName = (ordinal: number) => `${statefulSet.metadata!.name}-${ordinal}.${spec.serviceName}.${namespace}.svc`;
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const env = podEnvironment(container, `${statefulSet.metadata!.name}-${ordinal}`, namespace);
    const expand = (list: string[] | undefined) => (list ?? []).map((a) => expandReferences(a, env));
    const [main, command, ...brokerArgs] = entrypointArguments(expand(container.command), expand(container.args), files, env);
    assert.deepEqual([main, command], ['/app/packages/cli/dist/main.js', 'broker'], 'the image entry point, broker command');
    const config = brokerConfigFrom(brokerArgs, env, files);
    assert.equal(config.nodeId, ordinal + 1, `pod ${ordinal} is node ${ordinal + 1}`);
    assert.ok(config.cluster !== null, 'cluster mode');
    const rpcPort = containerPort(container, 'rpc')!.containerPort;
    assert.deepEqual(config.voters, Array.from({ length: replicas }, (_, i) => ({ nodeId: i + 1, host: dnsName(i), port: rpcPort })), 'every pod a voter, at its DNS name');
    assert.equal(config.rpcListen.port, rpcPort);
    assert.equal(config.httpListen.port, containerPort(container, 'http')!.containerPort);
    for (const listener of config.listeners) {
      assert.deepEqual(listener.advertise, { host: dnsName(ordinal), port: listener.listen.port }, `listener ${listener.name} advertised at the pod's DNS name`);
      assert.ok(containerPort(container, listener.listen.port), `listener ${listener.name} port is a container port`);
    }
    const dataMount = container.volumeMounts!.find((m) => m.name === spec.volumeClaimTemplates![0].metadata!.name)!.mountPath;
    assert.ok(config.dataDir.startsWith(`${dataMount}/`), 'the data directory is on the volume');
    assert.ok(config.topicDefaults.replicationFactor <= replicas);
  }
});
