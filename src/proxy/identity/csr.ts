// The proxy's certificate signing request (PKCS#10, RFC 2986), encoded here with node:crypto so the
// proxy does not load an X.509 library: subject CN and SAN are the identity's DNS name plus, when
// the name carries a trust domain, its SPIFFE URI; signed ECDSA P-256 with SHA-256.
import { sign, type KeyObject } from 'node:crypto';
import { parseIdentityName, spiffeId } from '../../identity/names.js';
import { bitString, contextTag, ia5, objectId, octetString, sequence, set, smallInteger, utf8 } from './der.js';

const OID_COMMON_NAME = '2.5.4.3';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export function createCsr(privateKey: KeyObject, publicKey: KeyObject, identity: string): Uint8Array {
  const names = [contextTag(2, ia5(identity))]; // dNSName
  const parsed = parseIdentityName(identity);
  if (parsed) names.push(contextTag(6, ia5(spiffeId(parsed, parsed.trustDomain)))); // uniformResourceIdentifier
  const subject = sequence(set(sequence(objectId(OID_COMMON_NAME), utf8(identity))));
  const san = sequence(objectId(OID_SUBJECT_ALT_NAME), octetString(sequence(...names)));
  const extensionRequest = sequence(objectId(OID_EXTENSION_REQUEST), set(sequence(san)));
  const info = sequence(
    smallInteger(0),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    contextTag(0, set(extensionRequest), true), // attributes [0] IMPLICIT SET OF Attribute
  );
  const signature = sign('sha256', info, privateKey); // DER-encoded ECDSA signature
  return sequence(info, sequence(objectId(OID_ECDSA_WITH_SHA256)), bitString(signature));
}
