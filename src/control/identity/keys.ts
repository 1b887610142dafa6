// Key and serial-number helpers shared by the trust roots and the issuer: keys live on disk as
// PKCS#8 PEM and are used through WebCrypto.
import { KeyObject, createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { EC_P256 } from '../../identity/x509.js';

/** 16 random bytes as hex, positive (high bit clear) and minimally encoded (first byte not zero). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f || 0x01;
  return bytes.toString('hex');
}

export function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Describes a key for error messages: "ec prime256v1", "rsa 2048 bits". */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  return key.asymmetricKeyType === 'ec' ? `ec ${d?.namedCurve ?? '?'}` : `${key.asymmetricKeyType ?? 'unknown'}${d?.modulusLength ? ` ${d.modulusLength} bits` : ''}`;
}

export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/**
 * A P-256 signing key from PEM (PKCS#8 or SEC1 "EC PRIVATE KEY", as openssl and step write them)
 * and its SPKI DER, to compare with a certificate's public key. Throws with the problem named.
 */
export async function importSigningKey(pem: string): Promise<{ key: CryptoKey; spkiDer: Buffer }> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch {
    throw new Error('not a PEM private key (PKCS#8 "PRIVATE KEY" or "EC PRIVATE KEY")');
  }
  if (!isP256(keyObject)) throw new Error(`the key is ${describeKey(keyObject)}; the mesh signs with ECDSA P-256 keys`);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign']);
  const spkiDer = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  return { key: key as CryptoKey, spkiDer };
}
