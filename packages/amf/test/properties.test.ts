/**
 * fast-check: every value the generators can build survives encode -> decode exactly, its bytes
 * are stable under a second round, and arbitrary or mutated bytes never make a decoder throw
 * anything but an AmfError (nor hang: every loop consumes input, and each test has a timeout).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, concatBytes, fromHex, toHex } from '@rtmp-web/bytes';
import {
  AmfDictionary,
  AmfEcmaArray,
  AmfError,
  AmfExternalizable,
  AmfTypedObject,
  AmfUnsupported,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  amf3Codec,
  decodeAmf0,
  decodeAmf3,
  encodeAmf0,
  encodeAmf3,
  readAmf0Value,
  type AmfObject,
  type AmfValue,
} from '../src/index';

/** AMF0 with its AVM+ switch (0x11) enabled: the generated values include AMF3-only ones. */
const withAmf3 = { amf3: amf3Codec };

const text = fc.string({ unit: 'binary', maxLength: 10 });
// "__proto__" has its own test; fast-check would build it as a prototype change, not a member.
const key = fc.string({ unit: 'binary', maxLength: 6 }).filter((k) => k !== '__proto__');
const nonEmptyKey = key.filter((k) => k !== '');
const dictionaryOf = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<AmfValue>) =>
  fc.dictionary(keys, values, { maxKeys: 4, noNullPrototype: true }) as fc.Arbitrary<AmfObject>;
const date = fc.date({ noInvalidDate: true });
const bytes = fc.uint8Array({ maxLength: 8 });
const depth = { maxDepth: 4, depthIdentifier: 'amf' } as const;

/** Values whose AMF0 round trip is exact (AMF3-only types travel behind the AVM+ switch). */
const amf0Value = fc.letrec<{ value: AmfValue }>((tie) => ({
  value: fc.oneof(
    depth,
    fc.double(),
    fc.boolean(),
    text,
    fc.constant(null),
    fc.constant(undefined),
    date,
    text.map((xml) => new AmfXmlDocument(xml)),
    fc.constant(0).map(() => new AmfUnsupported()),
    bytes,
    text.map((xml) => new AmfXml(xml)),
    fc.array(tie('value'), { maxLength: 4 }),
    dictionaryOf(key, tie('value')),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => new AmfEcmaArray(entries)),
    fc.tuple(text, dictionaryOf(key, tie('value'))).map(([name, properties]) => new AmfTypedObject(name, properties)),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 }).map((items) => new AmfVector('int', items)),
  ),
})).value;

/** Typed objects with any split between sealed and dynamic members. */
function typedObject(values: fc.Arbitrary<AmfValue>): fc.Arbitrary<AmfTypedObject> {
  return fc
    .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), dictionaryOf(nonEmptyKey, values), fc.nat(), fc.boolean())
    .map(([className, properties, split, dynamic]) => {
      const keys = Object.keys(properties);
      const sealed = keys.slice(0, split % (keys.length + 1));
      return new AmfTypedObject(className, properties, { sealedMembers: sealed, dynamic: dynamic || sealed.length < keys.length });
    });
}

/** Values whose AMF3 round trip is exact. */
const amf3Value = fc.letrec<{ value: AmfValue }>((tie) => ({
  value: fc.oneof(
    depth,
    fc.double(),
    fc.integer({ min: -(2 ** 28), max: 2 ** 28 - 1 }),
    fc.boolean(),
    text,
    fc.constant(null),
    fc.constant(undefined),
    date,
    bytes,
    text.map((xml) => new AmfXml(xml)),
    text.map((xml) => new AmfXmlDocument(xml)),
    fc.array(tie('value'), { maxLength: 4 }),
    dictionaryOf(nonEmptyKey, tie('value')),
    // An associative part must not be empty: an empty one decodes as a plain array.
    fc
      .tuple(fc.array(fc.tuple(nonEmptyKey, tie('value')), { minLength: 1, maxLength: 3 }), fc.array(tie('value'), { maxLength: 3 }))
      .map(([entries, dense]) => new AmfEcmaArray(entries, dense)),
    typedObject(tie('value')),
    fc
      .tuple(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 }), fc.boolean())
      .map(([items, fixed]) => new AmfVector('int', items, fixed)),
    fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 4 }).map((items) => new AmfVector('uint', items)),
    fc.array(fc.double(), { maxLength: 4 }).map((items) => new AmfVector('double', items, true)),
    fc
      .tuple(fc.array(tie('value'), { maxLength: 3 }), text, fc.boolean())
      .map(([items, typeName, fixed]) => new AmfVector('object', items, fixed, typeName)),
    fc
      .tuple(fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }), fc.boolean())
      .map(([entries, weak]) => new AmfDictionary(entries, weak)),
    fc.array(tie('value'), { maxLength: 3 }).map((source) => new AmfExternalizable('flex.messaging.io.ArrayCollection', source)),
  ),
})).value;

