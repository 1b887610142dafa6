// Service (v1): a stable name and ports in front of the Deployments whose template labels match its
// selector. appProtocol tells the proxies how to treat the port's traffic.

import { z } from 'zod';
import { labelMap, namespaceField, portNumber, portNumberOrName, serviceName, servicePortName, strictObject } from './fields.js';

export const APP_PROTOCOLS = ['http', 'grpc', 'tcp', 'opaque'] as const;
export type AppProtocol = (typeof APP_PROTOCOLS)[number];

const servicePortSchema = strictObject({
  name: servicePortName.optional(),
  port: portNumber,
  /** Defaults to `port`, as in Kubernetes. */
  targetPort: portNumberOrName.optional(),
  protocol: z
    .literal('TCP', { error: (iss) => `${JSON.stringify(iss.input)} is not supported; Loom carries TCP only: write TCP or remove protocol` })
    .default('TCP'),
  appProtocol: z.enum(APP_PROTOCOLS).default('http'),
}).transform(({ name, port, targetPort, protocol, appProtocol }) => ({
  ...(name !== undefined && { name }),
  port,
  targetPort: targetPort ?? port,
  protocol,
  appProtocol,
}));

export const serviceSchema = strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: strictObject({ name: serviceName, namespace: namespaceField, labels: labelMap.optional() }),
  spec: strictObject({
    selector: labelMap.refine((selector) => Object.keys(selector).length > 0, {
      error: 'is empty; add the template labels of the Deployment this Service sends traffic to, e.g. app: web',
    }),
    ports: z.array(servicePortSchema).min(1, { error: 'is empty; add a port, e.g. - port: 80' }),
  }),
}).superRefine(({ spec: { ports } }, ctx) => {
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((port, i) => {
    const path = ['spec', 'ports', i];
    if (port.name === undefined && ports.length > 1) {
      ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: 'is required when a Service has more than one port; add name: <port name>' });
    }
    if (port.name !== undefined && names.has(port.name)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `port name "${port.name}" is used twice; give each port its own name` });
    }
    if (numbers.has(port.port)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'port'], message: `port ${port.port} is listed twice; list each port once` });
    }
    if (port.name !== undefined) names.add(port.name);
    numbers.add(port.port);
  });
});

export type ServiceResource = z.output<typeof serviceSchema>;
export type ServicePort = ServiceResource['spec']['ports'][number];
