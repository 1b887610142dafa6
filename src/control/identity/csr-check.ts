// What the issuer accepts in a certificate signing request: a P-256 key the request proves it holds,
// and no names but the identity being certified (DNS SAN, optional SPIFFE URI SAN, CN).
import { createPublicKey } from 'node:crypto';
import { x509 } from '../../identity/x509.js';
import { describeKey, isP256 } from './keys.js';

export class CsrRejectedError extends Error {
  readonly code = 'LOOM_ERR_CSR_REJECTED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsrRejectedError';
  }
}

function list(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

/** The request's public key when the CSR asks for `identity` and nothing else; else CsrRejectedError. */
export async function checkCsr(csrDer: Uint8Array, identity: string, spiffe: string): Promise<x509.PublicKey> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(csrDer));
  } catch (err) {
    throw new CsrRejectedError('the certificate signing request is not a DER-encoded PKCS#10 request', { cause: err });
  }
  const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  if (!isP256(key)) throw new CsrRejectedError(`the CSR's key is ${describeKey(key)}; the mesh issues certificates for ECDSA P-256 keys only`);
  const signed = await csr.verify().catch(() => false);
  if (!signed) throw new CsrRejectedError('the CSR\'s signature does not verify: it was not signed by the key it carries');
  checkNames(csr, identity, spiffe);
  return csr.publicKey;
}

function checkNames(csr: x509.Pkcs10CertificateRequest, identity: string, spiffe: string): void {
  const sans = csr.getExtensions('2.5.29.17');
  if (sans.length !== 1) throw new CsrRejectedError(`the CSR must carry one subjectAltName extension naming ${identity}; it has ${sans.length}`);
  let names: readonly x509.GeneralName[];
  try {
    names = new x509.SubjectAlternativeNameExtension((sans[0] as x509.Extension).rawData).names.items;
  } catch (err) {
    throw new CsrRejectedError('the CSR\'s subjectAltName cannot be read', { cause: err });
  }
  const dns = names.filter((n) => n.type === 'dns').map((n) => n.value);
  const uris = names.filter((n) => n.type === 'url').map((n) => n.value);
  const others = names.filter((n) => n.type !== 'dns' && n.type !== 'url');
  if (!dns.includes(identity)) throw new CsrRejectedError(`the CSR asks for DNS names ${list(dns) || '(none)'}, not "${identity}"`);
  if (dns.length !== 1) throw new CsrRejectedError(`the CSR asks for other DNS names besides "${identity}": ${list(dns.filter((d) => d !== identity))}`);
  const badUris = uris.filter((u) => u !== spiffe);
  if (badUris.length > 0) throw new CsrRejectedError(`the CSR asks for URI names ${list(badUris)}; only "${spiffe}" is allowed`);
  if (others.length > 0) throw new CsrRejectedError(`the CSR asks for ${others.map((n) => `${n.type} name "${n.value}"`).join(', ')}; only the identity's DNS name and SPIFFE URI are allowed`);
  const cns = csr.subjectName.getField('CN').filter((cn) => cn !== identity);
  if (cns.length > 0) throw new CsrRejectedError(`the CSR's subject has common name ${list(cns)}; it may only be "${identity}"`);
}
