// ServiceAccount (v1): the identity a workload's proxies present (`<name>.<namespace>.serviceaccount...`).

import { z } from 'zod';
import { dnsSubdomain, namespaceField, strictObject } from './fields.js';

export const serviceAccountSchema = strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('ServiceAccount'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField }),
});

export type ServiceAccountResource = z.output<typeof serviceAccountSchema>;
