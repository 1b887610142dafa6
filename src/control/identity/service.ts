// The Identity gRPC service: a proxy proves its service account with a token and gets a leaf
// certificate for that account's identity, for the key in its CSR.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { CertifyResponseSchema, Identity, type CertifyRequest, type CertifyResponse } from '../../api/gen/loom/identity/v1/identity_pb.js';
import { identityName, spiffeId, type ServiceAccountRef } from '../../identity/names.js';
import { CsrRejectedError } from './csr-check.js';
import type { CertificateIssuer } from './issuer.js';
import type { CertifyResult, IdentityMetrics } from './metrics.js';
import { TokenRejectedError, type TokenReviewer } from './token.js';

export const DEFAULT_ISSUANCE_LIFETIME_MS = 24 * 3_600_000;

export interface IdentityServiceOptions {
  issuer: CertificateIssuer;
  reviewer: TokenReviewer;
  trustDomain: string;
  /** How long issued leaves live (capped by the issuer's own expiry); 24h by default. */
  lifetimeMs?: number;
  metrics?: IdentityMetrics;
}

export function identityService({ issuer, reviewer, trustDomain, lifetimeMs = DEFAULT_ISSUANCE_LIFETIME_MS, metrics }: IdentityServiceOptions): ServiceImpl<typeof Identity> {
  async function certify(req: CertifyRequest): Promise<CertifyResponse> {
    let sa: ServiceAccountRef;
    try {
      sa = await reviewer.review(req.token);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw new ConnectError(`token rejected: ${err.message}`, Code.Unauthenticated, undefined, undefined, err);
      throw err;
    }
    const proven = identityName(sa, trustDomain);
    if (req.identity !== proven) throw new ConnectError(`token proves ${proven}, not ${req.identity || '(no identity asked for)'}`, Code.PermissionDenied);
    try {
      const issued = await issuer.issue({ csrDer: req.certificateSigningRequest, identity: proven, spiffe: spiffeId(sa, trustDomain), lifetimeMs });
      return create(CertifyResponseSchema, {
        leafCertificate: issued.leafDer,
        intermediateCertificates: issued.chainDer,
        validUntilUnixMs: BigInt(issued.validUntil.getTime()),
      });
    } catch (err) {
      if (err instanceof CsrRejectedError) throw new ConnectError(err.message, Code.InvalidArgument, undefined, undefined, err);
      throw err;
    }
  }

  return {
    async certify(req) {
      const end = metrics?.duration.startTimer();
      let result: CertifyResult = 'error';
      try {
        const res = await certify(req);
        result = 'issued';
        return res;
      } catch (err) {
        result = outcome(err);
        throw err;
      } finally {
        end?.();
        metrics?.certify.inc({ result });
      }
    },
  };
}

function outcome(err: unknown): CertifyResult {
  const code = err instanceof ConnectError ? err.code : undefined;
  if (code === Code.Unauthenticated) return 'unauthenticated';
  if (code === Code.PermissionDenied) return 'permission_denied';
  if (code === Code.InvalidArgument) return 'invalid_csr';
  return 'error';
}