describe('round trips (fast-check)', () => {
  it('AMF0: decode(encode(values)) equals values, and the bytes are stable', () => {
    fc.assert(
      fc.property(fc.array(amf0Value, { minLength: 1, maxLength: 3 }), (values) => {
        const encoded = encodeAmf0(values, withAmf3);
        const decoded = decodeAmf0(encoded, withAmf3);
        expect(decoded).toStrictEqual(values);
        expect(toHex(encodeAmf0(decoded, withAmf3))).toBe(toHex(encoded));
      }),
      { numRuns: 300 },
    );
  });

  it('AMF0 with references: shared objects come back shared', () => {
    fc.assert(
      fc.property(dictionaryOf(key, amf0Value), (shared) => {
        const encoded = encodeAmf0([[shared, { again: shared }]], { ...withAmf3, references: true });
        const [decoded] = decodeAmf0(encoded, withAmf3) as [[AmfObject, { again: AmfObject }]];
        expect(decoded[1].again).toBe(decoded[0]);
        expect(decoded[0]).toStrictEqual(shared);
      }),
      { numRuns: 100 },
    );
  });

  it('AMF3: decode(encode(values)) equals values, and the bytes are stable', () => {
    fc.assert(
      fc.property(fc.array(amf3Value, { minLength: 1, maxLength: 3 }), (values) => {
        const encoded = encodeAmf3(values);
        const decoded = decodeAmf3(encoded);
        expect(decoded).toStrictEqual(values);
        expect(toHex(encodeAmf3(decoded))).toBe(toHex(encoded));
      }),
      { numRuns: 300 },
    );
  });

  it('AMF3: repeated identities come back as the same objects', () => {
    fc.assert(
      fc.property(fc.array(amf3Value, { minLength: 1, maxLength: 3 }), (items) => {
        const objects = items.filter((item): item is object & AmfValue => typeof item === 'object' && item !== null);
        const [decoded] = decodeAmf3(encodeAmf3([[...objects, ...objects]])) as [AmfValue[]];
        for (let i = 0; i < objects.length; i++) expect(decoded[objects.length + i]).toBe(decoded[i]);
      }),
      { numRuns: 150 },
    );
  });
});

/** Every decoder outcome allowed on hostile input: a value list or an AmfError. */
function decodeOrAmfError(decode: () => AmfValue[], reencode: (values: AmfValue[]) => Uint8Array): void {
  let values: AmfValue[];
  try {
    values = decode();
  } catch (error) {
    if (!(error instanceof AmfError)) throw error;
    return;
  }
  // What decoded must also encode, or be refused with an AmfError.
  try {
    reencode(values);
  } catch (error) {
    if (!(error instanceof AmfError)) throw error;
  }
}

/** Byte runs that steer random input into the interesting paths: markers, ends, big counts, refs. */
const tokens = [
  '00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '0a', '0b', '0c', '0d', '0e', '0f', '10', '11',
  '0000', '000009', 'ffff', 'ffffffff', '7fffffff', '00000001', '0001', '0161', '03', '0b01', '0a0b01', '0a01',
  '0a00', '0600', '0905', '0901', '0d03', '1103', '0a07', '0a13', '0a23', '3b', '43',
].map(fromHex);
const tokenStream = fc.array(fc.constantFrom(...tokens), { maxLength: 40 }).map((parts) => concatBytes(parts));

describe('hostile input (fast-check)', () => {
  const hostile = fc.oneof(fc.uint8Array({ maxLength: 96 }), tokenStream);

  it('AMF0: random bytes give values or AmfError, never another exception', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        decodeOrAmfError(() => decodeAmf0(input), (values) => encodeAmf0(values));
        decodeOrAmfError(
          () => decodeAmf0(input, { ...withAmf3, allowMissingObjectEnd: true, shareAmf3Context: true }),
          (values) => encodeAmf0(values, { ...withAmf3, references: true }),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('AMF3: random bytes give values or AmfError, never another exception', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        decodeOrAmfError(() => decodeAmf3(input), (values) => encodeAmf3(values));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated and cut valid encodings give values or AmfError', () => {
    const mutations = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(amf3Value, amf0Value, mutations, fc.nat(), (value3, value0, edits, cut) => {
        for (const [encoded, decode, encode] of [
          [encodeAmf3([value3]), decodeAmf3, encodeAmf3],
          [encodeAmf0([value0], withAmf3), (bytes: Uint8Array) => decodeAmf0(bytes, withAmf3), (values: AmfValue[]) => encodeAmf0(values, withAmf3)],
        ] as const) {
          const mutated = encoded.slice();
          for (const [at, byte] of edits) if (mutated.length > 0) mutated[at % mutated.length] = byte;
          decodeOrAmfError(() => decode(mutated), (values) => encode(values));
          decodeOrAmfError(() => decode(mutated.subarray(0, cut % (mutated.length + 1))), (values) => encode(values));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reading mid-buffer never runs past the reader or throws another exception', () => {
    fc.assert(
      fc.property(hostile, fc.nat(), (input, start) => {
        const reader = new ByteReader(input, input.length === 0 ? 0 : start % input.length);
        try {
          readAmf0Value(reader);
        } catch (error) {
          expect(error).toBeInstanceOf(AmfError);
        }
        expect(reader.position).toBeLessThanOrEqual(input.length);
      }),
      { numRuns: 1000 },
    );
  });
});
