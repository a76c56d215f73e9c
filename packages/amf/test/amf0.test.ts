import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, fromHex, toHex } from '@rtmp-web/bytes';
import {
  Amf0Reader,
  Amf0Writer,
  AmfEcmaArray,
  AmfInteger,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  amf3Codec,
  decodeAmf0,
  encodeAmf0,
  readAmf0Value,
  writeAmf0Value,
  type AmfDecodeOptions,
  type AmfEncodeOptions,
  type AmfObject,
  type AmfValue,
} from '../src/index';
import { expectAmfError, expectEveryPrefixTruncated } from './helpers';

/** What AMF0 needs to read and write behind an AVM+ switch (0x11). */
const withAmf3 = { amf3: amf3Codec };

interface Fixture {
  name: string;
  hex: string;
  value: () => AmfValue;
  encode?: AmfEncodeOptions;
  decode?: AmfDecodeOptions;
  /** Set when the value re-encodes to other (canonical) bytes; the reason is in the name. */
  reencodedHex?: string;
}

/** One fixture per AMF0 marker (AMF0 §2.2 - §2.18) that carries a value. */
const fixtures: Fixture[] = [
  {
    name: 'number 0x00',
    hex: `00                 # number-marker
          400921fb54442d18   # IEEE-754 double, big-endian: pi`,
    value: () => Math.PI,
  },
  {
    name: 'number -0 keeps its sign',
    hex: `00 8000000000000000`,
    value: () => -0,
  },
  { name: 'boolean false 0x01', hex: `01 00`, value: () => false },
  { name: 'boolean true', hex: `01 01`, value: () => true },
  {
    name: 'boolean: any non-zero byte is true (re-encoded as 01)',
    hex: `01 7f`,
    value: () => true,
    reencodedHex: `01 01`,
  },
  {
    name: 'string 0x02 (UTF-8, u16 length)',
    hex: `02                 # string-marker
          0006               # byte length 6
          68 c3a9 6c 6c 6f   # "héllo": é is two bytes`,
    value: () => 'héllo',
  },
  { name: 'empty string', hex: `02 0000`, value: () => '' },
  {
    name: 'object 0x03',
    hex: `03                     # object-marker
          0003 617070            # key "app"
          02 0004 6c697665       #   string "live"
          0004 66706164          # key "fpad"
          01 00                  #   false
          0000 09                # empty key + object-end-marker`,
    value: () => ({ app: 'live', fpad: false }),
  },
  {
    name: 'object with a member named "" (empty key not followed by 0x09)',
    hex: `03
          0000 05                # key "" -> null
          0000 09                # end`,
    value: () => ({ '': null }),
  },
  { name: 'null 0x05', hex: `05`, value: () => null },
  { name: 'undefined 0x06', hex: `06`, value: () => undefined },
  {
    name: 'reference 0x07',
    hex: `0a 00000002            # strict array of 2 (object table index 0)
          03 0001 78 00 3ff0000000000000 0000 09   # {x: 1} (index 1)
          07 0001                # reference to index 1`,
    value: () => {
      const shared = { x: 1 };
      return [shared, shared];
    },
    encode: { references: true },
  },
  {
    name: 'ECMA array 0x08 (onMetaData shape)',
    hex: `08 00000000                               # count hint (Flash: 0 for a hash)
          0008 6475726174696f6e 00 4024000000000000  # duration: 10
          0005 7769647468 00 4084000000000000        # width: 640
          0000 09`,
    value: () => new AmfEcmaArray([['duration', 10], ['width', 640]]),
  },
  {
    name: 'ECMA array: count as FFmpeg writes it (entry-count option)',
    hex: `08 00000002
          0008 6475726174696f6e 00 4024000000000000
          0005 7769647468 00 4084000000000000
          0000 09`,
    value: () => new AmfEcmaArray([['duration', 10], ['width', 640]]),
    encode: { ecmaArrayCount: 'entry-count' },
  },
  {
    name: 'ECMA array: the count is not trusted (ffffffff, one entry)',
    hex: `08 ffffffff 0001 61 05 0000 09`,
    value: () => new AmfEcmaArray([['a', null]]),
    reencodedHex: `08 00000000 0001 61 05 0000 09`,
  },
  {
    name: 'strict array 0x0A',
    hex: `0a 00000003             # count 3
          00 3ff0000000000000     # 1
          02 0001 61              # "a"
          05                      # null`,
    value: () => [1, 'a', null],
  },
  {
    name: 'date 0x0B',
    hex: `0b 4277262e0d000000     # ms since epoch: 2020-05-30T00:00:00Z
          0000                    # time zone: reserved, 0`,
    value: () => new Date(Date.UTC(2020, 4, 30)),
  },
  {
    name: 'date: a non-zero time zone is ignored (re-encoded as 0)',
    hex: `0b 426e6ab1b5100000 012c`,
    value: () => new Date(Date.UTC(2003, 1, 13, 5)),
    reencodedHex: `0b 426e6ab1b5100000 0000`,
  },
  {
    name: 'long string 0x0C holding a short string (re-encoded as 0x02)',
    hex: `0c 00000003 616263`,
    value: () => 'abc',
    reencodedHex: `02 0003 616263`,
  },
  { name: 'unsupported 0x0D', hex: `0d`, value: () => new AmfUnsupported() },
  {
    name: 'XML document 0x0F',
    hex: `0f 00000004 3c612f3e     # u32 length, "<a/>"`,
    value: () => new AmfXmlDocument('<a/>'),
  },
  {
    name: 'typed object 0x10',
    hex: `10 0003 466f6f           # class name "Foo"
          0001 78 00 3ff0000000000000   # x: 1
          0000 09`,
    value: () => new AmfTypedObject('Foo', { x: 1 }),
  },
  {
    name: 'AVM+ switch 0x11 to an AMF3 ByteArray',
    hex: `11                      # avmplus-object-marker
          0c 07 010203            # AMF3 ByteArray of 3 bytes`,
    value: () => new Uint8Array([1, 2, 3]),
    decode: withAmf3,
    encode: withAmf3,
  },
  {
    name: 'AVM+ switch to an AMF3 integer (re-encoded as an AMF0 number)',
    hex: `11 04 05`,
    value: () => 5,
    decode: withAmf3,
    reencodedHex: `00 4014000000000000`,
  },
  {
    name: 'AVM+ switch to E4X XML, which only AMF3 has',
    hex: `11 0b 09 3c612f3e`,
    value: () => new AmfXml('<a/>'),
    decode: withAmf3,
    encode: withAmf3,
  },
];

