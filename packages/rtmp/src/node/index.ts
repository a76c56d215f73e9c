export { TcpTransport } from './tcp-transport';
export type { TcpTransportOptions } from './tcp-transport';
