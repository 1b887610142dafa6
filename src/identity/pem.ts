// PEM bundles: split into blocks, and DER to PEM for certificates.
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Every PEM block in `text`, in order, each ending with a newline. */
export function pemBlocks(text: string, label = 'CERTIFICATE'): string[] {
  return [...text.matchAll(BLOCK)].filter((m) => m[1] === label).map((m) => `${m[0]}\n`);
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}
