// Deployment (apps/v1): replicas of one container, labelled by the pod template so Services can
// select them. Exactly one container for now; `command` is optional here (Kubernetes runs the image's
// entrypoint) and required by the local platform, which checks it itself.

import { z } from 'zod';
import { annotationMap } from './annotations.js';
import {
  containerPortName,
  dnsLabel,
  dnsSubdomain,
  formatLabels,
  labelMap,
  namespaceField,
  portNumber,
  portNumberOrName,
  strictObject,
} from './fields.js';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const containerPortSchema = strictObject({ name: containerPortName.optional(), containerPort: portNumber });

const envVarSchema = strictObject({
  name: z.string().regex(ENV_NAME, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid variable name; use letters, digits, "_", "-" and ".", not starting with a digit`,
  }),
  value: z.string(),
});

const readinessProbeSchema = strictObject({
  httpGet: strictObject({
    path: z.string().startsWith('/', { error: (iss) => `${JSON.stringify(iss.input)} is not a path; start it with "/", e.g. /ready` }),
    port: portNumberOrName,
  }),
});

const containerSchema = strictObject({
  name: dnsLabel,
  image: z.string().optional(),
  command: z
    .array(z.string())
    .min(1, { error: 'is empty; write the program and its arguments, e.g. ["node", "server.js"]' })
    .refine((command) => command[0] !== '', { error: 'starts with an empty program name; write the program first' })
    .optional(),
  args: z.array(z.string()).default([]),
  env: z.array(envVarSchema).default([]),
  ports: z.array(containerPortSchema).default([]),
  readinessProbe: readinessProbeSchema.optional(),
});

const nonEmptyLabels = (what: string) =>
  labelMap.refine((labels) => Object.keys(labels).length > 0, { error: `is empty; add ${what}, e.g. app: web` });

export const deploymentSchema = strictObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField, labels: labelMap.optional() }),
  spec: strictObject({
    replicas: z
      .number()
      .int({ error: (iss) => `${JSON.stringify(iss.input)} is not a replica count; use a whole number, 0 or more` })
      .min(0, { error: (iss) => `${JSON.stringify(iss.input)} is not a replica count; use a whole number, 0 or more` })
      .default(1),
    selector: strictObject({ matchLabels: nonEmptyLabels('the labels that pick this Deployment\'s pods') }),
    template: strictObject({
      metadata: strictObject({ labels: nonEmptyLabels('labels that Services and the selector match'), annotations: annotationMap.optional() }),
      spec: strictObject({
        serviceAccountName: dnsSubdomain.default('default'),
        containers: z.tuple([containerSchema], {
          error: (iss) => {
            if (iss.code === 'too_small') return 'is empty; add one container with a name and a command';
            if (iss.code === 'too_big') {
              const count = Array.isArray(iss.input) ? iss.input.length : 'several';
              return `has ${count} containers; Loom supports exactly one container per Deployment for now: keep one`;
            }
            return undefined;
          },
        }),
      }),
    }),
  }),
}).superRefine(({ spec }, ctx) => {
  const { matchLabels } = spec.selector;
  const labels = spec.template.metadata.labels;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'selector', 'matchLabels', key],
        message: `${key}=${value} is not among the template labels (${formatLabels(labels)}); make spec.selector.matchLabels a subset of spec.template.metadata.labels`,
      });
    }
  }
  const [container] = spec.template.spec.containers;
  const containerPath = ['spec', 'template', 'spec', 'containers', 0];
  const names = new Set<string>();
  const numbers = new Set<number>();
  container.ports.forEach((port, i) => {
    if (port.name !== undefined && names.has(port.name)) {
      ctx.addIssue({ code: 'custom', path: [...containerPath, 'ports', i, 'name'], message: `port name "${port.name}" is used twice; give each port its own name` });
    }
    if (numbers.has(port.containerPort)) {
      ctx.addIssue({ code: 'custom', path: [...containerPath, 'ports', i, 'containerPort'], message: `port ${port.containerPort} is listed twice; list each port once` });
    }
    if (port.name !== undefined) names.add(port.name);
    numbers.add(port.containerPort);
  });
  const envNames = new Set<string>();
  container.env.forEach((variable, i) => {
    if (envNames.has(variable.name)) {
      ctx.addIssue({ code: 'custom', path: [...containerPath, 'env', i, 'name'], message: `${variable.name} is set twice; set it once` });
    }
    envNames.add(variable.name);
  });
  const probePort = container.readinessProbe?.httpGet.port;
  if (typeof probePort === 'string' && !names.has(probePort)) {
    ctx.addIssue({
      code: 'custom',
      path: [...containerPath, 'readinessProbe', 'httpGet', 'port'],
      message: `no container port is named "${probePort}"; name one of the container's ports "${probePort}" or use a number`,
    });
  }
});

export type DeploymentResource = z.output<typeof deploymentSchema>;
export type ContainerResource = DeploymentResource['spec']['template']['spec']['containers'][0];
