// How the identity service learns which service account a proxy runs as: a platform token, reviewed.
import type { ServiceAccountRef } from '../../identity/names.js';

/** The seam where Kubernetes TokenReview plugs in later; the local platform signs its own JWTs. */
export interface TokenReviewer {
  /** The service account the token proves, or a TokenRejectedError saying why it proves nothing. */
  review(token: Uint8Array): Promise<ServiceAccountRef>;
}

export class TokenRejectedError extends Error {
  readonly code = 'LOOM_ERR_TOKEN_REJECTED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenRejectedError';
  }
}
