import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, fromHex, toHex } from '@rtmp-web/bytes';
import {
  Amf3Reader,
  Amf3Writer,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  ExternalizableRegistry,
  amf3Codec,
  decodeAmf0,
  decodeAmf3,
  encodeAmf3,
  readAmf3Value,
  writeAmf3Value,
  type AmfDecodeOptions,
  type AmfEncodeOptions,
  type AmfObject,
  type AmfValue,
} from '../src/index';
import { expectAmfError, expectEveryPrefixTruncated } from './helpers';

interface Fixture {
  name: string;
  hex: string;
  value: () => AmfValue;
  encode?: AmfEncodeOptions;
  decode?: AmfDecodeOptions;
  reencodedHex?: string;
}

const foo = (properties: AmfObject) => new AmfTypedObject('Foo', properties);

/** One fixture per AMF3 marker (AMF3 §3.2 - §3.16), plus the U29 boundaries and reference forms. */
const fixtures: Fixture[] = [
  { name: 'undefined 0x00', hex: `00`, value: () => undefined },
  { name: 'null 0x01', hex: `01`, value: () => null },
  { name: 'false 0x02', hex: `02`, value: () => false },
  { name: 'true 0x03', hex: `03`, value: () => true },
  { name: 'integer 0x04: 0', hex: `04 00`, value: () => 0 },
  { name: 'integer: 127, the largest 1-byte U29', hex: `04 7f`, value: () => 127 },
  { name: 'integer: 128 needs 2 bytes', hex: `04 81 00`, value: () => 128 },
  { name: 'integer: 16383, the largest 2-byte U29', hex: `04 ff 7f`, value: () => 16383 },
  { name: 'integer: 16384 needs 3 bytes', hex: `04 81 80 00`, value: () => 16384 },
  { name: 'integer: 2097151, the largest 3-byte U29', hex: `04 ff ff 7f`, value: () => 2097151 },
  {
    name: 'integer: 2097152 needs 4 bytes (the 4th carries 8 bits)',
    hex: `04 80 c0 80 00`,
    value: () => 2097152,
  },
  { name: 'integer: -1 (29-bit two’s complement)', hex: `04 ff ff ff ff`, value: () => -1 },
  { name: 'integer: 2^28-1, the maximum', hex: `04 bf ff ff ff`, value: () => 0x0fffffff },
  { name: 'integer: -2^28, the minimum', hex: `04 c0 80 80 00`, value: () => -0x10000000 },
  { name: 'double 0x05', hex: `05 3ff8000000000000   # 1.5`, value: () => 1.5 },
  { name: 'double: -0 stays a double', hex: `05 8000000000000000`, value: () => -0 },
  { name: 'double: 2^28 is past the integer range', hex: `05 41b0000000000000`, value: () => 2 ** 28 },
  {
    name: 'double holding an integer (re-encoded with the integer marker)',
    hex: `05 3ff0000000000000`,
    value: () => 1,
    reencodedHex: `04 01`,
  },
  {
    name: 'string 0x06',
    hex: `06 0b 68656c6c6f    # U29S: length 5 << 1 | 1 (inline), "hello"`,
    value: () => 'hello',
  },
  { name: 'empty string', hex: `06 01`, value: () => '' },
  {
    name: 'string references; "" is never referenced',
    hex: `09 07 01            # array, 3 dense items, no associative part
          06 05 6162         # "ab" (string table index 0)
          06 00              # reference to string 0
          06 01              # "" inline again`,
    value: () => ['ab', 'ab', ''],
  },
  { name: 'XMLDocument 0x07', hex: `07 09 3c612f3e     # "<a/>"`, value: () => new AmfXmlDocument('<a/>') },
  {
    name: 'date 0x08',
    hex: `08 01               # U29D: inline, no other bits
          4277262e0d000000    # 2020-05-30T00:00:00Z in ms`,
    value: () => new Date(Date.UTC(2020, 4, 30)),
  },
  {
    name: 'array 0x09, dense only',
    hex: `09 05 01            # 2 dense items, empty associative part
          04 01 06 03 61      # 1, "a"`,
    value: () => [1, 'a'],
  },
  {
    name: 'array with an associative part',
    hex: `09 03               # 1 dense item
          03 6b 03            # "k": true
          01                  # end of associative part
          02                  # dense[0]: false`,
    value: () => new AmfEcmaArray([['k', true]], [false]),
  },
  {
    name: 'object 0x0A, anonymous dynamic',
    hex: `0a 0b 01            # U29O-traits: inline, dynamic, 0 sealed; class name ""
          03 61 04 01         # a: 1
          01                  # end of dynamic members`,
    value: () => ({ a: 1 }),
  },
  {
    name: 'object, sealed typed',
    hex: `0a 13 07 466f6f     # 1 sealed member, not dynamic; class "Foo"
          03 78               # member name "x"
          04 02               # x: 2`,
    value: () => foo({ x: 2 }),
  },
  {
    name: 'object, typed with sealed and dynamic members',
    hex: `0a 1b 07 466f6f 03 78   # 1 sealed member, dynamic; "Foo"; "x"
          04 02                   # x: 2
          03 79 04 03 01          # dynamic y: 3, end`,
    value: () => new AmfTypedObject('Foo', { x: 2, y: 3 }, { sealedMembers: ['x'], dynamic: true }),
  },
  {
    name: 'object, anonymous but sealed (kept as a typed object with class "")',
    hex: `0a 13 01 03 78 04 02`,
    value: () => new AmfTypedObject('', { x: 2 }),
  },
  {
    name: 'trait and object references',
    hex: `09 07 01                        # array of 3 (object 0)
          0a 13 07 466f6f 03 78 04 01     # Foo {x: 1} (object 1, traits 0)
          0a 01 04 02                     # traits reference 0: Foo {x: 2} (object 2)
          0a 02                           # object reference 1`,
    value: () => {
      const first = foo({ x: 1 });
      return [first, foo({ x: 2 }), first];
    },
  },
  {
    name: 'externalizable flex.messaging.io.ObjectProxy (built in)',
    hex: `0a 07                           # U29O-traits-ext
          3b 666c65782e6d6573736167696e672e696f2e4f626a65637450726f7879  # class name
          0a 0b 01 03 61 04 01 01         # its one value: {a: 1}`,
    value: () => new AmfExternalizable('flex.messaging.io.ObjectProxy', { a: 1 }),
  },
  { name: 'XML 0x0B', hex: `0b 09 3c612f3e`, value: () => new AmfXml('<a/>') },
  { name: 'ByteArray 0x0C', hex: `0c 07 010203      # 3 bytes`, value: () => new Uint8Array([1, 2, 3]) },
  {
    name: 'Vector.<int> 0x0D, fixed',
    hex: `0d 03 01 ffffffff   # 1 item, fixed; -1 as i32`,
    value: () => new AmfVector('int', [-1], true),
  },
  { name: 'Vector.<uint> 0x0E', hex: `0e 03 00 ffffffff`, value: () => new AmfVector('uint', [0xffffffff]) },
  { name: 'Vector.<Number> 0x0F', hex: `0f 03 00 3ff0000000000000`, value: () => new AmfVector('double', [1]) },
  {
    name: 'Vector.<Object> 0x10',
    hex: `10 05 00            # 2 items, not fixed
          01                  # object type name ""
          04 01 06 03 61      # 1, "a"`,
    value: () => new AmfVector('object', [1, 'a']),
  },
  {
    name: 'Dictionary 0x11 with weak keys',
    hex: `11 03 01            # 1 entry, weak keys
          04 01 06 03 61      # 1 -> "a"`,
    value: () => new AmfDictionary([[1, 'a']], true),
  },
  { name: 'empty Dictionary', hex: `11 01 00`, value: () => new AmfDictionary() },
];

