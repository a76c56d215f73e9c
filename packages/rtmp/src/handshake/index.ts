export { ClientHandshake } from './client-handshake';
export type { ClientHandshakeOptions, ClientHandshakeStep } from './client-handshake';
export { ServerHandshake } from './server-handshake';
export type { ServerHandshakeOptions, ServerHandshakeStep } from './server-handshake';
export type { DigestLayout } from './digest';
export { enableHandshakeWithoutWebCrypto } from './digest';
