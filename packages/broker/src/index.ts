// @tributary/broker: a Kafka-compatible broker node.
export { startBroker, BrokerStartError } from './broker.js';
export type { RunningBroker, StartBrokerOptions } from './broker.js';
export type { BrokerContext } from './broker-context.js';
export type { BrokerConfig, BrokerLimits, HostPort, TopicDefaults, Voter } from './config/broker-config.js';
export { defaultLimits, defaultTopicDefaults } from './config/broker-config.js';
export { ConfigError, configHelp, envName, flagName, loadConfig, testBrokerConfig, wantsHelp } from './config/load-config.js';
export type { ConfigSources, LoadedConfig } from './config/load-config.js';
export { createRootLogger, componentLogger, silentLogger } from './logging.js';
export type { Logger } from './logging.js';
export { handlerSpecs, withApiVersions } from './handlers/index.js';
export { NO_RESPONSE } from './handlers/handler.js';
export type { AnyHandlerSpec, HandlerSpec, RequestContext } from './handlers/handler.js';
export { NodeClient } from './rpc/node-client.js';
export type { PingRequest, PingResponse } from './rpc/node-proto.js';