describe('AMF0 fixtures', () => {
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const bytes = fromHex(fixture.hex);

      it('decodes to the exact value', () => {
        expect(decodeAmf0(bytes, fixture.decode)).toStrictEqual([fixture.value()]);
      });

      it('encodes back to the exact bytes', () => {
        const wanted = fixture.reencodedHex ? fromHex(fixture.reencodedHex) : bytes;
        expect(toHex(encodeAmf0([fixture.value()], fixture.encode))).toBe(toHex(wanted));
      });

      it('fails every truncated prefix with AMF_TRUNCATED', () => {
        expectEveryPrefixTruncated(bytes, (reader) => readAmf0Value(reader, fixture.decode));
      });
    });
  }
});

describe('AMF0 in a command message', () => {
  // A connect _result as nginx-rtmp sends it: name, transaction id, properties, information.
  const result = fromHex(`
    02 0007 5f726573756c74                               # "_result"
    00 3ff0000000000000                                  # transaction id 1
    03 0006 666d73566572 02 000d 464d532f332c302c312c313233   # {fmsVer: "FMS/3,0,1,123"
       000c 6361706162696c6974696573 00 403f000000000000      #  capabilities: 31}
       0000 09
    03 0005 6c6576656c 02 0006 737461747573              # {level: "status",
       0004 636f6465 02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373  # code: ...Success}
       0000 09
  `);

  it('reads values one at a time from a ByteReader, mid-buffer', () => {
    const reader = new ByteReader(result);
    const amf0 = new Amf0Reader();
    expect(amf0.readValue(reader)).toBe('_result');
    expect(amf0.readValue(reader)).toBe(1);
    expect(amf0.readValue(reader)).toStrictEqual({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 });
    const position = reader.position;
    expect(amf0.readValue(reader)).toStrictEqual({ level: 'status', code: 'NetConnection.Connect.Success' });
    expect(reader.remaining).toBe(0);
    expect(position).toBeGreaterThan(0);
  });

  it('decodes all values at once and writes them back identically', () => {
    const values = decodeAmf0(result);
    expect(values).toHaveLength(4);
    expect(toHex(encodeAmf0(values))).toBe(toHex(result));
    const writer = new ByteWriter();
    const amf0 = new Amf0Writer();
    for (const value of values) amf0.writeValue(writer, value);
    expect(toHex(writer.finish())).toBe(toHex(result));
  });

  it('shares the reference table across values read by one reader', () => {
    const bytes = fromHex(`03 0001 61 05 0000 09   # {a: null} -> index 0
                           07 0000                 # reference to it, as the next value`);
    const [first, second] = decodeAmf0(bytes);
    expect(second).toBe(first);
    expectAmfError(() => readAmf0Value(new ByteReader(bytes, 8)), 'AMF_BAD_REFERENCE');
  });

  it('writeAvmPlus puts any value behind the 0x11 switch (type-17 commands)', () => {
    const writer = new ByteWriter();
    const amf0 = new Amf0Writer(withAmf3);
    amf0.writeValue(writer, 'connect');
    amf0.writeAvmPlus(writer, { a: 1 });
    expect(toHex(writer.finish())).toBe(toHex(fromHex(`02 0007 636f6e6e656374   11 0a 0b 01 03 61 04 01 01`)));
  });

  it('gives each AVM+ switch a fresh AMF3 context unless told to share one', () => {
    // Two switched strings; the second is a string reference to the first ("abc").
    const bytes = fromHex(`11 06 07 616263   11 06 00`);
    expectAmfError(() => decodeAmf0(bytes, withAmf3), 'AMF_BAD_REFERENCE');
    expect(decodeAmf0(bytes, { ...withAmf3, shareAmf3Context: true })).toStrictEqual(['abc', 'abc']);
    const writer = new ByteWriter();
    const amf0 = new Amf0Writer({ ...withAmf3, shareAmf3Context: true });
    amf0.writeAvmPlus(writer, 'abc');
    amf0.writeAvmPlus(writer, 'abc');
    expect(toHex(writer.finish())).toBe(toHex(bytes));
    expect(toHex(encodeAmf0([new AmfXml('abc'), new AmfXml('abc')], withAmf3))).toBe('110b07616263110b07616263');
  });
});

