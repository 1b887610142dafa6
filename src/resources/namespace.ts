// Namespace (v1): a name that Services, Deployments and ServiceAccounts are declared in.

import { z } from 'zod';
import { dnsLabel, strictObject } from './fields.js';

export const namespaceSchema = strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: strictObject({ name: dnsLabel }),
});

export type NamespaceResource = z.output<typeof namespaceSchema>;
