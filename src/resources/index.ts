export { parseResource, RESOURCE_KINDS, type ParsedResource, type Resource, type ResourceKind } from './kinds.js';
export { closest, describeIssues, type FieldPath, type ResourceProblem } from './issues.js';
export { formatLabels, matchesSelector } from './fields.js';
export { namespaceSchema, type NamespaceResource } from './namespace.js';
export { serviceAccountSchema, type ServiceAccountResource } from './service-account.js';
export { APP_PROTOCOLS, serviceSchema, type AppProtocol, type ServicePort, type ServiceResource } from './service.js';
export { deploymentSchema, type ContainerResource, type DeploymentResource } from './deployment.js';
export { serviceProfileSchema } from './service-profile.js';
export type { ServiceProfileResource } from './service-profile.js';
