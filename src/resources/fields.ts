// Field schemas shared by the resource kinds: Kubernetes names, labels and ports, and strict objects
// whose unknown-field errors list the fields that are allowed. Messages say what is wrong and what to
// write instead; see issues.ts for the ones zod's generic issues turn into.

import { z } from 'zod';

/** Marks the message of an unknown-field issue; issues.ts splits it into one problem per field. */
export const ALLOWED_FIELDS_PREFIX = 'allowed fields: ';

/** An object that rejects unknown fields, naming the allowed ones. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = ALLOWED_FIELDS_PREFIX + Object.keys(shape).join(', ');
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? allowed : undefined) });
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// IANA service names, as Kubernetes requires for container port names.
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function patterned(pattern: RegExp, maxLength: number, what: string, rule: string) {
  const error = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not a valid ${what}; use ${rule}`;
  return z.string().max(maxLength, { error }).regex(pattern, { error });
}

const LABEL_RULE = 'at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';

/** RFC 1123 label: namespace and container names. */
export const dnsLabel = patterned(DNS_1123_LABEL, 63, 'name', LABEL_RULE);

/** RFC 1035 label: Service names, which become host names. */
export const serviceName = patterned(
  DNS_1035_LABEL,
  63,
  'Service name',
  'at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
);

/** RFC 1123 subdomain: Deployment and ServiceAccount names. */
export const dnsSubdomain = patterned(
  DNS_1123_SUBDOMAIN,
  253,
  'name',
  'lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
);

/** Service port names. */
export const servicePortName = patterned(DNS_1123_LABEL, 63, 'port name', LABEL_RULE);

/** Container port names (IANA service names). */
export const containerPortName = patterned(
  PORT_NAME,
  15,
  'port name',
  'at most 15 lowercase letters, digits and "-", with at least one letter, e.g. "http"',
);

export const namespaceField = dnsLabel.default('default');

/** Label and annotation keys (Kubernetes qualified names): an optional DNS prefix and "/", then a name. */
export function qualifiedKey(what: 'label' | 'annotation') {
  return z.string().refine(isLabelKey, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid ${what} key; use an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" and "."`,
  });
}

const labelKey = qualifiedKey('label');

const labelValue = patterned(
  LABEL_VALUE,
  63,
  'label value',
  'at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
);

/** Labels, and label selectors, as `key: value` maps. */
export const labelMap = z.record(labelKey, labelValue);

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return prefix === undefined || (prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix));
}

const portRule = (iss: { input?: unknown }) =>
  `${JSON.stringify(iss.input)} is not a port number; use a whole number from 1 to 65535`;

/** A TCP port number. */
export const portNumber = z.number().int({ error: portRule }).min(1, { error: portRule }).max(65535, { error: portRule });

/** A port given as a number or as the name of a container port, like Kubernetes' IntOrString. */
export const portNumberOrName = z
  .union([z.number(), z.string()], { error: 'expected a port number or a port name; write e.g. 8080 or http' })
  .superRefine((value, ctx) => {
    const checked = (typeof value === 'number' ? portNumber : containerPortName).safeParse(value);
    for (const issue of checked.error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, input: value });
  });

/** Whether labels carry every `key: value` of a selector (an empty selector matches nothing). */
export function matchesSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}

/** Renders `app=web,version=v1` for messages. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
