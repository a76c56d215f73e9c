// RFC 4648 §5 base64url without padding: how early data rides in the upgrade URL (`?early=`,
// docs/bridge.md). Small inputs only (C0+C1, at most a few KB): built on btoa/atob.

/** Bytes to base64url, no padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.byteLength; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padding optional) to bytes; throws (atob's DOMException) on characters outside the alphabet. */
export function decodeBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
