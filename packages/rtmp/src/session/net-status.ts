import { AmfEcmaArray, AmfTypedObject } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';

/**
 * NetConnection onStatus / `_result` / `_error` info codes (RTMP 1.0 §7.2.1.1, and the codes
 * real servers send, see RTMP-NOTES "Commands"). The `(string & {})` arm keeps autocompletion
 * for the known codes while accepting whatever a server invents.
 */
export type NetConnectionStatusCode =
  | 'NetConnection.Connect.Success'
  | 'NetConnection.Connect.Rejected'
  | 'NetConnection.Connect.Failed'
  | 'NetConnection.Connect.Closed'
  | 'NetConnection.Connect.AppShutdown'
  | 'NetConnection.Connect.InvalidApp'
  | 'NetConnection.Connect.ReconnectRequest'
  | 'NetConnection.Call.Failed'
  | (string & {});

/** NetStream onStatus info codes (RTMP 1.0 §7.2.2, and de facto ones). */
export type NetStreamStatusCode =
  | 'NetStream.Play.Start'
  | 'NetStream.Play.Reset'
  | 'NetStream.Play.Stop'
  | 'NetStream.Play.Complete'
  | 'NetStream.Play.StreamNotFound'
  | 'NetStream.Play.Failed'
  | 'NetStream.Play.PublishNotify'
  | 'NetStream.Play.UnpublishNotify'
  | 'NetStream.Play.InsufficientBW'
  | 'NetStream.Play.Transition'
  | 'NetStream.Publish.Start'
  | 'NetStream.Publish.BadName'
  | 'NetStream.Seek.Notify'
  | 'NetStream.Seek.Failed'
  | 'NetStream.Pause.Notify'
  | 'NetStream.Unpause.Notify'
  | 'NetStream.Data.Start'
  | (string & {});

/** An info object as servers send it: level, code and description, plus whatever else they add. */
export interface NetStatusInfo<Code extends string = string> {
  level: 'status' | 'error' | 'warning' | (string & {});
  code: Code;
  description: string;
  /** Every property of the info object, including the three above, as decoded. */
  raw: Record<string, AmfValue>;
}

export type NetConnectionStatus = NetStatusInfo<NetConnectionStatusCode>;
export type NetStreamStatus = NetStatusInfo<NetStreamStatusCode>;

/** The named properties of an object-like AMF value (plain, ECMA array or typed object). */
export function propertiesOf(value: AmfValue | undefined): Array<[string, AmfValue]> {
  if (value instanceof AmfEcmaArray) return [...value.entries];
  if (value instanceof AmfTypedObject) return Object.entries(value.properties);
  // Only plain objects (prototype Object.prototype or null): arrays, dates and byte arrays are not.
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) return Object.entries(value as Record<string, AmfValue>);
  }
  return [];
}

/**
 * Normalises an info object. Servers disagree on details (nginx puts `description` everywhere,
 * some omit it, AMF3 peers may send typed or ECMA-array objects), so missing fields become ''.
 */
export function toStatusInfo<Code extends string>(value: AmfValue | undefined): NetStatusInfo<Code> {
  const raw: Record<string, AmfValue> = {};
  for (const [key, entry] of propertiesOf(value)) raw[key] = entry;
  const text = (key: string): string => {
    const entry = raw[key];
    return typeof entry === 'string' ? entry : entry === undefined || entry === null ? '' : String(entry);
  };
  return { level: text('level'), code: text('code') as Code, description: text('description'), raw };
}
