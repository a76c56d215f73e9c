/**
 * The 61 AMF vectors in ../shared/conformance/amf/ (rocketamf's spec fixtures, most written by
 * a real Flash Player). Each one is decoded to an exact expectation written here, then the
 * decoded value is encoded again and must give the very same bytes, except where noted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toHex } from '@rtmp-web/bytes';
import {
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  ExternalizableRegistry,
  decodeAmf0,
  decodeAmf3,
  encodeAmf0,
  encodeAmf3,
  type AmfDecodeOptions,
  type AmfEncodeOptions,
  type AmfObject,
  type AmfValue,
} from '../src/index';

const vectorsDir = new URL('../../../../shared/conformance/amf/', import.meta.url);

function load(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, vectorsDir)));
}

/** The class the Flash encoder registered as org.amf.ASClass: sealed members baz, foo. */
function asClass(foo: string): AmfTypedObject {
  return new AmfTypedObject('org.amf.ASClass', { baz: null, foo });
}

const arrayCollection = (source: AmfValue[]) => new AmfExternalizable('flex.messaging.io.ArrayCollection', source);

/** ExternalizableTest.writeExternal writes its two members as doubles (rocketamf spec/flash/ExternalizableTest.as). */
const externalizableTest = new ExternalizableRegistry().register('ExternalizableTest', {
  read: (input) => ({ one: input.bytes.f64(), two: input.bytes.f64() }),
  write: (output, data) => {
    const { one, two } = data as { one: number; two: number };
    output.bytes.f64(one).f64(two);
  },
});

interface Vector {
  format: 0 | 3;
  /** The one value the file holds. */
  expected: () => AmfValue;
  /** Identity facts (shared references) that structural equality cannot see. */
  identities?: (value: AmfValue) => void;
  decodeOptions?: AmfDecodeOptions;
  encodeOptions?: AmfEncodeOptions;
  /** Bytes expected from re-encoding, when they are not the file's own bytes; says why. */
  reencoded?: { bytes: (original: Uint8Array) => Uint8Array; why: string };
}

/**
 * Flash wrote its local time-zone offset in the AMF0 date's reserved field; the encoder writes
 * 0 there as AMF0 §2.13 asks, so only those two bytes differ.
 */
const zoneZeroed = {
  bytes: (original: Uint8Array) => {
    const copy = original.slice();
    copy.fill(0, copy.length - 2);
    return copy;
  },
  why: 'AMF0 date time zone: Flash wrote its local offset, the spec (and this encoder) write 0',
};

const at = (value: AmfValue, ...path: (string | number)[]): AmfValue =>
  path.reduce<AmfValue>((node, key) => (node as Record<string | number, AmfValue>)[key], value);

