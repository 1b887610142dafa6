// Namespace (v1): a name that Services, Deployments and ServiceAccounts are declared in; its
// config.loom.io annotations are defaults for the proxies of its workloads.

import { z } from 'zod';
import { annotationMap } from './annotations.js';
import { dnsLabel, strictObject } from './fields.js';

export const namespaceSchema = strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: strictObject({ name: dnsLabel, annotations: annotationMap.optional() }),
});

export type NamespaceResource = z.output<typeof namespaceSchema>;