describe('AMF0 without the AMF3 codec (AMF3 is opt-in)', () => {
  it('fails an AVM+ switch with AMF_AMF3_NOT_ENABLED, saying where it was and what to pass', () => {
    // "onFoo", then 0x11 switching to an AMF3 integer 5: the switch is at offset 8.
    const bytes = fromHex(`02 0005 6f6e466f6f   11 04 05`);
    const error = expectAmfError(() => decodeAmf0(bytes), 'AMF_AMF3_NOT_ENABLED');
    expect(error.details).toStrictEqual({ marker: 0x11, offset: 8 });
    expect(error.message).toContain('AVM+ switch (0x11)');
    expect(error.message).toContain('at offset 8');
    expect(error.message).toContain('{ amf3: amf3Codec }');
    expect(error.fatal).toBe(true);
    // The same inside a container, and through one reader used value by value.
    expectAmfError(() => decodeAmf0(fromHex(`03 0001 61 11 01 0000 09`)), 'AMF_AMF3_NOT_ENABLED');
    const reader = new ByteReader(bytes);
    const amf0 = new Amf0Reader();
    expect(amf0.readValue(reader)).toBe('onFoo');
    expectAmfError(() => amf0.readValue(reader), 'AMF_AMF3_NOT_ENABLED');
  });

  it('fails writeAvmPlus with AMF_AMF3_NOT_ENABLED, and AMF3-only values as AMF_UNENCODABLE, writing nothing', () => {
    // AMF0 has no form for them; which values are AMF3-only is the AMF3 codec's knowledge.
    for (const value of [new Uint8Array(1), new AmfXml('<a/>')]) {
      const error = expectAmfError(() => encodeAmf0([value]), 'AMF_UNENCODABLE');
      expect(error.message).toContain('{ amf3: amf3Codec }');
    }
    const writer = new ByteWriter();
    const amf0 = new Amf0Writer();
    const error = expectAmfError(() => amf0.writeAvmPlus(writer, { a: 1 }), 'AMF_AMF3_NOT_ENABLED');
    expect(error.message).toBe('value to write behind an AVM+ switch (0x11): AMF3 is not enabled (pass { amf3: amf3Codec } in the options)');
    expect(writer.finish().byteLength).toBe(0);
    // avmPlus: false still says the value has no AMF0 form at all.
    expectAmfError(() => encodeAmf0([new Uint8Array(1)], { avmPlus: false }), 'AMF_UNENCODABLE');
    // Everything AMF0 itself expresses needs no AMF3 codec.
    expect(toHex(encodeAmf0([{ a: [1, 'x', null] }, new AmfXmlDocument('<a/>')]))).toBe(
      toHex(fromHex(`03 0001 61 0a 00000003 00 3ff0000000000000 02 0001 78 05 0000 09   0f 00000004 3c612f3e`)),
    );
  });

  it('writeAmf0Value writes one value with a fresh context', () => {
    const writer = new ByteWriter();
    writeAmf0Value(writer, new AmfInteger(3));
    expect(toHex(writer.finish())).toBe('004008000000000000');
  });
});