const vectors: Record<string, Vector> = {
  // ---- AMF0 ----
  'amf0-boolean.bin': { format: 0, expected: () => true },
  'amf0-complex-encoded-string.bin': {
    format: 0,
    expected: () => ({ shift: 'Shift テスト', utf: 'UTF テスト', zed: 5 }),
  },
  'amf0-date.bin': { format: 0, expected: () => new Date(Date.UTC(2020, 4, 30)), reencoded: zoneZeroed },
  'amf0-ecma-ordinal-array.bin': {
    format: 0,
    expected: () => new AmfEcmaArray([['0', 'a'], ['1', 'b'], ['2', 'c'], ['3', 'd']]),
  },
  'amf0-empty-string-key-hash.bin': {
    format: 0,
    // The member named "" is followed by a string marker, not by object-end.
    expected: () => new AmfEcmaArray([['c', 'd'], ['a', 'b'], ['', 'last']]),
  },
  'amf0-hash.bin': { format: 0, expected: () => new AmfEcmaArray([['a', 'b'], ['c', 'd']]) },
  'amf0-null.bin': { format: 0, expected: () => null },
  'amf0-number.bin': { format: 0, expected: () => 3.5 },
  'amf0-object.bin': { format: 0, expected: () => ({ bar: 3.14, foo: 'baz' }) },
  'amf0-ref-test.bin': {
    format: 0,
    expected: () => {
      const shared = { bar: 3.14, foo: 'baz' };
      return { '0': shared, '1': shared };
    },
    identities: (value) => expect(at(value, '1')).toBe(at(value, '0')),
    encodeOptions: { references: true },
  },
  'amf0-strict-array.bin': { format: 0, expected: () => ['a', 'b', 'c', 'd'] },
  'amf0-string.bin': { format: 0, expected: () => 'this is a テスト' },
  'amf0-time.bin': { format: 0, expected: () => new Date(Date.UTC(2003, 1, 13, 5)), reencoded: zoneZeroed },
  'amf0-typed-object.bin': { format: 0, expected: () => asClass('bar') },
  'amf0-undefined.bin': { format: 0, expected: () => undefined },
  'amf0-untyped-object.bin': { format: 0, expected: () => ({ baz: null, foo: 'bar' }) },
  'amf0-xml-doc.bin': { format: 0, expected: () => new AmfXmlDocument('<parent><child prop="test" /></parent>') },

  // ---- AMF3 ----
  'amf3-0.bin': { format: 3, expected: () => 0 },
  'amf3-array-collection.bin': { format: 3, expected: () => arrayCollection(['foo', 'bar']) },
  'amf3-array-ref.bin': {
    format: 3,
    expected: () => {
      const a = [1, 2, 3];
      const b = ['a', 'b', 'c'];
      return [a, b, a, b];
    },
    identities: (value) => {
      expect(at(value, 2)).toBe(at(value, 0));
      expect(at(value, 3)).toBe(at(value, 1));
    },
  },
  'amf3-associative-array.bin': {
    format: 3,
    // a[42] is beyond the dense length, so Flash sends it in the associative part as "42".
    expected: () => new AmfEcmaArray([['asdf', 'fdsa'], ['foo', 'bar'], ['42', 'bar']], ['bar1', 'bar2', 'bar3']),
  },
  'amf3-bigNum.bin': { format: 3, expected: () => 2 ** 1000 },
  'amf3-byte-array-ref.bin': {
    format: 3,
    expected: () => {
      const bytes = new TextEncoder().encode('ASDF');
      return [bytes, bytes];
    },
    identities: (value) => expect(at(value, 1)).toBe(at(value, 0)),
  },
  'amf3-byte-array.bin': {
    format: 3,
    expected: () => new Uint8Array([0x00, 0x03, ...new TextEncoder().encode('これtest'), 0x40]),
  },
  'amf3-complex-array-collection.bin': {
    format: 3,
    expected: () => {
      const a = arrayCollection(['foo', 'bar']);
      const b = arrayCollection([asClass('bar'), asClass('asdf')]);
      return [a, b, b];
    },
    identities: (value) => expect(at(value, 2)).toBe(at(value, 1)),
  },
  'amf3-complex-encoded-string-array.bin': { format: 3, expected: () => [5, 'Shift テスト', 'UTF テスト', 5] },
  'amf3-date-ref.bin': {
    format: 3,
    expected: () => {
      const date = new Date(0);
      return [date, date];
    },
    identities: (value) => expect(at(value, 1)).toBe(at(value, 0)),
  },
  'amf3-date.bin': { format: 3, expected: () => new Date(0) },
  'amf3-dictionary.bin': {
    format: 3,
    expected: () =>
      new AmfDictionary([
        ['bar', 'asdf1'],
        [asClass('baz'), 'asdf2'],
      ]),
  },
  'amf3-dynamic-object.bin': {
    format: 3,
    expected: () => ({ another_public_property: 'a_public_value', nil_property: null, property_one: 'foo' }),
  },
  'amf3-empty-array-ref.bin': {
    format: 3,
    expected: () => {
      const a: AmfValue[] = [];
      const b: AmfValue[] = [];
      return [a, b, a, b];
    },
    identities: (value) => {
      expect(at(value, 2)).toBe(at(value, 0));
      expect(at(value, 3)).toBe(at(value, 1));
      expect(at(value, 1)).not.toBe(at(value, 0));
    },
  },
  'amf3-empty-array.bin': { format: 3, expected: () => [] },
  'amf3-empty-dictionary.bin': { format: 3, expected: () => new AmfDictionary() },
  'amf3-empty-string-ref.bin': { format: 3, expected: () => ['', ''] },
  'amf3-encoded-string-ref.bin': { format: 3, expected: () => ['this is a テスト', 'this is a テスト'] },
  'amf3-externalizable.bin': {
    format: 3,
    expected: () => [
      new AmfExternalizable('ExternalizableTest', { one: 5, two: 7 }),
      new AmfExternalizable('ExternalizableTest', { one: 13, two: 5 }),
    ],
    decodeOptions: { externalizables: externalizableTest },
    encodeOptions: { externalizables: externalizableTest },
  },
  'amf3-false.bin': { format: 3, expected: () => false },
  'amf3-float.bin': { format: 3, expected: () => 3.5 },
  'amf3-graph-member.bin': {
    format: 3,
    expected: () => {
      const parent: AmfObject = {};
      const child1: AmfObject = { children: [], parent };
      const child2: AmfObject = { children: [], parent };
      parent.children = [child1, child2];
      parent.parent = null;
      return parent;
    },
    identities: (value) => {
      expect(at(value, 'children', 0, 'parent')).toBe(value);
      expect(at(value, 'children', 1, 'parent')).toBe(value);
    },
  },
  'amf3-hash.bin': { format: 3, expected: () => ({ answer: 42, foo: 'bar' }) },
  'amf3-large-max.bin': { format: 3, expected: () => 268435456 },
  'amf3-large-min.bin': { format: 3, expected: () => -268435457 },
  'amf3-max.bin': { format: 3, expected: () => 268435455 },
  'amf3-min.bin': { format: 3, expected: () => -268435456 },
  'amf3-mixed-array.bin': {
    format: 3,
    expected: () => {
      const h1 = { foo_one: 'bar_one' };
      const h2 = { foo_two: '' };
      const so1 = { foo_three: 42 };
      return [h1, h2, so1, {}, [h1, h2, so1], [], 42, '', [], '', {}, 'bar_one', so1];
    },
    identities: (value) => {
      expect(at(value, 4, 0)).toBe(at(value, 0));
      expect(at(value, 4, 1)).toBe(at(value, 1));
      expect(at(value, 4, 2)).toBe(at(value, 2));
      expect(at(value, 12)).toBe(at(value, 2));
      expect(at(value, 10)).not.toBe(at(value, 3));
    },
  },
  'amf3-null.bin': { format: 3, expected: () => null },
  'amf3-object-ref.bin': {
    format: 3,
    expected: () => {
      const obj1 = { foo: 'bar' };
      const obj2 = { foo: 'bar' };
      return [[obj1, obj2], 'bar', [obj1, obj2]];
    },
    identities: (value) => {
      expect(at(value, 2)).not.toBe(at(value, 0));
      expect(at(value, 2, 0)).toBe(at(value, 0, 0));
      expect(at(value, 2, 1)).toBe(at(value, 0, 1));
    },
  },
  'amf3-primitive-array.bin': { format: 3, expected: () => [1, 2, 3, 4, 5] },
  'amf3-string-ref.bin': { format: 3, expected: () => ['foo', 'str', 'foo', 'str', 'foo', { str: 'foo' }] },
  'amf3-string.bin': { format: 3, expected: () => 'String . String' },
  'amf3-symbol.bin': { format: 3, expected: () => 'foo' },
  'amf3-trait-ref.bin': { format: 3, expected: () => [asClass('foo'), asClass('bar')] },
  'amf3-true.bin': { format: 3, expected: () => true },
  'amf3-typed-object.bin': { format: 3, expected: () => asClass('bar') },
  'amf3-vector-double.bin': { format: 3, expected: () => new AmfVector('double', [4.3, -20.6]) },
  'amf3-vector-int.bin': { format: 3, expected: () => new AmfVector('int', [4, -20, 12]) },
  'amf3-vector-object.bin': {
    format: 3,
    expected: () => new AmfVector('object', [asClass('foo'), asClass('bar'), asClass('baz')], false, 'org.amf.ASClass'),
  },
  'amf3-vector-uint.bin': { format: 3, expected: () => new AmfVector('uint', [4, 20, 12]) },
  'amf3-xml-doc.bin': { format: 3, expected: () => new AmfXmlDocument('<parent><child prop="test" /></parent>') },
  'amf3-xml-ref.bin': {
    format: 3,
    expected: () => {
      const xml = new AmfXml('<parent><child prop="test"/></parent>');
      return [xml, xml];
    },
    identities: (value) => expect(at(value, 1)).toBe(at(value, 0)),
  },
  'amf3-xml.bin': { format: 3, expected: () => new AmfXml('<parent><child prop="test"/></parent>') },
};

