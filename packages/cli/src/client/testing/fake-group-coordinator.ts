/**
 * Just enough of a classic group coordinator for the client's tests, behind FakeBroker: one
 * generation per JoinGroup (the joiner's, with every member it already knows), MEMBER_ID_REQUIRED
 * for a first join, SyncGroup handing out the leader's assignment, Heartbeat, LeaveGroup, and
 * OffsetCommit/OffsetFetch checking generation and member as Kafka does. Answers at once: it
 * never holds a JoinGroup waiting for other members.
 */
import {
  ApiKey,
  ErrorCode,
  defaultDescribeGroupsResponse,
  defaultFindCoordinatorResponse,
  defaultJoinGroupResponse,
  defaultListGroupsResponse,
  defaultOffsetFetchResponse,
  type ApiResponses,
  type DecodedRequest,
} from '@tributary/protocol';

interface FakeMember {
  readonly memberId: string;
  readonly metadata: Buffer;
  assignment: Buffer;
}

interface FakeGroup {
  generationId: number;
  protocolName: string;
  leader: string;
  readonly members: Map<string, FakeMember>;
  /** topic → partition → offset */
  readonly offsets: Map<string, Map<number, bigint>>;
}

export const groupApis: [number, number][] = [
  [ApiKey.FindCoordinator, 3], [ApiKey.JoinGroup, 7], [ApiKey.SyncGroup, 5], [ApiKey.Heartbeat, 4], [ApiKey.LeaveGroup, 4],
  [ApiKey.OffsetCommit, 8], [ApiKey.OffsetFetch, 7], [ApiKey.ListGroups, 4], [ApiKey.DescribeGroups, 5],
];

export class FakeGroupCoordinator {
  readonly groups = new Map<string, FakeGroup>();
  private nextMember = 1;

  private group(id: string): FakeGroup {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { generationId: 0, protocolName: '', leader: '', members: new Map(), offsets: new Map() };
      this.groups.set(id, g);
    }
    return g;
  }

  private state(g: FakeGroup): string {
    return g.members.size === 0 ? 'Empty' : 'Stable';
  }

  answer(request: DecodedRequest, port: number): ApiResponses[keyof ApiResponses] | null {
    switch (request.apiKey) {
      case ApiKey.FindCoordinator:
        return { ...defaultFindCoordinatorResponse(), nodeId: 1, host: '127.0.0.1', port };
      case ApiKey.JoinGroup: {
        const b = request.body;
        const g = this.group(b.groupId);
        if (b.memberId === '' && request.header.requestApiVersion >= 4) {
          return { ...defaultJoinGroupResponse(), errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: `member-${this.nextMember++}` };
        }
        const memberId = b.memberId === '' ? `member-${this.nextMember++}` : b.memberId;
        if (b.memberId !== '' && !g.members.has(memberId) && request.header.requestApiVersion < 4) {
          return { ...defaultJoinGroupResponse(), errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
        }
        g.members.set(memberId, { memberId, metadata: b.protocols[0].metadata, assignment: Buffer.alloc(0) });
        g.generationId++;
        g.protocolName = b.protocols[0].name;
        if (!g.members.has(g.leader)) g.leader = memberId;
        const members = g.leader === memberId ? [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: null, metadata: m.metadata })) : [];
        return { ...defaultJoinGroupResponse(), generationId: g.generationId, protocolType: 'consumer', protocolName: g.protocolName, leader: g.leader, memberId, members };
      }
      case ApiKey.SyncGroup: {
        const b = request.body;
        const g = this.group(b.groupId);
        const member = g.members.get(b.memberId);
        if (member === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
        if (b.generationId !== g.generationId) return { throttleTimeMs: 0, errorCode: ErrorCode.ILLEGAL_GENERATION, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
        for (const a of b.assignments) {
          const target = g.members.get(a.memberId);
          if (target !== undefined) target.assignment = Buffer.from(a.assignment);
        }
        return { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: g.protocolName, assignment: member.assignment };
      }
      case ApiKey.Heartbeat: {
        const g = this.group(request.body.groupId);
        const code = !g.members.has(request.body.memberId) ? ErrorCode.UNKNOWN_MEMBER_ID : request.body.generationId !== g.generationId ? ErrorCode.ILLEGAL_GENERATION : 0;
        return { throttleTimeMs: 0, errorCode: code };
      }
      case ApiKey.LeaveGroup: {
        const b = request.body;
        const g = this.group(b.groupId);
        const ids = b.members.length > 0 ? b.members.map((m) => m.memberId) : [b.memberId];
        for (const id of ids) g.members.delete(id);
        return { throttleTimeMs: 0, errorCode: 0, members: ids.map((memberId) => ({ memberId, groupInstanceId: null, errorCode: 0 })) };
      }
      case ApiKey.OffsetCommit: {
        const b = request.body;
        const g = this.group(b.groupId);
        let code: number = ErrorCode.NONE;
        if (b.generationIdOrMemberEpoch < 0 && b.memberId === '') code = g.members.size > 0 ? ErrorCode.UNKNOWN_MEMBER_ID : 0;
        else if (!g.members.has(b.memberId)) code = ErrorCode.UNKNOWN_MEMBER_ID;
        else if (b.generationIdOrMemberEpoch !== g.generationId) code = ErrorCode.ILLEGAL_GENERATION;
        const topics = b.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            if (code === 0) g.offsets.set(t.name, (g.offsets.get(t.name) ?? new Map()).set(p.partitionIndex, p.committedOffset));
            return { partitionIndex: p.partitionIndex, errorCode: code };
          }),
        }));
        return { throttleTimeMs: 0, topics };
      }
      case ApiKey.OffsetFetch: {
        const g = this.group(request.body.groupId);
        const wanted = request.body.topics ?? [...g.offsets].map(([name, m]) => ({ name, partitionIndexes: [...m.keys()] }));
        const topics = wanted.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: g.offsets.get(t.name)?.get(partitionIndex) ?? -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: 0,
          })),
        }));
        return { ...defaultOffsetFetchResponse(), topics };
      }
      case ApiKey.ListGroups: {
        const groups = [...this.groups].map(([groupId, g]) => ({ groupId, protocolType: 'consumer', groupState: this.state(g), groupType: '' }));
        return { ...defaultListGroupsResponse(), groups: request.header.requestApiVersion >= 4 ? groups : groups.map((x) => ({ ...x, groupState: '' })) };
      }
      case ApiKey.DescribeGroups: {
        const groups = request.body.groups.map((groupId) => {
          const g = this.groups.get(groupId);
          if (g === undefined) return { errorCode: 0, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
          return {
            errorCode: 0,
            groupId,
            groupState: this.state(g),
            protocolType: 'consumer',
            protocolData: g.members.size > 0 ? g.protocolName : '',
            members: [...g.members.values()].map((m) => ({
              memberId: m.memberId,
              groupInstanceId: null,
              clientId: 'tributary-cli',
              clientHost: '/127.0.0.1',
              memberMetadata: m.metadata,
              memberAssignment: m.assignment,
            })),
            authorizedOperations: -2147483648,
          };
        });
        return { ...defaultDescribeGroupsResponse(), groups };
      }
      default:
        return null;
    }
  }
}
