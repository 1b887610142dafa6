// Builds certificate signing requests for the identity tests: any key, any names.
import { webcrypto } from 'node:crypto';
import { EC_P256, generateKeyPair, x509 } from '../../identity/x509.js';

export interface CsrSpec {
  dns?: string[];
  uris?: string[];
  ips?: string[];
  cn?: string;
  /** P-256 unless given: RSA or P-384 to test refusals. */
  keys?: CryptoKeyPair;
  signingAlgorithm?: Algorithm | EcdsaParams;
}

export async function makeCsr(spec: CsrSpec): Promise<{ der: Uint8Array; keys: CryptoKeyPair }> {
  const keys = spec.keys ?? (await generateKeyPair());
  const names = [
    ...(spec.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: spec.cn === undefined ? [] : [{ CN: [spec.cn] }],
    keys,
    signingAlgorithm: spec.signingAlgorithm ?? EC_P256,
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return { der: new Uint8Array(csr.rawData), keys };
}

export function p384Keys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export function rsaKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>;
}
