/**
 * The client certificate of a mutual TLS request as API Gateway hands it to Lambda events
 * (`requestContext.authentication.clientCert` in payload 2.0, `requestContext.identity.clientCert`
 * in 1.0), to Lambda authorizers and to access logs (`$context.identity.clientCert.*`).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { X509Certificate } from 'node:crypto';

/** `clientCert` as AWS documents it. */
export interface ClientCertificate {
  readonly clientCertPem: string;
  readonly subjectDN: string;
  readonly issuerDN: string;
  readonly serialNumber: string;
  readonly validity: { readonly notBefore: string; readonly notAfter: string };
}

/**
 * A distinguished name in the certificate's order, `C=US,ST=Washington,...,CN=My Client`: the
 * form of the mutual TLS event in aws/aws-lambda-go events/testdata/apigw-v2-request-iam.json, also
 * quoted in aws/serverless-java-container#469 (Node prints one RDN a line, in that order).
 */
function distinguishedName(multiline: string): string {
  return multiline.split('\n').filter((rdn) => rdn !== '').join(',');
}

/**
 * The serial number as OpenSSL's X509_print writes it, which fits both of AWS's published samples:
 * decimal when it fits in a signed 64-bit integer (aws-lambda-go's testdata event shows `"1"` for
 * serial 1), else its bytes in lower-case hex joined by colons (the developer guide's
 * `"a1:a1:...:a1"` for a 16-byte serial, what CAs issue today).
 * TODO(parity): only these two samples of AWS's output are public; the boundary is OpenSSL's.
 */
export function formatSerialNumber(hex: string): string {
  const value = BigInt(`0x${hex || '0'}`);
  if (value <= 0x7fffffffffffffffn) return value.toString(10);
  const digits = value.toString(16);
  return (digits.length % 2 === 0 ? digits : `0${digits}`).match(/../g)?.join(':') ?? digits;
}

/** The `clientCert` of a verified peer certificate. Validity dates keep OpenSSL's `Aug  5 09:36:04 2021 GMT` form, as AWS's do. */
export function clientCertificateOf(cert: X509Certificate): ClientCertificate {
  return {
    clientCertPem: cert.toString(),
    subjectDN: distinguishedName(cert.subject),
    issuerDN: distinguishedName(cert.issuer),
    serialNumber: formatSerialNumber(cert.serialNumber),
    validity: { notBefore: cert.validFrom, notAfter: cert.validTo },
  };
}