describe('AMF0 long strings and objects', () => {
  it('switches to a long string (0x0C) past 65535 UTF-8 bytes, and reads it back', () => {
    const text = 'é'.repeat(40000); // 80000 bytes
    const bytes = encodeAmf0([text]);
    expect(toHex(bytes.subarray(0, 5))).toBe('0c00013880');
    expect(decodeAmf0(bytes)).toEqual([text]);
    expect(encodeAmf0(['x'.repeat(65535)])[0]).toBe(0x02);
  });

  it('refuses member names longer than a u16 length can say', () => {
    expectAmfError(() => encodeAmf0([{ ['k'.repeat(65536)]: 1 }]), 'AMF_UNENCODABLE');
  });

  it('keeps "__proto__" as an own member instead of changing the prototype', () => {
    const bytes = fromHex(`03 0009 5f5f70726f746f5f5f   # key "__proto__"
                           03 0001 78 01 01 0000 09     #   {x: true}
                           0000 09`);
    const [value] = decodeAmf0(bytes) as [AmfObject];
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect((value as Record<string, unknown>).x).toBeUndefined();
    expect(toHex(encodeAmf0([value]))).toBe(toHex(bytes));
  });

  it('with allowMissingObjectEnd, ends a container the input cut short at a key boundary', () => {
    const bytes = fromHex(`08 00000001 0001 61 05`); // no 00 00 09
    expectAmfError(() => decodeAmf0(bytes), 'AMF_TRUNCATED');
    expect(decodeAmf0(bytes, { allowMissingObjectEnd: true })).toStrictEqual([new AmfEcmaArray([['a', null]])]);
    expect(decodeAmf0(fromHex(`03 0001 61 05 0000`), { allowMissingObjectEnd: true })).toStrictEqual([{ a: null }]);
    // A cut inside a key or value is still truncation.
    expectAmfError(() => decodeAmf0(fromHex(`03 0001`), { allowMissingObjectEnd: true }), 'AMF_TRUNCATED');
  });

  it('writes an ECMA array dense part as the keys "0".."n-1" first (AMF0 has no dense part)', () => {
    const mixed = new AmfEcmaArray([['k', true]], ['a']);
    expect(toHex(encodeAmf0([mixed]))).toBe(toHex(fromHex(`08 00000001 0001 30 02 0001 61 0001 6b 01 01 0000 09`)));
  });
});

