/**
 * The origin browsers send direct uploads to on S3 storage (the pages' CSP must allow it in
 * connect-src): the public endpoint if one is set, else the endpoint; the bucket as a subdomain
 * unless path-style; AWS's regional host when no endpoint is set. Framework- and SDK-free, for the proxy.
 */
export function bucketOrigin(s3: {
  bucket: string;
  region: string;
  endpoint?: string;
  publicEndpoint?: string;
  forcePathStyle?: boolean;
}): string {
  const endpoint = s3.publicEndpoint ?? s3.endpoint;
  if (!endpoint) return `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`;
  const url = new URL(endpoint);
  if (!s3.forcePathStyle) url.hostname = `${s3.bucket}.${url.hostname}`;
  return url.origin;
}
