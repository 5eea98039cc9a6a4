/**
 * The distilled message schema: what the generator needs from Apache Kafka's JSON message
 * definitions (names, versions, types, defaults, tags) and nothing else (no comments or prose).
 */
export interface SchemaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  ignorable?: boolean;
  default?: string;
  /** Field-level override of the message's flexible versions (RequestHeader's ClientId). */
  flexibleVersions?: string;
  fields?: SchemaField[];
}

export interface SchemaStruct {
  name: string;
  versions: string;
  fields: SchemaField[];
}

export interface SchemaMessage {
  name: string;
  type: 'request' | 'response' | 'header' | 'data' | 'metadata';
  apiKey?: number;
  listeners?: string[];
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  fields: SchemaField[];
  commonStructs?: SchemaStruct[];
}

export interface SchemaSource {
  repository: string;
  commit: string;
  path: string;
}

export interface SchemaSet {
  source: SchemaSource;
  messages: SchemaMessage[];
}