describe('AMF3 fixtures', () => {
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const bytes = fromHex(fixture.hex);

      it('decodes to the exact value', () => {
        expect(decodeAmf3(bytes, fixture.decode)).toStrictEqual([fixture.value()]);
      });

      it('encodes back to the exact bytes', () => {
        const wanted = fixture.reencodedHex ? fromHex(fixture.reencodedHex) : bytes;
        expect(toHex(encodeAmf3([fixture.value()], fixture.encode))).toBe(toHex(wanted));
      });

      it('fails every truncated prefix with AMF_TRUNCATED', () => {
        expectEveryPrefixTruncated(bytes, (reader) => readAmf3Value(reader, fixture.decode));
      });
    });
  }
});

describe('AMF3 references and graphs', () => {
  it('decodes a self-referencing object and writes the cycle back as a reference', () => {
    const bytes = fromHex(`0a 0b 01 09 73656c66 0a 00 01   # {self: <object 0>}`);
    const [value] = decodeAmf3(bytes) as [AmfObject];
    expect(value.self).toBe(value);
    expect(toHex(encodeAmf3([value]))).toBe(toHex(bytes));
  });

  it('shares one context across the values of one reader or writer', () => {
    const writer = new ByteWriter();
    const amf3 = new Amf3Writer();
    const shared = { a: 1 };
    amf3.writeValue(writer, 'name');
    amf3.writeValue(writer, shared);
    amf3.writeValue(writer, 'name');
    amf3.writeValue(writer, shared);
    const bytes = writer.finish();
    expect(toHex(bytes)).toBe(toHex(fromHex(`06 09 6e616d65   0a 0b 01 03 61 04 01 01   06 00   0a 00`)));
    const reader = new ByteReader(bytes);
    const amf3Reader = new Amf3Reader();
    const values = [0, 1, 2, 3].map(() => amf3Reader.readValue(reader));
    expect(values[3]).toBe(values[1]);
    expect(values).toStrictEqual(['name', { a: 1 }, 'name', { a: 1 }]);
    // A fresh context cannot resolve the reference.
    expectAmfError(() => readAmf3Value(new ByteReader(bytes, bytes.length - 2)), 'AMF_BAD_REFERENCE');
  });

  it('writes a new trait record when the sealed members differ', () => {
    const bytes = encodeAmf3([[foo({ x: 1 }), foo({ y: 1 })]]);
    expect(toHex(bytes)).toBe(toHex(fromHex(`09 05 01   0a 13 07 466f6f 03 78 04 01   0a 13 00 03 79 04 01`)));
  });

  it('writes undefined for a sealed member the properties lack', () => {
    const value = new AmfTypedObject('Foo', {}, { sealedMembers: ['x'] });
    expect(toHex(encodeAmf3([value]))).toBe(toHex(fromHex(`0a 13 07 466f6f 03 78 00`)));
  });

  it('writeAmf3Value writes one value with a fresh context', () => {
    const writer = new ByteWriter();
    writeAmf3Value(writer, 'ab');
    writeAmf3Value(writer, 'ab');
    expect(toHex(writer.finish())).toBe('0605616206056162');
  });
});