describe('AMF conformance vectors', () => {
  it('covers every file in the vector folder, and only those', () => {
    const files = readdirSync(fileURLToPath(vectorsDir)).filter((name) => name.endsWith('.bin'));
    expect(files).toHaveLength(61);
    expect(Object.keys(vectors).sort()).toEqual(files.sort());
  });

  for (const [file, vector] of Object.entries(vectors)) {
    describe(file, () => {
      const decode = vector.format === 0 ? decodeAmf0 : decodeAmf3;
      const encode = vector.format === 0 ? encodeAmf0 : encodeAmf3;

      it('decodes to the exact expected value', () => {
        const values = decode(load(file), vector.decodeOptions);
        expect(values).toHaveLength(1);
        expect(values[0]).toStrictEqual(vector.expected());
        vector.identities?.(values[0]);
      });

      it(vector.reencoded ? `re-encodes (${vector.reencoded.why})` : 're-encodes to the same bytes', () => {
        const original = load(file);
        const [decoded] = decode(original, vector.decodeOptions);
        const wanted = vector.reencoded ? vector.reencoded.bytes(original) : original;
        expect(toHex(encode([decoded], vector.encodeOptions))).toBe(toHex(wanted));
        // The hand-built expectation (with the same sharing) encodes to the same bytes too.
        expect(toHex(encode([vector.expected()], vector.encodeOptions))).toBe(toHex(wanted));
      });
    });
  }

  it('keeps wire order of ECMA-array and dictionary entries', () => {
    const [hash] = decodeAmf0(load('amf0-empty-string-key-hash.bin'));
    expect([...(hash as AmfEcmaArray).entries.keys()]).toEqual(['c', 'a', '']);
    const [assoc] = decodeAmf3(load('amf3-associative-array.bin'));
    expect([...(assoc as AmfEcmaArray).entries.keys()]).toEqual(['asdf', 'foo', '42']);
    const [dictionary] = decodeAmf3(load('amf3-dictionary.bin'));
    expect([...(dictionary as AmfDictionary).entries.keys()][0]).toBe('bar');
  });

  it('refuses the externalizable vector without a codec for its class', () => {
    expect(() => decodeAmf3(load('amf3-externalizable.bin'))).toThrow(
      expect.objectContaining({ code: 'AMF_UNKNOWN_EXTERNALIZABLE', details: { className: 'ExternalizableTest' } }),
    );
  });
});
