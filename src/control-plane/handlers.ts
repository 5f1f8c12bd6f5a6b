/**
 * The implemented operations, by camelCase operation name. An operation of the model missing
 * here answers NotImplementedException naming it.
 */
import { OPERATIONS } from '../model/service-model.js';
import * as apis from './apis.js';
import * as authorizers from './authorizers.js';
import type { OperationHandler } from './context.js';
import * as integrations from './integrations.js';
import * as models from './models.js';
import * as routes from './routes.js';
import * as deployments from './deployments.js';
import * as stages from './stages.js';
import * as routeResponses from './route-responses.js';
import * as integrationResponses from './integration-responses.js';
import * as domainNames from './domain-names.js';
import * as apiMappings from './api-mappings.js';
import * as routingRules from './routing-rules.js';
import * as vpcLinks from './vpc-links.js';
import * as tags from './tags.js';
import * as importExport from './import-export.js';

const OPERATION_NAMES = new Set(OPERATIONS.map((op) => op.name.charAt(0).toLowerCase() + op.name.slice(1)));

/** The exports of a resource module that are named after an operation of the model. */
const handlersOf = (module: Record<string, unknown>) =>
  Object.entries(module).filter(([name, fn]) => typeof fn === 'function' && OPERATION_NAMES.has(name)) as [string, OperationHandler][];

/** The resource modules; each exports handlers named after operations. Add a module here. */
const MODULES: readonly object[] = [
  apis,
  routes,
  integrations,
  authorizers,
  models,
  stages,
  deployments,
  routeResponses,
  integrationResponses,
  domainNames,
  apiMappings,
  routingRules,
  vpcLinks,
  tags,
  importExport,
];

/** Handlers keyed by operation name in camelCase (`createRoute`). */
export const HANDLERS: Readonly<Record<string, OperationHandler>> = Object.fromEntries(
  MODULES.flatMap((m) => handlersOf(m as Record<string, unknown>)),
);
