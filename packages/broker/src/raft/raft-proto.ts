/**
 * proto/raft.proto, loaded at run time with @grpc/proto-loader (protobufjs underneath), and the
 * conversion between its wire shapes and the core's Message union (InstallSnapshot included).
 */
import type { Entry, Message } from '@tributary/raft';
import { loadGrpcService, type GrpcService } from '../rpc/grpc-service.js';

export const RAFT_PROTO_FILE = 'raft.proto';

interface WireEntry { index: number; term: number; kind: 'ENTRY_KIND_NORMAL' | 'ENTRY_KIND_NOOP'; data: Uint8Array }

/** The decoded shape of tributary.raft.v1.RaftMessage (proto-loader with oneofs: true). */
export interface WireMessage {
  from: string;
  to: string;
  term: number;
  body?: 'voteRequest' | 'voteResponse' | 'append' | 'appendResponse' | 'timeoutNow' | 'installSnapshot';
  voteRequest?: { preVote: boolean; lastLogIndex: number; lastLogTerm: number; force: boolean } | null;
  voteResponse?: { preVote: boolean; reject: boolean } | null;
  append?: { prevLogIndex: number; prevLogTerm: number; entries: WireEntry[]; commitIndex: number } | null;
  appendResponse?: { reject: boolean; index: number; rejectHint: number; hintTerm: number } | null;
  timeoutNow?: Record<string, never> | null;
  installSnapshot?: { leaderId: string; lastIncludedIndex: number; lastIncludedTerm: number; data: Uint8Array } | null;
}

export interface RaftMessageBatch { messages: WireMessage[] }
export type Ack = Record<string, never>;

export type RaftProto = GrpcService;


/** Loads (once) the tributary.raft.v1.Raft service. Throws if the proto file is missing: a broken install. */
export function loadRaftProto(): RaftProto {
  return loadGrpcService(RAFT_PROTO_FILE, 'tributary.raft.v1.Raft');
}

function entryToWire(e: Entry): WireEntry {
  return { index: e.index, term: e.term, kind: e.kind === 'noop' ? 'ENTRY_KIND_NOOP' : 'ENTRY_KIND_NORMAL', data: e.data };
}

function entryFromWire(e: WireEntry): Entry {
  return { index: e.index, term: e.term, kind: e.kind === 'ENTRY_KIND_NOOP' ? 'noop' : 'normal', data: new Uint8Array(e.data) };
}

export function messageToWire(m: Message): WireMessage {
  const base = { from: m.from, to: m.to, term: m.term };
  switch (m.type) {
    case 'preVote':
    case 'vote':
      return { ...base, voteRequest: { preVote: m.type === 'preVote', lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, force: m.force } };
    case 'preVoteResp':
    case 'voteResp':
      return { ...base, voteResponse: { preVote: m.type === 'preVoteResp', reject: m.reject } };
    case 'append':
      return { ...base, append: { prevLogIndex: m.prevLogIndex, prevLogTerm: m.prevLogTerm, entries: m.entries.map(entryToWire), commitIndex: m.commitIndex } };
    case 'appendResp':
      return { ...base, appendResponse: { reject: m.reject, index: m.index, rejectHint: m.rejectHint, hintTerm: m.hintTerm } };
    case 'timeoutNow':
      return { ...base, timeoutNow: {} };
    case 'installSnapshot':
      return { ...base, installSnapshot: { leaderId: m.leaderId, lastIncludedIndex: m.lastIncludedIndex, lastIncludedTerm: m.lastIncludedTerm, data: m.data } };
  }
}

/** Undefined for a message this version does not understand (a newer peer's body kind): Raft tolerates its loss. */
export function messageFromWire(w: WireMessage): Message | undefined {
  const base = { from: w.from, to: w.to, term: w.term };
  switch (w.body) {
    case 'voteRequest': {
      const b = w.voteRequest!;
      return { ...base, type: b.preVote ? 'preVote' : 'vote', lastLogIndex: b.lastLogIndex, lastLogTerm: b.lastLogTerm, force: b.force };
    }
    case 'voteResponse': {
      const b = w.voteResponse!;
      return { ...base, type: b.preVote ? 'preVoteResp' : 'voteResp', reject: b.reject };
    }
    case 'append': {
      const b = w.append!;
      return { ...base, type: 'append', prevLogIndex: b.prevLogIndex, prevLogTerm: b.prevLogTerm, entries: b.entries.map(entryFromWire), commitIndex: b.commitIndex };
    }
    case 'appendResponse': {
      const b = w.appendResponse!;
      return { ...base, type: 'appendResp', reject: b.reject, index: b.index, rejectHint: b.rejectHint, hintTerm: b.hintTerm };
    }
    case 'timeoutNow':
      return { ...base, type: 'timeoutNow' };
    case 'installSnapshot': {
      const b = w.installSnapshot!;
      return { ...base, type: 'installSnapshot', leaderId: b.leaderId, lastIncludedIndex: b.lastIncludedIndex, lastIncludedTerm: b.lastIncludedTerm, data: new Uint8Array(b.data) };
    }
    default:
      return undefined;
  }
}
