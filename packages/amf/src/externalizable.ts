import type { ByteReader, ByteWriter } from '@rtmp-web/bytes';
import type { AmfValue } from './values';

/** What an externalizable codec reads from: the raw bytes and the surrounding AMF3 context. */
export interface ExternalizableInput {
  /** The input, positioned right after the class name / trait reference. */
  readonly bytes: ByteReader;
  /** Reads one AMF3 value with the enclosing reference tables (IDataInput.readObject). */
  readValue(): AmfValue;
}

/** What an externalizable codec writes to. */
export interface ExternalizableOutput {
  readonly bytes: ByteWriter;
  /** Writes one AMF3 value with the enclosing reference tables (IDataOutput.writeObject). */
  writeValue(value: AmfValue): void;
}

/**
 * The readExternal / writeExternal pair of one class (AMF3 §3.12: an externalizable object's
 * body is whatever the class writes, so only the class can read it back).
 */
export interface ExternalizableCodec {
  read(input: ExternalizableInput): AmfValue;
  write(output: ExternalizableOutput, data: AmfValue): void;
}

/** Both Flex collection wrappers write their source as one AMF3 value (ArrayList.writeExternal). */
const singleValue: ExternalizableCodec = {
  read: (input) => input.readValue(),
  write: (output, data) => output.writeValue(data),
};

/** Built-in codecs: the Flex/BlazeDS wrappers that real servers send. */
export const BUILT_IN_EXTERNALIZABLES: ReadonlyMap<string, ExternalizableCodec> = new Map([
  ['flex.messaging.io.ArrayCollection', singleValue],
  ['flex.messaging.io.ArrayList', singleValue],
  ['flex.messaging.io.ObjectProxy', singleValue],
]);

/** Class name to codec. Starts with the built-ins unless told otherwise; extend it with `register`. */
export class ExternalizableRegistry {
  private readonly codecs = new Map<string, ExternalizableCodec>();

  constructor(options: { builtIns?: boolean } = {}) {
    if (options.builtIns !== false) for (const [name, codec] of BUILT_IN_EXTERNALIZABLES) this.codecs.set(name, codec);
  }

  register(className: string, codec: ExternalizableCodec): this {
    this.codecs.set(className, codec);
    return this;
  }

  get(className: string): ExternalizableCodec | undefined {
    return this.codecs.get(className);
  }

  has(className: string): boolean {
    return this.codecs.has(className);
  }
}

/** Shared read-only default; a caller who wants more classes creates their own registry. */
export const defaultExternalizables = new ExternalizableRegistry();
