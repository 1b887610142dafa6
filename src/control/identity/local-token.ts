// The local platform's service-account tokens: ES256 JWTs that `loom up` signs for each replica and
// the controller verifies with the matching public key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import type { ServiceAccountRef } from '../../identity/names.js';
import { describeKey, isP256 } from './keys.js';
import { TokenRejectedError, type TokenReviewer } from './token.js';

export const LOCAL_TOKEN_ISSUER = 'loom-local';

export function localTokenAudience(trustDomain: string): string {
  return `identity.loom.${trustDomain}`;
}

const SUBJECT = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/** A P-256 key pair for signing tokens, as PKCS#8 and SPKI PEM. */
export function generateTokenKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function p256(read: () => KeyObject, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = read();
  } catch (err) {
    throw new Error(`not a PEM ${what}`, { cause: err });
  }
  if (!isP256(key)) throw new Error(`the key is ${describeKey(key)}; tokens are signed with ECDSA P-256 (ES256)`);
  return key;
}

export class LocalTokenSigner {
  private readonly key: KeyObject;

  /** Throws when `privateKeyPem` is not a P-256 private key. */
  constructor(privateKeyPem: string, private readonly trustDomain: string) {
    this.key = p256(() => createPrivateKey(privateKeyPem), 'private key (PKCS#8)');
  }

  /** The SPKI PEM a LocalTokenReviewer verifies this signer's tokens with. */
  get publicKeyPem(): string {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }) as string;
  }

  sign(sa: ServiceAccountRef, lifetimeMs: number, now = new Date()): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(LOCAL_TOKEN_ISSUER)
      .setAudience(localTokenAudience(this.trustDomain))
      .setSubject(`system:serviceaccount:${sa.namespace}:${sa.serviceAccount}`)
      .setIssuedAt(now)
      .setExpirationTime(new Date(now.getTime() + lifetimeMs))
      .sign(this.key);
  }
}

export class LocalTokenReviewer implements TokenReviewer {
  private readonly key: KeyObject;

  /** Throws when `publicKeyPem` is not a P-256 public key. */
  constructor(publicKeyPem: string, private readonly trustDomain: string) {
    this.key = p256(() => createPublicKey(publicKeyPem), 'public key (SPKI "PUBLIC KEY")');
  }

  async review(token: Uint8Array): Promise<ServiceAccountRef> {
    let sub: string | undefined;
    try {
      ({ payload: { sub } } = await jwtVerify(new TextDecoder().decode(token), this.key, {
        algorithms: ['ES256'],
        issuer: LOCAL_TOKEN_ISSUER,
        audience: localTokenAudience(this.trustDomain),
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      throw new TokenRejectedError(reason(err, localTokenAudience(this.trustDomain)), { cause: err });
    }
    const m = SUBJECT.exec(sub ?? '');
    if (!m) throw new TokenRejectedError(`the token's subject "${sub ?? ''}" is not system:serviceaccount:<namespace>:<name>`);
    return { namespace: m[1] as string, serviceAccount: m[3] as string };
  }
}

function reason(err: unknown, audience: string): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss' && err.reason === 'check_failed') return `the token's issuer is not "${LOCAL_TOKEN_ISSUER}"`;
    if (err.claim === 'aud' && err.reason === 'check_failed') return `the token's audience is not "${audience}"`;
    return `the token's "${err.claim}" claim is not valid (${err.message})`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token\'s signature does not verify: it was not signed by this mesh\'s token key';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with ES256';
  return `the token is not a valid JWT (${(err as Error).message})`;
}