describe('AMF3 numbers', () => {
  it('writes integers in range with the integer marker and everything else as a double', () => {
    const bytes = encodeAmf3([1, 1.5, -0, 2 ** 28, -(2 ** 28), -(2 ** 28) - 1, NaN, Infinity]);
    expect(toHex(bytes)).toBe(
      toHex(
        fromHex(`04 01
                 05 3ff8000000000000
                 05 8000000000000000
                 05 41b0000000000000
                 04 c0808000
                 05 c1b0000001000000
                 05 7ff8000000000000
                 05 7ff0000000000000`),
      ),
    );
    expect(decodeAmf3(bytes)).toStrictEqual([1, 1.5, -0, 2 ** 28, -(2 ** 28), -(2 ** 28) - 1, NaN, Infinity]);
  });

  it('AmfInteger forces the integer marker and refuses what does not fit', () => {
    expect(toHex(encodeAmf3([new AmfInteger(-5)]))).toBe('04fffffffb');
    expectAmfError(() => encodeAmf3([new AmfInteger(2 ** 28)]), 'AMF_UNENCODABLE');
    expectAmfError(() => encodeAmf3([new AmfInteger(1.5)]), 'AMF_UNENCODABLE');
  });
});

describe('AMF3 externalizable classes', () => {
  it('reads and writes a class through a user codec, with the enclosing reference tables', () => {
    const registry = new ExternalizableRegistry().register('Point', {
      read: (input) => ({ x: input.bytes.i32(), label: input.readValue() }),
      write: (output, data) => {
        const point = data as { x: number; label: AmfValue };
        output.bytes.i32(point.x);
        output.writeValue(point.label);
      },
    });
    const bytes = fromHex(`09 05 01                 # array of 2
                           06 03 70                 # "p" (string 0)
                           0a 07 0b 506f696e74      # externalizable "Point" (string 1)
                           00000007                 # x: 7
                           06 00                    # label: reference to string 0`);
    const values = decodeAmf3(bytes, { externalizables: registry });
    expect(values).toStrictEqual([['p', new AmfExternalizable('Point', { x: 7, label: 'p' })]]);
    expect(toHex(encodeAmf3(values, { externalizables: registry }))).toBe(toHex(bytes));
  });

  it('a registry without built-ins does not know ArrayCollection', () => {
    const bytes = encodeAmf3([new AmfExternalizable('flex.messaging.io.ArrayCollection', [])]);
    expect(decodeAmf3(bytes)).toStrictEqual([new AmfExternalizable('flex.messaging.io.ArrayCollection', [])]);
    const bare = new ExternalizableRegistry({ builtIns: false });
    expect(bare.has('flex.messaging.io.ArrayCollection')).toBe(false);
    expectAmfError(() => decodeAmf3(bytes, { externalizables: bare }), 'AMF_UNKNOWN_EXTERNALIZABLE');
    expectAmfError(() => encodeAmf3([new AmfExternalizable('Nope', 1)]), 'AMF_UNKNOWN_EXTERNALIZABLE');
  });

  it('turns codec failures into AmfErrors', () => {
    const throwing = new ExternalizableRegistry().register('Bad', {
      read: () => {
        throw new Error('boom');
      },
      write: () => {
        throw new TypeError('boom');
      },
    });
    const bytes = fromHex(`0a 07 07 426164`);
    const error = expectAmfError(() => decodeAmf3(bytes, { externalizables: throwing }), 'AMF_EXTERNALIZABLE_FAILED');
    expect((error.cause as Error).message).toBe('boom');
    expectAmfError(() => encodeAmf3([new AmfExternalizable('Bad', 1)], { externalizables: throwing }), 'AMF_EXTERNALIZABLE_FAILED');
    const greedy = new ExternalizableRegistry().register('Bad', { read: (input) => input.bytes.f64(), write: () => {} });
    expectAmfError(() => decodeAmf3(bytes, { externalizables: greedy }), 'AMF_TRUNCATED');
  });
});

