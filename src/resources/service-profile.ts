// ServiceProfile (loom.io/v1alpha1): per-service settings the control plane serves to proxies
// through GetProfile. Named after the service's fully qualified name, as Linkerd's are
// (`web.emojivoto.svc.cluster.local`). Routes are declared here; the traffic work acts on them.

import { z } from 'zod';
import { dnsSubdomain, namespaceField, portNumber, strictObject } from './fields.js';

const route = strictObject({
  name: z.string().min(1, { error: 'a route needs a name' }),
  condition: strictObject({
    method: z.string().regex(/^[A-Z]+$/, { error: 'write an HTTP method in capitals, e.g. GET' }).optional(),
    pathRegex: z.string().refine(validRegex, { error: 'is not a valid regular expression' }).optional(),
  }),
});

export const serviceProfileSchema = strictObject({
  apiVersion: z.literal('loom.io/v1alpha1'),
  kind: z.literal('ServiceProfile'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField }),
  spec: strictObject({
    routes: z.array(route).default([]),
    opaquePorts: z.array(portNumber).default([]),
  }),
});

export type ServiceProfileResource = z.output<typeof serviceProfileSchema>;

function validRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}