describe('AMF0 malformed input', () => {
  const cases: [string, string, string][] = [
    ['movieclip 0x04 is reserved', '04', 'AMF_RESERVED_MARKER'],
    ['recordset 0x0E is reserved', '0e', 'AMF_RESERVED_MARKER'],
    ['object-end 0x09 outside an object', '09', 'AMF_UNEXPECTED_MARKER'],
    ['object-end as a member value', '03 0001 61 09', 'AMF_UNEXPECTED_MARKER'],
    ['unknown marker 0x12', '12', 'AMF_UNKNOWN_MARKER'],
    ['unknown marker 0xff', 'ff', 'AMF_UNKNOWN_MARKER'],
    ['reference into an empty table', '07 0000', 'AMF_BAD_REFERENCE'],
    ['reference past the table', '0a 00000002 03 0000 09 07 0005', 'AMF_BAD_REFERENCE'],
    ['strict array count larger than the input', '0a ffffffff 05', 'AMF_TRUNCATED'],
    ['string length larger than the input', '02 ffff 41', 'AMF_TRUNCATED'],
    ['long string length larger than the input', '0c ffffffff 41', 'AMF_TRUNCATED'],
    ['AMF3 garbage behind the switch', '11 ff', 'AMF_UNKNOWN_MARKER'],
  ];
  for (const [name, hex, code] of cases) {
    it(`${name} -> ${code}`, () => {
      expectAmfError(() => decodeAmf0(fromHex(hex), withAmf3), code as never);
    });
  }

  it('reports an oversized count before allocating for it', () => {
    const error = expectAmfError(() => decodeAmf0(fromHex('0a ffffffff 05')), 'AMF_TRUNCATED');
    expect(error.details).toMatchObject({ declared: 0xffffffff, remaining: 1, lengthExceedsInput: true });
  });

  it('limits nesting depth (64 by default, configurable)', () => {
    const nested = (depth: number) => fromHex('0a00000001'.repeat(depth) + '05');
    expect(decodeAmf0(nested(64))).toHaveLength(1);
    expectAmfError(() => decodeAmf0(nested(65)), 'AMF_DEPTH_EXCEEDED');
    expectAmfError(() => decodeAmf0(nested(3), { maxDepth: 2 }), 'AMF_DEPTH_EXCEEDED');
    const deep: AmfValue[] = [];
    let cursor = deep;
    for (let i = 0; i < 64; i++) cursor.push((cursor = []));
    expectAmfError(() => encodeAmf0([deep]), 'AMF_DEPTH_EXCEEDED');
  });

  it('limits the reference table', () => {
    const three = fromHex('0a00000003 030000 09 030000 09 030000 09');
    expect(decodeAmf0(three, { maxReferences: 4 })).toHaveLength(1);
    expectAmfError(() => decodeAmf0(three, { maxReferences: 3 }), 'AMF_LIMIT_EXCEEDED');
  });
});

describe('AMF0 encoder', () => {
  it('refuses values with no AMF form', () => {
    expectAmfError(() => encodeAmf0([(() => 1) as unknown as AmfValue]), 'AMF_UNENCODABLE');
    expectAmfError(() => encodeAmf0([Symbol('s') as unknown as AmfValue]), 'AMF_UNENCODABLE');
    expectAmfError(() => encodeAmf0([10n as unknown as AmfValue]), 'AMF_UNENCODABLE');
    expectAmfError(() => encodeAmf0([new Map() as unknown as AmfValue]), 'AMF_UNENCODABLE');
    class Custom {}
    expectAmfError(() => encodeAmf0([new Custom() as unknown as AmfValue]), 'AMF_UNENCODABLE');
    expectAmfError(() => encodeAmf0([new Uint8Array(1)], { avmPlus: false }), 'AMF_UNENCODABLE');
  });

  it('refuses cycles without references, and writes them as references when on', () => {
    const loop: AmfObject = {};
    loop.self = loop;
    expectAmfError(() => encodeAmf0([loop]), 'AMF_UNENCODABLE');
    const bytes = encodeAmf0([loop], { references: true });
    expect(toHex(bytes)).toBe(toHex(fromHex(`03 0004 73656c66 07 0000 0000 09`)));
    const [decoded] = decodeAmf0(bytes) as [AmfObject];
    expect(decoded.self).toBe(decoded);
  });

  it('writes a shared (non-circular) object twice when references are off', () => {
    const shared = { x: null };
    expect(toHex(encodeAmf0([[shared, shared]]))).toBe(toHex(fromHex(`0a 00000002 03 0001 78 05 0000 09 03 0001 78 05 0000 09`)));
  });
});