describe('AMF3 malformed input', () => {
  const cases: [string, string, string][] = [
    ['unknown marker 0x12', '12', 'AMF_UNKNOWN_MARKER'],
    ['unknown marker 0xff', 'ff', 'AMF_UNKNOWN_MARKER'],
    ['string reference into an empty table', '06 00', 'AMF_BAD_REFERENCE'],
    ['object reference into an empty table', '0a 00', 'AMF_BAD_REFERENCE'],
    ['date reference into an empty table', '08 00', 'AMF_BAD_REFERENCE'],
    ['traits reference into an empty table', '0a 01', 'AMF_BAD_REFERENCE'],
    ['array count 2^28-1 with nothing behind it', '09 ffffffff', 'AMF_TRUNCATED'],
    ['sealed member count larger than the input', '0a 73 01', 'AMF_TRUNCATED'],
    ['Vector.<int> count larger than the input', '0d 09 00 00000001', 'AMF_TRUNCATED'],
    ['Vector.<Number> count larger than the input', '0f 05 00 3ff0000000000000', 'AMF_TRUNCATED'],
    ['Dictionary count larger than the input', '11 09 00 04 01', 'AMF_TRUNCATED'],
    ['ByteArray length larger than the input', '0c ff ff ff ff', 'AMF_TRUNCATED'],
    ['externalizable class without a codec', '0a 07 07 466f6f', 'AMF_UNKNOWN_EXTERNALIZABLE'],
  ];
  for (const [name, hex, code] of cases) {
    it(`${name} -> ${code}`, () => {
      expectAmfError(() => decodeAmf3(fromHex(hex)), code as never);
    });
  }

  it('limits nesting depth, counting through AMF0 AVM+ switches too', () => {
    const nested = (depth: number) => fromHex('090301'.repeat(depth) + '01');
    expect(decodeAmf3(nested(64))).toHaveLength(1);
    expectAmfError(() => decodeAmf3(nested(65)), 'AMF_DEPTH_EXCEEDED');
    // 40 AMF0 strict arrays, then an AVM+ switch into AMF3 arrays: the depth keeps counting.
    const mixed = (amf3Depth: number) => fromHex('0a00000001'.repeat(40) + '11' + '090301'.repeat(amf3Depth) + '01');
    expect(decodeAmf0(mixed(24), { amf3: amf3Codec })).toHaveLength(1);
    expectAmfError(() => decodeAmf0(mixed(25), { amf3: amf3Codec }), 'AMF_DEPTH_EXCEEDED');
    const loop: AmfValue[] = [];
    let cursor = loop;
    for (let i = 0; i < 64; i++) cursor.push((cursor = []));
    expectAmfError(() => encodeAmf3([loop]), 'AMF_DEPTH_EXCEEDED');
  });

  it('limits each reference table', () => {
    const strings = fromHex(`09 07 01 06 03 61 06 03 62 06 03 63`);
    expect(decodeAmf3(strings, { maxReferences: 3 })).toStrictEqual([['a', 'b', 'c']]);
    expectAmfError(() => decodeAmf3(strings, { maxReferences: 2 }), 'AMF_LIMIT_EXCEEDED');
  });
});

describe('AMF3 encoder refusals', () => {
  const refusals: [string, AmfValue][] = [
    ['a dynamic member named ""', { '': 1 }],
    ['an associative key ""', new AmfEcmaArray([['', 1]])],
    ['a sealed object with members outside its traits', new AmfTypedObject('Foo', { x: 1 }, { sealedMembers: [] })],
    ['AMF0 unsupported', new AmfUnsupported()],
    ['a Vector.<int> item past int32', new AmfVector('int', [2 ** 31])],
    ['a negative Vector.<uint> item', new AmfVector('uint', [-1])],
    ['a non-number Vector.<Number> item', new AmfVector('double', ['x'])],
    ['a function', (() => 0) as unknown as AmfValue],
    ['a Map', new Map() as unknown as AmfValue],
  ];
  for (const [name, value] of refusals) {
    it(`refuses ${name}`, () => {
      expectAmfError(() => encodeAmf3([value]), 'AMF_UNENCODABLE');
    });
  }
});
