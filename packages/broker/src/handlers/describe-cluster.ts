/**
 * DescribeCluster, v0–1 (used by Kafka's Java admin client; not by kafkajs, librdkafka 2.0.2 or
 * kafka-python 2.0.2). Brokers: the live ones at their advertised addresses; the controller is
 * the active one (this node on a single broker). v1's endpointType 1 (brokers) is served; 2 (controllers) gets
 * UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers. Authorized operations, when asked for,
 * are every cluster operation (there are no ACLs); otherwise Kafka's "not requested" marker.
 */
import { ApiKey, ErrorCode, defaultDescribeClusterResponse, type DescribeClusterRequest, type DescribeClusterResponse } from '@tributary/protocol';
import type { HandlerSpec, RequestContext } from './handler.js';

/** Kafka's "authorized operations not requested" (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** AclOperation bits: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);
const ENDPOINT_BROKERS = 1;

async function describeCluster(request: DescribeClusterRequest, ctx: RequestContext): Promise<DescribeClusterResponse> {
  const { broker } = ctx;
  const response = defaultDescribeClusterResponse();
  if (ctx.apiVersion >= 1) response.endpointType = request.endpointType;
  if (request.endpointType !== ENDPOINT_BROKERS) {
    return { ...response, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Endpoint type ${request.endpointType} is not served by a broker; use 1 (brokers).` };
  }
  return {
    ...response,
    clusterId: broker.clusterId,
    controllerId: broker.controllerId(),
    brokers: broker.brokers(ctx.listenerName).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export const describeClusterHandler: HandlerSpec<typeof ApiKey.DescribeCluster> = {
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle: describeCluster,
  errorResponse: (_request, errorCode) => ({ ...defaultDescribeClusterResponse(), errorCode }),
};
