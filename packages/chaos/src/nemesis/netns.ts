/**
 * The chaos network: a bridge `tchaos0` (10.197.0.1/24, the host's side, where the workload runs)
 * and one network namespace per node (`tchaos-nN`, 10.197.0.1N on its `eth0`, the other end of
 * the veth `tchaos-vN` on the bridge). No default route, no forwarding, no NAT: nothing leaves
 * the subnet. Faults: iptables drops inside a node's namespace, or its veth taken down.
 *
 * Every command is bounded by a timeout; the cleanup is synchronous so that a watchdog or a
 * signal handler can run it.
 */
import { execFile, spawnSync } from 'node:child_process';

export const BRIDGE = 'tchaos0';
export const HOST_IP = '10.197.0.1';
export const nodeIp = (node: number): string => `10.197.0.1${node}`;
export const namespaceOf = (node: number): string => `tchaos-n${node}`;
export const hostVethOf = (node: number): string => `tchaos-v${node}`;
const COMMAND_TIMEOUT_MS = 10_000;

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, stdout: String(stdout), stderr: error !== null && String(stderr).length === 0 ? error.message : String(stderr) });
    });
  });
}

export function runSync(command: string, args: readonly string[], timeoutMs = COMMAND_TIMEOUT_MS): CommandResult {
  const result = spawnSync(command, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

/** Runs a command, throwing with its stderr when it fails. */
export async function must(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args);
  if (!result.ok) throw new Error(`${command} ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

export async function createNetwork(nodes: number): Promise<void> {
  await must('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await must('ip', ['addr', 'add', `${HOST_IP}/24`, 'dev', BRIDGE]);
  await must('ip', ['link', 'set', BRIDGE, 'up']);
  for (let node = 1; node <= nodes; node++) {
    const ns = namespaceOf(node);
    await must('ip', ['netns', 'add', ns]);
    await must('ip', ['link', 'add', hostVethOf(node), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await must('ip', ['link', 'set', hostVethOf(node), 'master', BRIDGE, 'up']);
    await must('ip', ['-n', ns, 'addr', 'add', `${nodeIp(node)}/24`, 'dev', 'eth0']);
    await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
}

/** The chaos namespaces that exist now (from this run or a crashed earlier one). */
export function listNamespacesSync(): string[] {
  const listed = runSync('ip', ['netns', 'list']);
  return listed.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => /^tchaos-n\d+$/.test(name));
}

/**
 * Processes still inside the chaos namespaces: brokers of an earlier run that crashed before its
 * cleanup (only this suite creates these namespaces).
 */
export function namespacePidsSync(): number[] {
  const pids: number[] = [];
  for (const ns of listNamespacesSync()) {
    const listed = runSync('ip', ['netns', 'pids', ns]);
    for (const line of listed.stdout.split('\n')) if (/^\d+$/.test(line.trim())) pids.push(Number(line.trim()));
  }
  return pids;
}

/** Deletes the veths, the namespaces and the bridge; returns what failed. */
export function deleteNetworkSync(): string[] {
  const problems: string[] = [];
  const links = runSync('ip', ['-o', 'link', 'show']).stdout;
  for (const match of links.matchAll(/^\d+:\s+(tchaos-v\d+)[@:]/gm)) {
    const result = runSync('ip', ['link', 'del', match[1]]);
    if (!result.ok && !result.stderr.includes('Cannot find')) problems.push(`ip link del ${match[1]}: ${result.stderr.trim()}`);
  }
  for (const ns of listNamespacesSync()) {
    const result = runSync('ip', ['netns', 'del', ns]);
    if (!result.ok) problems.push(`ip netns del ${ns}: ${result.stderr.trim()}`);
  }
  if (runSync('ip', ['link', 'show', BRIDGE]).ok) {
    const result = runSync('ip', ['link', 'del', BRIDGE]);
    if (!result.ok) problems.push(`ip link del ${BRIDGE}: ${result.stderr.trim()}`);
  }
  return problems;
}

const iptables = (node: number, args: readonly string[]): Promise<string> => must('ip', ['netns', 'exec', namespaceOf(node), 'iptables', '-w', '5', ...args]);

/** The node drops every packet from and to its peers; the host (clients) still reaches it. */
export async function isolateFromPeers(node: number, peers: readonly number[]): Promise<void> {
  for (const peer of peers) {
    await iptables(node, ['-A', 'INPUT', '-s', nodeIp(peer), '-j', 'DROP']);
    await iptables(node, ['-A', 'OUTPUT', '-d', nodeIp(peer), '-j', 'DROP']);
  }
}

/** The node drops what comes from `peer`; what it sends still arrives. */
export async function dropFrom(node: number, peer: number): Promise<void> {
  await iptables(node, ['-A', 'INPUT', '-s', nodeIp(peer), '-j', 'DROP']);
}

export async function clearDrops(node: number): Promise<void> {
  await iptables(node, ['-F', 'INPUT']);
  await iptables(node, ['-F', 'OUTPUT']);
}

export async function setLink(node: number, up: boolean): Promise<void> {
  await must('ip', ['link', 'set', hostVethOf(node), up ? 'up' : 'down']);
}
