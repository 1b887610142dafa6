// Names why a TLS handshake failed, for the `reason` metric label and the LOOM_ERR_TLS error code;
// undefined for failures that are not about TLS (refused, reset before the handshake ...).

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

export type TlsFailureReason = 'identity_mismatch' | 'untrusted' | 'expired' | 'not_yet_valid' | 'no_client_certificate' | 'handshake';

export function tlsFailureReason(err: unknown): TlsFailureReason | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'LOOM_ERR_TLS_IDENTITY') return 'identity_mismatch';
  if (code === 'CERT_HAS_EXPIRED' || /certificate expired/.test(err.message)) return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not_yet_valid';
  if (UNTRUSTED.has(code) || /unknown ca|bad certificate|certificate verify failed/.test(err.message)) return 'untrusted';
  if (/peer did not return a certificate|certificate required/.test(err.message)) return 'no_client_certificate';
  if (code.startsWith('ERR_SSL_') || /SSL routines|handshake/.test(err.message)) return 'handshake';
  return undefined;
}
